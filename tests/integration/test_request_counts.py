"""Request counts on the Combos and API keys pages: each combo's and each key's requests today
(UTC) and in the last 7 days, read with one grouped query per page (store/request_counts.py)."""

from __future__ import annotations

import datetime as dt
import re

import requests

from omniroute.clock import utcnow
from omniroute.store import request_counts
from omniroute.store.request_counts import (
    RequestCounts,
    count_windows,
    requests_per_key,
    requests_per_model_asked,
)
from tests.integration.test_costs_budgets import CHAT, admin_call, bearer, create_key

HX = {"HX-Request": "true"}


def queue_usage(gateway, created_at: dt.datetime, **fields) -> None:
    """A usage row as if a request had run at `created_at` (the writer rolls it up hourly)."""
    row = {
        "created_at": created_at, "endpoint": "chat.completions", "format_in": "openai",
        "format_out": "openai", "api_key_id": None, "provider": "openai",
        "connection_id": None, "requested_model": "openai/gpt-4o-mini", "model": "gpt-4o-mini",
        "status": 200, "stream": False, "prompt_tokens": 10, "completion_tokens": 5,
        "cache_read_tokens": 0, "cache_write_tokens": 0, "reasoning_tokens": 0,
        "attempts": 1, "attempt_chain": None, "estimated": False, "cost_usd": 0.0,
        "list_cost_usd": 0.0, "latency_ms": 50.0, "ttft_ms": None, "error": None, **fields,
    }  # fmt: skip
    gateway.services.usage.submit(row)


def past_moments() -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """(yesterday, 5 days ago, 10 days ago): in the week but not today, and outside the week."""
    today, _ = count_windows(utcnow())
    return (
        today - dt.timedelta(hours=1),
        today - dt.timedelta(days=5),
        today - dt.timedelta(days=10),
    )


def row_cells(page: str, marker: str) -> str:
    match = re.search(rf"<tr {marker}.*?</tr>", page, re.S)
    assert match, marker
    return match.group(0)


def test_each_key_shows_its_requests_today_and_this_week(connected):
    busy, quiet = create_key(connected, "busy"), create_key(connected, "quiet")
    for _ in range(3):
        sent = requests.post(connected.v1 + "/chat/completions", json=CHAT, headers=bearer(busy))
        assert sent.status_code == 200
    yesterday, days_ago, long_ago = past_moments()
    for moment in (yesterday, days_ago, long_ago):
        queue_usage(connected, moment, api_key_id=busy["id"])
    queue_usage(connected, days_ago, api_key_id=quiet["id"])
    connected.flush_usage()

    with connected.admin() as admin:
        for page in (
            admin.get(connected.url + "/keys").text,
            admin.get(connected.url + "/keys", headers=HX).text,
        ):
            busy_row = row_cells(page, f'data-key-id="{busy["id"]}"')
            quiet_row = row_cells(page, f'data-key-id="{quiet["id"]}"')
            assert re.search(r"data-requests-today>\s*3\s*<", busy_row)
            assert re.search(r"data-requests-week>\s*5\s*<", busy_row)  # 3 + yesterday + 5 d
            assert re.search(r"data-requests-today>\s*0\s*<", quiet_row)
            assert re.search(r"data-requests-week>\s*1\s*<", quiet_row)


def test_each_combo_shows_its_requests_today_and_this_week(connected):
    for name in ("daily", "idle"):
        made = admin_call(
            connected, "POST", "/api/combos", json={"name": name, "models": ["openai/gpt-4o-mini"]}
        )
        assert made.status_code == 201, made.text
    for _ in range(2):
        sent = requests.post(connected.v1 + "/chat/completions", json={**CHAT, "model": "daily"})
        assert sent.status_code == 200
    yesterday, days_ago, long_ago = past_moments()
    for moment in (yesterday, days_ago, long_ago):
        queue_usage(connected, moment, requested_model="daily")
    connected.flush_usage()

    with connected.admin() as admin:
        page = admin.get(connected.url + "/combos").text
        fragment = admin.get(connected.url + "/combos", headers=HX).text
    for shown in (page, fragment):
        daily = re.search(r'data-combo="daily".*?</article>', shown, re.S).group(0)
        idle = re.search(r'data-combo="idle".*?</article>', shown, re.S).group(0)
        assert "2 today · 4 in 7 days" in daily
        assert "0 today · 0 in 7 days" in idle


def test_counts_are_one_grouped_query_each(connected, monkeypatch):
    keys = [create_key(connected, f"key-{n}") for n in range(4)]
    now = utcnow()
    for key in keys:
        queue_usage(connected, now, api_key_id=key["id"])
        queue_usage(connected, now, requested_model=f"combo-{key['id']}")
    connected.flush_usage()
    database = connected.services.database
    statements: list[str] = []
    original = database.execute_sql

    def counted(sql, *args, **kwargs):
        statements.append(sql)
        return original(sql, *args, **kwargs)

    monkeypatch.setattr(database, "execute_sql", counted)
    with database.connection_context():
        per_key = requests_per_key(now)
        per_combo = requests_per_model_asked([f"combo-{k['id']}" for k in keys] + ["none"], now)
    assert len(statements) == 2
    assert all(per_key[k["id"]] == RequestCounts(1, 1) for k in keys)
    assert per_combo == {f"combo-{k['id']}": RequestCounts(1, 1) for k in keys}
    assert request_counts.requests_per_model_asked([], now) == {}
