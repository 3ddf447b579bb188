"""Upgrades keep history, on SQLite and on a real PostgreSQL: a fresh database is built at every
earlier schema version, every table that exists there gets rows (raw SQL, that version's
columns), usage spread over hours, keys and errors, and the upgrade to the latest schema must
leave every row as it was while the dashboard's totals, costs and budget spend count the usage
from before it, each request exactly once.

The usage timeline the tests build: rows written by code older than migration 7 (no rollups)
from OLD_START on; for databases at 7 or later, migration 7 "applied" at UPGRADED_TO_7_AT and the
writer (with its rollups) from then on, one of its rows in the same hour and group as an old one;
a database at 9 or later has had the old rows rolled up by migration 9 on its way there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields

import pytest

from omniroute.store import connections as store
from omniroute.store.budgets import load_budgets, spent_since
from omniroute.store.database import open_database
from omniroute.store.migrations import LATEST_VERSION, applied_versions, migrate
from omniroute.store.models import SchemaMigration
from omniroute.store.secret_box import SecretBox
from omniroute.store.usage_batches import UsageBatchStore
from omniroute.store.usage_totals import UsageTotals, total_of, usage_groups, usage_series
from omniroute.usage.budgets import Budget, BudgetLedger, period_bounds
from omniroute.usage.writer import UsageWriter

PLAINTEXT_KEY = "sk-proj-PLAINTEXT-never-stored-1234"
ROLLUPS_SINCE = 7  # the migration that created usage_hourly (and cost columns, budgets)
BACKFILLED_AT = 9  # the migration that rolled up the usage rows written before 7
OLD_START = dt.datetime(2025, 3, 9, 22, 0)
UPGRADED_TO_7_AT = dt.datetime(2025, 3, 10, 3, 30)
NOW = dt.datetime(2025, 3, 10, 6, 0)  # the budget ledger's clock
DAY = dt.timedelta(days=1)
SPAN = (dt.datetime(2025, 3, 9), dt.datetime(2025, 3, 11))  # every row's hour is in it
BUDGETS = [Budget(1, 100.0, "monthly", 75), Budget(2, 100.0, "daily", 80)]
NOT_FILLED_BY_HAND = {"schema_migrations", "usage_hourly"}  # kept by migrate() and the writer


def sample_rows() -> dict[str, list[dict]]:
    """Rows for every table but usage_records, with every column the latest schema has; a
    database at an earlier version gets the columns it has."""
    t = OLD_START
    return {
        "app_settings": [{"key": "theme", "value": "dark"}, {"key": "locale", "value": "id"}],
        "provider_connections": [
            {"provider": "openai", "name": "Work", "api_key_encrypted": "v1:sealed-a",
             "api_key_hint": "1234", "base_url": "http://127.0.0.1:9/v1", "test_model": "gpt-4o",
             "is_active": True, "priority": 2, "created_at": t, "updated_at": t,
             "last_test_ok": False, "last_test_error": "timed out", "last_test_latency_ms": 12.5,
             "last_tested_at": t},
            {"provider": "anthropic", "name": "Home", "api_key_encrypted": "v1:sealed-b",
             "is_active": False, "created_at": t, "updated_at": t},
            {"provider": "claude-code", "name": "Max", "api_key_encrypted": "v1:sealed-e",
             "is_active": True, "priority": 1, "created_at": t, "updated_at": t,
             "auth_kind": "oauth", "oauth_tokens_encrypted": "v1:sealed-t",
             "account_label": "ada@example.com", "sign_in_state": "sign_in_again",
             "sign_in_reason": "invalid_grant", "quota_snapshot": '{"windows": []}',
             "quota_updated_at": t, "refresh_lease_until": 1741560000.0},
        ],
        "api_keys": [
            {"name": "laptop", "key_prefix": "sk-or-aaaa", "key_hash": "a" * 64,
             "created_at": t, "expires_at": t + 90 * DAY, "allowed_models": '["openai/*"]',
             "last_used_at": t},
            {"name": "ci", "key_prefix": "sk-or-bbbb", "key_hash": "b" * 64, "created_at": t},
            {"name": "old", "key_prefix": "sk-or-cccc", "key_hash": "c" * 64, "created_at": t,
             "revoked_at": t + DAY},
        ],
        "provider_nodes": [
            {"name": "Ollama", "prefix": "ollama", "base_url": "http://127.0.0.1:11434/v1",
             "api_type": "openai", "api_key_encrypted": "v1:sealed-n", "api_key_hint": "9876",
             "is_active": True, "created_at": t, "updated_at": t},
        ],
        "provider_models": [
            {"provider": "openai", "model_id": "gpt-custom", "model_name": "Custom",
             "hidden": False, "created_at": t},
            {"provider": "openai", "model_id": "gpt-3.5-turbo", "hidden": True, "created_at": t},
        ],
        "model_aliases": [
            {"pattern": "fast", "target": "openai/gpt-4o-mini", "created_at": t},
            {"pattern": "claude-*", "target": "anthropic/claude-sonnet-4", "created_at": t},
        ],
        "combos": [
            {"name": "coding", "strategy": "priority",
             "targets": '["openai/gpt-4o", "anthropic/claude-sonnet-4"]', "created_at": t,
             "updated_at": t},
        ],
        "fallback_chains": [
            {"model": "gpt-4*", "name": "gpt", "models": '["anthropic/claude-sonnet-4"]',
             "created_at": t},
        ],
        "model_prices": [
            {"provider": "openai", "model_id": "gpt-4o", "input_price": 2.5,
             "output_price": 10.0, "cached_input_price": 1.25, "updated_at": t},
        ],
        "budgets": [
            {"api_key_id": b.key_id, "limit_usd": b.limit, "period": b.period,
             "warn_percent": b.warn_percent, "created_at": t}
            for b in BUDGETS
        ],
        "request_logs": [
            {"request_id": "req-old-1", "created_at": t, "api_key_id": 1,
             "endpoint": "chat.completions", "requested_model": "fast", "provider": "openai",
             "status": 200, "request_body": '{"model": "fast"}', "response_body": "{}"},
        ],
    }  # fmt: skip


def usage_row(created_at: dt.datetime, n: int) -> dict:
    """A usage row with every column; keys, providers and models vary on different cycles, and
    amounts are binary fractions so that every order of summing gives the same float."""
    provider, model = (("openai", "gpt-4o"), ("anthropic", "claude-sonnet-4"), (None, None))[n % 3]
    return {
        "created_at": created_at, "endpoint": "chat.completions", "provider": provider,
        "connection_id": 1, "requested_model": model or "nothing", "model": model,
        "status": 502 if n % 4 == 3 else 200, "stream": n % 2 == 0,
        "prompt_tokens": 100 + n, "completion_tokens": 10 * n, "latency_ms": 50.25 + n,
        "ttft_ms": 20.5, "error": "upstream 502" if n % 4 == 3 else None,
        "api_key_id": (1, 2, None)[(n // 2) % 3], "format_in": "openai", "format_out": "openai",
        "cache_read_tokens": n, "cache_write_tokens": 2 * n, "reasoning_tokens": 3 * n,
        "attempts": 1, "attempt_chain": "[]", "cost_usd": (n + 1) / 64,
        "list_cost_usd": (n + 1) / 32, "estimated": n == 5, "request_id": f"req-{n}",
        "served_from": ("cache", "idempotent", None)[n % 3],
    }  # fmt: skip


# written before migration 7: every 23 minutes from 22:00 to 03:22 (the last in the hour the
# upgrade to 7 happened in), odd seconds and microseconds, and one at the last microsecond of a day
OLD_USAGE = [
    usage_row(OLD_START + dt.timedelta(minutes=23 * n, seconds=3 * n, microseconds=7919 * n), n)
    for n in range(15)
] + [usage_row(dt.datetime(2025, 3, 9, 23, 59, 59, 999999), 15)]
# written by the writer after the upgrade to 7: the first shares hour 03 and its group
# (key 2, no provider, no model) with OLD_USAGE[14]
WRITER_USAGE = [
    usage_row(UPGRADED_TO_7_AT + dt.timedelta(minutes=minutes), n)
    for minutes, n in ((10, 20), (20, 16), (40, 17), (95, 18))
]


def table_columns_of(database, table: str) -> list[str]:
    return [column.name for column in database.get_columns(table)]


def table_columns(database) -> dict[str, list[str]]:
    """{table: its columns} as the database has them now, the bookkeeping tables aside."""
    return {
        table: table_columns_of(database, table)
        for table in database.get_tables()
        if table not in NOT_FILLED_BY_HAND and not table.startswith("sqlite_")
    }


def as_at(row: dict, columns: list[str]) -> dict:
    """The row as a database with only `columns` holds it."""
    return {name: value for name, value in row.items() if name in columns}


def insert(database, table: str, row: dict) -> None:
    names = ", ".join(f'"{name}"' for name in row)
    values = ", ".join([database.param] * len(row))
    database.execute_sql(f'INSERT INTO "{table}" ({names}) VALUES ({values})', list(row.values()))


def dump(database, columns: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """Every row of every table, in `columns`' columns, in key order."""
    rows = {}
    for table, names in columns.items():
        order = "id" if "id" in names else names[0]
        listed = ", ".join(f'"{name}"' for name in names)
        query = f'SELECT {listed} FROM "{table}" ORDER BY "{order}"'
        rows[table] = database.execute_sql(query).fetchall()
    return rows


