"""The usage writer never drops a good row: bad values are made storable before queueing, a batch
the database refuses is saved row by row, and a row it still refuses goes to the dead-letter
file in DATA_DIR and is counted on Health. On SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import json
import logging
import math
import os
import stat

import pytest
import requests
from peewee import PostgresqlDatabase

from omniroute.clock import utcnow
from omniroute.store.database import open_database
from omniroute.store.migrations import migrate
from omniroute.store.models import RequestLog, UsageHourly, UsageRecord
from omniroute.store.usage_batches import UsageBatchStore
from omniroute.store.usage_storable import INT_MAX
from omniroute.usage.writer import DEAD_LETTER_FILE, UsageWriter
from tests.gateway_harness import start_gateway

GOOD_ROWS = 40
MODEL_LIMIT = UsageRecord.model.max_length
POISON = "poison-model"
SECRET_BODY = '{"messages": [{"role": "user", "content": "private words"}]}'


@pytest.fixture
def store(database_url):
    database = open_database(database_url)
    migrate(database)
    yield database
    database.close_all()


def good_row(number: int, **extra) -> dict:
    return {
        "created_at": utcnow(),
        "endpoint": "chat.completions",
        "provider": "openai",
        "model": "gpt-4o",
        "requested_model": "openai/gpt-4o",
        "status": 200,
        "stream": False,
        "prompt_tokens": number + 1,
        "completion_tokens": 2,
        "latency_ms": 10.0,
        "cost_usd": 0.001,
        "request_id": f"good-{number:04d}",
        "_log": {"request_body": SECRET_BODY, "response_body": "{}"},
        **extra,
    }


def bad_rows() -> list[dict]:
    """Rows one bad value made unstorable before (each took its whole batch down with it)."""
    return [
        good_row(900, model="x\ud800", request_id="bad-surrogate"),
        good_row(
            901, model="m" * 300, requested_model="openai/" + "m" * 300, request_id="bad-long"
        ),
        good_row(902, status=500, error="e" * 10_240 + "\x00\ud800", request_id="bad-error"),
        good_row(903, latency_ms=math.nan, ttft_ms=math.inf, request_id="bad-nan"),
        good_row(
            904,
            prompt_tokens=-5,
            completion_tokens=2**40,
            model="gpt-4o-mini",  # its own hourly group: INT_MAX fits the rollup's INTEGER
            request_id="bad-counts",
        ),
        good_row(
            905,
            _log={"request_body": "nul\x00 and \udc80", "response_body": None},
            request_id="bad-log",
        ),
        without(good_row(906, prompt_tokens=None, request_id="bad-missing"), "stream"),
    ]


def without(row: dict, name: str) -> dict:
    del row[name]
    return row


def interleaved(rows: list[dict], extra: list[dict]) -> list[dict]:
    """`extra` spread among `rows`, so a bad row sits in the middle of the batch."""
    mixed = list(rows)
    for place, row in enumerate(extra, start=1):
        mixed.insert(place * len(rows) // (len(extra) + 1) + place - 1, row)
    return mixed


def refuse_model(database, model: str) -> None:
    """A database trigger that rejects any usage row for `model`: a real failure at the database,
    one no cleaning can avoid."""
    with database.connection_context():
        if isinstance(database, PostgresqlDatabase):
            database.execute_sql(
                "CREATE FUNCTION refuse_model() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.model = '{model}' THEN RAISE EXCEPTION 'usage row refused'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            database.execute_sql(
                "CREATE TRIGGER refuse_model BEFORE INSERT ON usage_records "
                "FOR EACH ROW EXECUTE FUNCTION refuse_model()"
            )
        else:
            database.execute_sql(
                "CREATE TRIGGER refuse_model BEFORE INSERT ON usage_records "
                f"WHEN NEW.model = '{model}' BEGIN SELECT RAISE(ABORT, 'usage row refused'); END"
            )


def stored(database) -> dict[str, UsageRecord]:
    with database.connection_context():
        return {row.request_id: row for row in UsageRecord.select()}


def hourly_totals(database) -> tuple[int, int, float]:
    """Requests, prompt tokens and cost summed over every hourly rollup."""
    with database.connection_context():
        groups = list(UsageHourly.select())
    return (
        sum(g.requests for g in groups),
        sum(g.prompt_tokens for g in groups),
        round(sum(g.cost_usd for g in groups), 9),
    )


def logged_request_ids(database) -> set[str]:
    with database.connection_context():
        return {entry.request_id for entry in RequestLog.select()}


def dead_letters(data_dir) -> list[dict]:
    path = os.path.join(data_dir, DEAD_LETTER_FILE)
    if not os.path.exists(path):
        return []
    with open(path, encoding="ascii") as lines:
        return [json.loads(line) for line in lines]


def write_all(database, rows: list[dict], data_dir) -> UsageWriter:
    writer = UsageWriter(UsageBatchStore(database), flush_seconds=60, data_dir=str(data_dir))
    writer.start()
    try:
        for row in rows:
            writer.submit(row)
        assert writer.flush(timeout=20)
    finally:
        writer.stop()
    return writer


def test_bad_values_are_stored_cleaned_and_no_good_row_is_lost(store, tmp_path):
    goods = [good_row(n) for n in range(GOOD_ROWS)]
    bads = bad_rows()
    writer = write_all(store, interleaved(goods, bads), tmp_path)

    rows = stored(store)
    assert all(f"good-{n:04d}" in rows for n in range(GOOD_ROWS))
    assert len(rows) == GOOD_ROWS + len(bads)  # the bad rows are kept, cleaned
    assert writer.rows_written == GOOD_ROWS + len(bads) and writer.dead_letters == 0
    assert dead_letters(tmp_path) == []

    assert rows["bad-surrogate"].model == "x\ufffd"
    assert rows["bad-long"].model == "m" * MODEL_LIMIT
    assert rows["bad-long"].requested_model == ("openai/" + "m" * 300)[:MODEL_LIMIT]
    assert rows["bad-error"].error == "e" * 10_240 + "\ufffd\ufffd"
    assert (rows["bad-nan"].latency_ms, rows["bad-nan"].ttft_ms) == (0, None)
    assert (rows["bad-counts"].prompt_tokens, rows["bad-counts"].completion_tokens) == (0, INT_MAX)
    assert (rows["bad-missing"].stream, rows["bad-missing"].prompt_tokens) == (False, 0)

    every = [*goods, *bads]
    prompt_sum = sum(r["prompt_tokens"] for r in every)  # cleaned in place: -5 and None became 0
    assert hourly_totals(store) == (len(every), prompt_sum, round(0.001 * len(every), 9))
    assert logged_request_ids(store) == {r["request_id"] for r in every}
    with store.connection_context():
        bad_log = RequestLog.get(RequestLog.request_id == "bad-log")
    assert bad_log.request_body == "nul\ufffd and \ufffd"


def test_a_row_the_database_refuses_is_dead_lettered_and_the_rest_saved(store, tmp_path, caplog):
    refuse_model(store, POISON)
    goods = [good_row(n) for n in range(GOOD_ROWS)]
    poison = good_row(998, model=POISON, request_id="refused")
    unknown_column = good_row(999, request_id="bogus", no_such_column=1)
    with caplog.at_level(logging.ERROR, logger="omniroute.usage.writer"):
        writer = write_all(store, interleaved(goods, [poison, unknown_column]), tmp_path)

    rows = stored(store)
    assert set(rows) == {f"good-{n:04d}" for n in range(GOOD_ROWS)}
    assert hourly_totals(store) == (GOOD_ROWS, sum(n + 1 for n in range(GOOD_ROWS)), 0.04)
    assert logged_request_ids(store) == set(rows)
    assert writer.rows_written == GOOD_ROWS and writer.dead_letters == 2

    letters = dead_letters(tmp_path)
    assert [letter["row"]["request_id"] for letter in letters] == ["refused", "bogus"]
    assert letters[0]["row"]["model"] == POISON and "usage row refused" in letters[0]["reason"]
    assert "no_such_column" in letters[1]["row"]
    assert letters[0]["requestLog"]["request_body"] == SECRET_BODY  # kept whole, in the file
    path = tmp_path / DEAD_LETTER_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600

    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2 and "refused" in errors[0] and str(path) in errors[0]
    assert not any("private words" in message for message in errors)  # never a body


def test_the_writer_thread_survives_a_database_that_refuses_everything(store, tmp_path):
    writer = UsageWriter(UsageBatchStore(store), flush_seconds=60, data_dir=str(tmp_path))
    writer.start()
    try:
        writer.submit(good_row(1, no_such_column=1))
        assert writer.flush(timeout=10)
        writer.submit(good_row(2))
        assert writer.flush(timeout=10)  # still writing
    finally:
        writer.stop()
    assert set(stored(store)) == {"good-0002"}
    assert writer.dead_letters == 1 and len(dead_letters(tmp_path)) == 1


# -- through a real gateway: Health over HTTP, usage and budgets read back ----------------------


@pytest.fixture
def store_gateway(database_url, tmp_path):
    running = start_gateway(str(tmp_path / "data"), DATABASE_URL=database_url)
    yield running
    running.stop()


def test_health_counts_the_dead_letter_and_usage_keeps_every_good_row(store_gateway):
    gateway = store_gateway
    admin = gateway.admin()
    key = admin.post(gateway.url + "/api/keys", json={"name": "spender"})
    assert key.status_code == 201, key.text
    key_id = key.json()["id"]
    health = admin.get(gateway.url + "/api/health").json()["system"]["usageWriter"]
    assert health["deadLetters"] == 0

    refuse_model(gateway.services.database, POISON)
    goods = [good_row(n, api_key_id=key_id) for n in range(GOOD_ROWS)]
    bads = [{**row, "api_key_id": key_id} for row in bad_rows()]
    poison = good_row(998, model=POISON, request_id="refused", api_key_id=key_id)
    for row in interleaved(goods, [*bads, poison]):
        gateway.services.usage.submit(row)
    gateway.flush_usage()

    health = admin.get(gateway.url + "/api/health").json()["system"]["usageWriter"]
    data_dir = gateway.services.settings["DATA_DIR"]
    assert health["deadLetters"] == 1
    assert health["deadLetterFile"] == os.path.join(data_dir, DEAD_LETTER_FILE)
    assert [letter["row"]["request_id"] for letter in dead_letters(data_dir)] == ["refused"]
    page = admin.get(gateway.url + "/dashboard/health").text
    assert (
        "Usage rows not saved" in page
        and 'data-system="deadLetters"><span class="tag off">1<' in page
    )

    listed = admin.get(gateway.url + "/api/usage/requests", params={"limit": 500}).json()["data"]
    assert {r["requestId"] for r in listed} == {r["request_id"] for r in [*goods, *bads]}
    summary = admin.get(gateway.url + "/api/usage/summary").json()["totals"]
    assert summary["requests"] == GOOD_ROWS + len(bads)
    budget = admin.post(
        gateway.url + "/api/usage/budget", json={"keyId": key_id, "limit": 100, "period": "daily"}
    )
    assert budget.status_code == 200, budget.text
    assert budget.json()["spent"] == pytest.approx(0.001 * (GOOD_ROWS + len(bads)))
    requests.get(gateway.url + "/health", timeout=5).raise_for_status()
