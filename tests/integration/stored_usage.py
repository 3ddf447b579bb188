"""Usage rows written through a gateway's own usage writer (rows and hourly rollups, as a
request would leave them), at any moment in the past: for the daily views' tests."""

from __future__ import annotations

import datetime as dt

ROW_DEFAULTS = {
    "endpoint": "chat.completions", "format_in": "openai", "format_out": "openai",
    "api_key_id": None, "provider": "openai", "connection_id": None,
    "requested_model": "openai/gpt-4o", "model": "gpt-4o", "status": 200, "stream": False,
    "prompt_tokens": 100, "completion_tokens": 10, "cache_read_tokens": 0,
    "cache_write_tokens": 0, "reasoning_tokens": 0, "attempts": 1, "attempt_chain": None,
    "estimated": False, "cost_usd": 0.0, "list_cost_usd": 0.0, "latency_ms": 100.0,
    "ttft_ms": None, "error": None,
}  # fmt: skip


def usage_row(created_at: dt.datetime, **fields) -> dict:
    return {**ROW_DEFAULTS, "created_at": created_at, **fields}


def store_usage(gateway, rows: list[dict]) -> None:
    """Queue `rows` to the gateway's usage writer and wait until they are saved."""
    for row in rows:
        gateway.services.usage.submit(dict(row))
    gateway.flush_usage()