def write_through_the_writer(database, rows: list[dict]) -> None:
    """The rows written by the usage writer of the database's version (its columns only)."""
    writer = UsageWriter(UsageBatchStore(database))
    with database.connection_context():
        columns = table_columns_of(database, "usage_records")
    for row in rows:
        writer.submit(as_at(row, columns))
    assert writer.flush()
    assert writer.rows_written == len(rows)


def totals_of(rows: list[dict]) -> UsageTotals:
    """What the rollups must say for `rows`: summed here, by hand."""
    sums = {f.name: sum(row.get(f.name, 0) for row in rows) for f in fields(UsageTotals)}
    sums["requests"] = len(rows)
    sums["errors"] = sum(row["status"] >= 400 for row in rows)
    sums["latency_ms_sum"] = sum(row["latency_ms"] for row in rows)
    return UsageTotals(**sums)


def grouped(rows: list[dict], key) -> dict:
    groups: dict = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return {name: totals_of(members) for name, members in groups.items()}


def group_of(row: dict) -> tuple:
    return (row.get("api_key_id") or 0, row.get("provider") or "", row.get("model") or "")


def hour_of_row(row: dict) -> dt.datetime:
    return row["created_at"].replace(minute=0, second=0, microsecond=0)


def build_at(database, version: int) -> tuple[dict[str, list[str]], list[dict]]:
    """A database at `version` with rows in every table and usage as that version's code wrote
    it; returns its tables' columns and its usage rows as stored. The old usage rows were
    written before migration 9 (by code at `version`, or at 8 for a database at 9 or later,
    which migration 9 then rolled them up on its way to `version`)."""
    old_code = min(version, BACKFILLED_AT - 1)
    migrate(database, upto=old_code)
    with database.connection_context():
        usage = [as_at(row, table_columns_of(database, "usage_records")) for row in OLD_USAGE]
        for row in usage:
            insert(database, "usage_records", row)
        if old_code >= ROLLUPS_SINCE:
            param = database.param
            database.execute_sql(
                f"UPDATE schema_migrations SET applied_at = {param} WHERE version = {param}",
                [UPGRADED_TO_7_AT, ROLLUPS_SINCE],
            )
    migrate(database, upto=version)
    with database.connection_context():
        columns = table_columns(database)
        samples = sample_rows()
        assert set(columns) - {"usage_records"} <= set(samples), "a table without sample rows"
        for table, names in columns.items():
            for row in samples.get(table, []):
                insert(database, table, as_at(row, names))
    if version >= ROLLUPS_SINCE:
        write_through_the_writer(database, WRITER_USAGE)
        usage += WRITER_USAGE
    return columns, usage


