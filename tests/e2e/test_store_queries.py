"""Query functions of the store that must answer alike on SQLite and on a real PostgreSQL: custom
models unique per provider, and the request log's pages, filters and sums."""

from __future__ import annotations

import datetime as dt

import pytest

from omniroute.clock import utcnow
from omniroute.store import provider_models as store
from omniroute.store.budgets import spent_since
from omniroute.store.database import open_database
from omniroute.store.migrations import migrate
from omniroute.store.usage_queries import (
    RequestFilter,
    insert_usage_rows,
    iter_requests,
    list_requests,
)
from omniroute.store.usage_rollups import add_rollups, hour_of, rollup
from omniroute.store.usage_totals import breakdown, bucketed, total_of, usage_groups, usage_series

# -- custom models ---------------------------------------------------------------------------


def test_store_unique_per_provider(database_url):
    database = open_database(database_url)
    migrate(database)
    with database.connection_context():
        store.add_provider_model("openai", "m1", "M1")
        store.add_provider_model("groq", "m1", "M1")  # same id, other provider: fine
        with pytest.raises(store.DuplicateModel):
            store.add_provider_model("openai", "m1", "again")
        assert store.set_hidden("openai", "m1", True).hidden is True
        assert store.set_hidden("openai", "missing", True) is None
        assert [r.provider for r in store.list_provider_models()] == ["groq", "openai"]
        assert store.delete_provider_model("openai", "m1") is True
        assert store.delete_provider_model("openai", "m1") is False
    database.close_all()


# -- the request log and usage totals ---------------------------------------------------------


def store_row(created_at, n: int) -> dict:
    return {
        "created_at": created_at, "endpoint": "chat.completions", "api_key_id": (n % 3) or None,
        "provider": ("openai", "anthropic")[n % 2], "model": ("m-a", "m-b", "m-c")[n % 3],
        "status": 502 if n % 5 == 0 else 200, "stream": bool(n % 2), "prompt_tokens": n,
        "completion_tokens": 2 * n, "cache_read_tokens": 0, "cache_write_tokens": 0,
        "reasoning_tokens": 0, "attempts": 1, "estimated": False, "cost_usd": n / 1000,
        "list_cost_usd": n / 500, "latency_ms": 10.0,
    }  # fmt: skip


def test_store_queries_page_filter_and_sum_alike_on_both_databases(database_url):
    database = open_database(database_url)
    migrate(database)
    hour = hour_of(utcnow()) - dt.timedelta(hours=3)
    tied = hour + dt.timedelta(minutes=20)  # ten rows share this moment: pages must not skip
    moments = [hour + dt.timedelta(minutes=7 * n) for n in range(20)] + [tied] * 10
    rows = [store_row(moment, n + 1) for n, moment in enumerate(moments)]
    try:
        with database.connection_context():
            insert_usage_rows(rows)
            add_rollups(rollup(rows))
            everything = list_requests(RequestFilter(), limit=100)
            assert len(everything) == 30
            order = [(r.created_at, r.id) for r in everything]
            assert order == sorted(order, reverse=True)  # newest first, ties by id
            paged, before = [], None
            while True:
                page = list_requests(RequestFilter(), before, 4)
                paged += [r.id for r in page]
                if len(page) < 4:
                    break
                before = page[-1].id
            assert paged == [r.id for r in everything]
            assert [r.id for r in iter_requests(RequestFilter(), chunk=3)] == paged
            errors = list_requests(RequestFilter(status="error"), limit=100)
            assert {r.id for r in errors} == {r.id for r in everything if r.status >= 400}
            mixed = RequestFilter(provider="openai", api_key_id=0, status="ok")
            assert {r.id for r in list_requests(mixed, limit=100)} == {
                r.id for r in everything
                if r.provider == "openai" and r.api_key_id is None and r.status < 400
            }  # fmt: skip
            late = RequestFilter(model="m-b", start=hour + dt.timedelta(hours=1))
            assert {r.id for r in list_requests(late, limit=100)} == {
                r.id for r in everything
                if r.model == "m-b" and r.created_at >= hour + dt.timedelta(hours=1)
            }  # fmt: skip
            end = hour + dt.timedelta(hours=4)
            groups = usage_groups(hour, end)
            total = total_of(groups)
            assert (total.requests, total.errors) == (30, sum(r["status"] >= 400 for r in rows))
            assert total.prompt_tokens == sum(r["prompt_tokens"] for r in rows)
            assert total.cost_usd == pytest.approx(sum(r["cost_usd"] for r in rows))
            by_key = dict(breakdown(groups, "key"))
            assert by_key[(0,)].requests == sum(1 for r in rows if r["api_key_id"] is None)
            series = usage_series(hour, end)
            assert sum(t.requests for t in series.values()) == 30
            hours = bucketed(series, hour, end, "hour")
            assert [h for h, _ in hours] == [hour + dt.timedelta(hours=n) for n in range(4)]
            days = bucketed(series, hour, end, "day")
            assert sum(t.requests for _, t in days) == 30
            assert days[0][0] == hour.replace(hour=0)
            spent = sum(r["cost_usd"] for r in rows if r["api_key_id"] == 1)
            assert spent_since(1, hour) == pytest.approx(spent)
            assert spent_since(1, end) == 0
    finally:
        database.close_all()
