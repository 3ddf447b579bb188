"""GET /api/costs/export?format=csv|json&days=N: the cost rows of the last N days (today and the
N - 1 before it, UTC), one per hour, API key, provider and model, read from the hourly rollups
and streamed as they are read.

CSV follows RFC 4180 (a header row, CRLF line ends, fields quoted when they hold a comma, quote
or line break; a text cell that a spreadsheet would run as a formula is prefixed with '); JSON
is `{"days", "start", "end", "data": [...]}` with the API's camelCase names. A bad format or
day count is a 400 naming the field."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator

from flask import Blueprint, Response, request

from ...clock import utcnow
from ...store.usage_rollups import hour_of
from ...store.usage_series import CostRow, iter_cost_rows
from ..security import field_error
from ..usage.api import _cell, key_names, stamp
from .overview import day_start

bp = Blueprint("costs_export", __name__, url_prefix="/costs")

FORMATS = ("csv", "json")
MAX_DAYS = 366
DEFAULT_DAYS = 30
CHUNK_ROWS = 200
COLUMNS = (
    "hour", "apiKeyId", "apiKeyName", "provider", "model", "requests", "errors",
    "promptTokens", "completionTokens", "costUsd", "listCostUsd",
)  # fmt: skip


def row_json(row: CostRow, names: dict[int, str]) -> dict:
    values = (
        stamp(row.hour), row.api_key_id or None, names.get(row.api_key_id), row.provider,
        row.model, row.requests, row.errors, row.prompt_tokens, row.completion_tokens,
        round(row.cost_usd, 10), round(row.list_cost_usd, 10),
    )  # fmt: skip
    return dict(zip(COLUMNS, values, strict=True))


def csv_chunks(rows: Iterator[CostRow], names: dict[int, str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for count, row in enumerate(rows, 1):
        item = row_json(row, names)
        item["costUsd"], item["listCostUsd"] = f"{row.cost_usd:.10f}", f"{row.list_cost_usd:.10f}"
        for text in ("apiKeyName", "provider", "model"):
            item[text] = _cell(item[text])
        writer.writerow(item.values())
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks(rows: Iterator[CostRow], names: dict[int, str], head: dict) -> Iterator[str]:
    yield json.dumps(head)[:-1] + ', "data": ['
    for count, row in enumerate(rows):
        yield ("," if count else "") + json.dumps(row_json(row, names))
    yield "]}"


@bp.get("/export")
def export_costs():
    kind = request.args.get("format", "csv")
    if kind not in FORMATS:
        return field_error("format", "must be csv or json")
    days_text = request.args.get("days", str(DEFAULT_DAYS))
    if not days_text.isdecimal() or not 1 <= int(days_text) <= MAX_DAYS:
        return field_error("days", f"must be a whole number of days from 1 to {MAX_DAYS}")
    days, now = int(days_text), utcnow()
    start, end = day_start(now, days - 1), hour_of(now) + dt.timedelta(hours=1)
    rows, names = iter_cost_rows(start, end), key_names()
    name = f"omniroute-costs-{now:%Y%m%d-%H%M%S}-{days}d.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if kind == "csv":
        return Response(csv_chunks(rows, names), mimetype="text/csv", headers=headers)
    head = {"days": days, "start": stamp(start), "end": stamp(end)}
    return Response(json_chunks(rows, names, head), mimetype="application/json", headers=headers)