def assert_dashboard_counts(usage: list[dict], budgets: list[Budget]) -> None:
    """The Usage and Costs pages' totals, groups and chart, and the budgets' spend, equal the
    sums of `usage` to the last bit."""
    groups = usage_groups(*SPAN)
    assert {(g.api_key_id, g.provider, g.model): g.totals for g in groups} == grouped(
        usage, group_of
    )
    assert total_of(groups) == totals_of(usage)
    assert usage_series(*SPAN) == grouped(usage, hour_of_row)
    ledger = BudgetLedger(spent_since, clock=lambda: NOW)
    ledger.set_budgets(budgets)
    for budget in budgets:
        start, _ = period_bounds(budget.period, NOW)
        own = [
            r for r in usage if r.get("api_key_id") == budget.key_id and r["created_at"] >= start
        ]
        expected = sum(row.get("cost_usd", 0) for row in own)
        assert spent_since(budget.key_id, start) == expected
        assert ledger.status(budget.key_id)["spent"] == round(expected, 6)


@pytest.mark.parametrize("version", range(1, LATEST_VERSION), ids=lambda v: f"from-v{v}")
def test_upgrade_keeps_every_row_and_counts_the_usage_before_it(database_url, version):
    database = open_database(database_url)
    try:
        columns, usage = build_at(database, version)
        with database.connection_context():
            before = dump(database, columns)
        assert all(before.values()), "every table holds rows before the upgrade"

        assert migrate(database) == list(range(version + 1, LATEST_VERSION + 1))

        with database.connection_context():
            assert dump(database, columns) == before
            assert applied_versions(database) == set(range(1, LATEST_VERSION + 1))
            latest = table_columns(database)
            for table, rows in sample_rows().items():
                assert set().union(*rows) <= set(latest[table]), table
            budgets = load_budgets() if version >= ROLLUPS_SINCE else BUDGETS
            assert budgets == BUDGETS
            assert_dashboard_counts(usage, budgets)
            if version >= ROLLUPS_SINCE:  # old and new requests in one hour and group: both
                hour = dt.datetime(2025, 3, 10, 3)
                shared = usage_groups(hour, hour + dt.timedelta(hours=1))
                requests = {(g.api_key_id, g.provider, g.model): g.totals.requests for g in shared}
                assert requests[(2, "", "")] == 2
    finally:
        database.close_all()


