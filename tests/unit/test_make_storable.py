"""Bad values in a usage row are made storable before it is queued: each kind of column fixed,
defaults filled, a clean row kept as it is. The writer saving every good row on SQLite and
PostgreSQL: tests/e2e/test_usage_writer_recovery.py."""

from __future__ import annotations

import math

import pytest

from omniroute.clock import utcnow
from omniroute.store.models import UsageRecord
from omniroute.store.usage_storable import INT_MAX, make_storable
from omniroute.usage.trace import RequestTrace


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("model", "gpt\x00\x1b\x85-4o\ud83d", "gpt\ufffd\ufffd\ufffd-4o\ufffd"),
        ("endpoint", "e" * 100, "e" * UsageRecord.endpoint.max_length),
        ("request_id", 12345, "12345"),
        ("model", "модель-☃", "модель-☃"),
        ("error", "line 1\nline 2\ttab", "line 1\nline 2\ttab"),
        ("prompt_tokens", 1.9e30, INT_MAX),
        ("prompt_tokens", "12", 12),
        ("prompt_tokens", "lots", 0),
        ("status", math.nan, 0),
        ("cost_usd", -math.inf, 0.0),
        ("cost_usd", 10**400, 0.0),
        ("cost_usd", 3, 3),
        ("ttft_ms", math.nan, None),
        ("stream", 1, True),
    ],
)
def test_make_storable_fixes_each_kind_of_column(column, value, expected):
    row = make_storable({column: value})
    assert row[column] == expected and type(row[column]) is type(expected)


def test_make_storable_fills_the_defaults_of_columns_that_refuse_null():
    row = make_storable({"endpoint": "embeddings", "status": 200, "cost_usd": None})
    assert row["stream"] is False and row["prompt_tokens"] == 0 and row["cost_usd"] == 0
    assert row["created_at"] <= utcnow()


def test_make_storable_keeps_a_clean_row_as_it_is():
    trace = RequestTrace(endpoint="chat.completions", format_in="openai", api_key_id=3)
    trace.provider, trace.model, trace.status, trace.request_id = "openai", "gpt-4o", 200, "r1"
    trace.attempt_chain = [{"provider": "openai", "model": "gpt-4o", "status": 200}]
    row = {**trace.to_row(), "cost_usd": 0.5, "list_cost_usd": 0.5}
    before = dict(row)
    assert make_storable(row) is row and row == before