@pytest.mark.parametrize("version", [7, 8], ids=lambda v: f"at-v{v}")
def test_usage_the_writer_rolled_up_is_not_counted_again(database_url, version):
    database = open_database(database_url)
    try:
        migrate(database, upto=version)
        with database.connection_context():
            upgraded_at = SchemaMigration.get_by_id(ROLLUPS_SINCE).applied_at
        # requests served once the upgrade to 7 was done, the first in its very microsecond
        rows = [usage_row(upgraded_at + dt.timedelta(minutes=7 * n), n) for n in range(8)]
        write_through_the_writer(database, rows)
        with database.connection_context():
            rollups = dump(database, {"usage_hourly": table_columns_of(database, "usage_hourly")})
        assert rollups["usage_hourly"]

        migrate(database)

        with database.connection_context():
            assert (
                dump(database, {"usage_hourly": table_columns_of(database, "usage_hourly")})
                == rollups
            )
            day = upgraded_at.replace(hour=0, minute=0, second=0, microsecond=0)
            assert total_of(usage_groups(day - DAY, day + 2 * DAY)) == totals_of(rows)
    finally:
        database.close_all()


@pytest.mark.parametrize("version", range(1, LATEST_VERSION + 1), ids=lambda v: f"v{v}")
def test_a_connection_made_at_any_version_survives_the_upgrade(database_url, version):
    box = SecretBox(bytes(range(32)))
    database = open_database(database_url)
    try:
        migrate(database, upto=version)
        with database.connection_context():
            store.create_connection(
                box, provider="openai", name=f"made at v{version}", api_key=PLAINTEXT_KEY
            )
        migrate(database)
        with database.connection_context():
            names = [c.name for c in store.list_connections()]
            assert f"made at v{version}" in names
            assert store.load_active_connections(box)[0].api_key == PLAINTEXT_KEY
    finally:
        database.close_all()
