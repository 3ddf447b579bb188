"""Management API for usage: GET /api/usage/summary, GET /api/usage/requests and
GET /api/usage/export.csv (the Usage page reads the same functions).

summary ?from=&to=&groupBy=provider|model|key&bucket=hour|day: totals, a time series (every
bucket of the range, empty ones too) and a breakdown, all from the hourly rollups. `from`/`to`
are ISO 8601 dates or times in UTC; a date as `to` includes that day; times are widened to
whole hours. Default: the last 24 hours; the bucket defaults to hours up to two days, else days.

requests ?provider=&model=&keyId=&status=ok|error&from=&to=&before=&limit=: usage rows newest
first, `limit` (1–500, default 50) at a time; `nextBefore` is the `before` of the next page
(null on the last). keyId=0 means requests made without a key. export.csv takes the same filters
and streams every matching row as CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass

from flask import Blueprint, Response, jsonify, request
from flask_babel import lazy_gettext as _l

from ...clock import utcnow
from ...store.api_keys import list_api_keys
from ...store.usage_queries import STATUS_FILTERS, RequestFilter, iter_requests, list_requests
from ...store.usage_rollups import hour_of
from ...store.usage_totals import (
    GROUP_BY,
    UsageTotals,
    breakdown,
    bucketed,
    total_of,
    usage_groups,
    usage_series,
)
from ..providers.connection_form import FieldError
from ..request_limits import MAX_ID
from ..security import field_error

bp = Blueprint("usage", __name__, url_prefix="/usage")

HOUR, DAY = dt.timedelta(hours=1), dt.timedelta(days=1)
BUCKETS = ("hour", "day")
PAGE_SIZE, MAX_PAGE_SIZE = 50, 500
MAX_SPAN = dt.timedelta(days=3660)
MAX_HOURLY_SPAN = dt.timedelta(days=62)
CSV_COLUMNS = (
    "id", "created_at", "api_key_id", "api_key_name", "endpoint", "format_in", "format_out",
    "provider", "requested_model", "model", "status", "stream", "prompt_tokens",
    "completion_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens",
    "cost_usd", "list_cost_usd", "estimated", "latency_ms", "ttft_ms", "attempts",
    "attempt_chain", "error",
)  # fmt: skip


@dataclass(frozen=True)
class TimeRange:
    start: dt.datetime  # whole hours, UTC, [start, end)
    end: dt.datetime
    bucket: str  # "hour" or "day"


def parse_moment(value: str, name: str, upper: bool = False) -> dt.datetime:
    """An ISO date or time (UTC unless it says otherwise) as naive UTC; a date as an upper
    bound means the end of that day."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
            return day + DAY if upper else day
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is not None:
            moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
        return moment
    except (ValueError, OverflowError):
        raise FieldError(name, _l("must be an ISO 8601 date or time")) from None


def ceil_hour(moment: dt.datetime) -> dt.datetime:
    floor = hour_of(moment)
    return floor if floor == moment else floor + HOUR


def default_bucket(start: dt.datetime, end: dt.datetime) -> str:
    return "hour" if end - start <= 2 * DAY else "day"


def time_range(start: dt.datetime | None, end: dt.datetime | None, bucket: str | None = None):
    """A TimeRange on whole hours (default: the last 24 hours, this one included)."""
    try:
        end = ceil_hour(end) if end is not None else hour_of(utcnow()) + HOUR
        start = hour_of(start) if start is not None else end - DAY
    except OverflowError:
        raise FieldError("to", _l("must be an ISO 8601 date or time")) from None
    if start >= end:
        raise FieldError("from", _l("must be before 'to'"))
    if end - start > MAX_SPAN:
        raise FieldError("from", _l("the range may span at most ten years"))
    if bucket is not None and bucket not in BUCKETS:
        raise FieldError("bucket", _l("must be one of: %(names)s", names=", ".join(BUCKETS)))
    if bucket == "hour" and end - start > MAX_HOURLY_SPAN:
        raise FieldError("bucket", _l("hourly buckets are for ranges of at most 62 days"))
    return TimeRange(start, end, bucket or default_bucket(start, end))


def range_from_args(args) -> TimeRange:
    start = parse_moment(args["from"], "from") if args.get("from") else None
    end = parse_moment(args["to"], "to", upper=True) if args.get("to") else None
    return time_range(start, end, args.get("bucket") or None)


def stored_id(text: str) -> int | None:
    """ASCII digits naming a number a database id can hold (0 … MAX_ID), as that number."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def parse_filter(args) -> RequestFilter:
    """The request log's filters from query arguments (FieldError names a bad one)."""
    key = args.get("keyId", "").strip()
    key_id = stored_id(key) if key else None
    if key and key_id is None:
        raise FieldError("keyId", _l("must be an API key id (0: requests without a key)"))
    status = args.get("status", "").strip() or None
    if status is not None and status not in STATUS_FILTERS:
        raise FieldError("status", _l("must be one of: %(names)s", names=", ".join(STATUS_FILTERS)))
    start = parse_moment(args["from"], "from") if args.get("from") else None
    end = parse_moment(args["to"], "to", upper=True) if args.get("to") else None
    return RequestFilter(
        provider=args.get("provider", "").strip() or None,
        model=args.get("model", "").strip() or None,
        api_key_id=key_id,
        status=status,
        start=start,
        end=end,
    )


def parse_page(args) -> tuple[int | None, int]:
    before, limit = args.get("before", "").strip(), args.get("limit", "").strip()
    before_id = stored_id(before) if before else None
    if before and before_id is None:
        raise FieldError("before", _l("must be a usage row id"))
    page_size = stored_id(limit) if limit else PAGE_SIZE
    if page_size is None or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise FieldError("limit", _l("must be a number from 1 to %(most)d", most=MAX_PAGE_SIZE))
    return before_id, page_size


def stamp(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat() + "Z"


def totals_json(totals: UsageTotals) -> dict:
    return {
        "requests": totals.requests,
        "errors": totals.errors,
        "promptTokens": totals.prompt_tokens,
        "completionTokens": totals.completion_tokens,
        "cacheReadTokens": totals.cache_read_tokens,
        "cacheWriteTokens": totals.cache_write_tokens,
        "reasoningTokens": totals.reasoning_tokens,
        "totalTokens": totals.total_tokens,
        "costUsd": round(totals.cost_usd, 10),
        "listCostUsd": round(totals.list_cost_usd, 10),
        "savedUsd": round(totals.saved_usd, 10),
        "avgLatencyMs": round(totals.avg_latency_ms, 1),
    }


def key_names() -> dict[int, str]:
    return {key.id: key.name for key in list_api_keys()}


def group_json(group: tuple, group_by: str, names: dict[int, str]) -> dict:
    if group_by == "key":
        return {"keyId": group[0], "keyName": names.get(group[0]) if group[0] else None}
    if group_by == "model":
        return {"provider": group[0], "model": group[1]}
    return {"provider": group[0]}


def summary(span: TimeRange, group_by: str) -> dict:
    groups = usage_groups(span.start, span.end)
    series = bucketed(usage_series(span.start, span.end), span.start, span.end, span.bucket)
    names = key_names()
    return {
        "from": stamp(span.start),
        "to": stamp(span.end),
        "bucket": span.bucket,
        "groupBy": group_by,
        "totals": totals_json(total_of(groups)),
        "series": [{"start": stamp(start), **totals_json(t)} for start, t in series],
        "groups": [
            {**group_json(group, group_by, names), **totals_json(totals)}
            for group, totals in breakdown(groups, group_by)
        ],
    }


def chain_steps(text: str | None) -> list[dict]:
    try:
        steps = json.loads(text) if text else []
    except ValueError:
        return []
    return [step for step in steps if isinstance(step, dict)] if isinstance(steps, list) else []


def chain_text(text: str | None) -> str:
    """ "provider·account status → …", as the dashboard shows an attempt chain."""
    return " → ".join(
        f"{s.get('provider')}·{s.get('account')} {s.get('status')}" for s in chain_steps(text)
    )


def request_json(row, names: dict[int, str]) -> dict:
    return {
        "id": row.id,
        "createdAt": stamp(row.created_at),
        "requestId": row.request_id,
        "keyId": row.api_key_id,
        "keyName": names.get(row.api_key_id) if row.api_key_id else None,
        "endpoint": row.endpoint,
        "formatIn": row.format_in,
        "formatOut": row.format_out,
        "provider": row.provider,
        "requestedModel": row.requested_model,
        "model": row.model,
        "status": row.status,
        "stream": bool(row.stream),
        "promptTokens": row.prompt_tokens,
        "completionTokens": row.completion_tokens,
        "cacheReadTokens": row.cache_read_tokens,
        "cacheWriteTokens": row.cache_write_tokens,
        "reasoningTokens": row.reasoning_tokens,
        "costUsd": row.cost_usd,
        "listCostUsd": row.list_cost_usd,
        "estimated": bool(row.estimated),
        "latencyMs": row.latency_ms,
        "ttftMs": row.ttft_ms,
        "attempts": row.attempts,
        "attemptChain": chain_steps(row.attempt_chain),
        "error": row.error,
    }


def _cell(value) -> str:
    """Text that a spreadsheet would run as a formula is quoted."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_lines(wanted: RequestFilter, names: dict[int, str]):
    """The export, a few hundred rows per chunk, read from the database as it is sent."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for count, row in enumerate(iter_requests(wanted), 1):
        key_name = None if row.api_key_id is None else names.get(row.api_key_id)
        writer.writerow(
            [
                row.id, stamp(row.created_at), row.api_key_id,
                _cell(key_name), row.endpoint, row.format_in, row.format_out,
                _cell(row.provider), _cell(row.requested_model), _cell(row.model), row.status,
                int(bool(row.stream)), row.prompt_tokens, row.completion_tokens,
                row.cache_read_tokens, row.cache_write_tokens, row.reasoning_tokens,
                f"{row.cost_usd:.10f}", f"{row.list_cost_usd:.10f}", int(bool(row.estimated)),
                row.latency_ms, row.ttft_ms, row.attempts, _cell(chain_text(row.attempt_chain)),
                _cell(row.error),
            ]
        )  # fmt: skip
        if count % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_response(wanted: RequestFilter) -> Response:
    name = "omniroute-usage-" + utcnow().strftime("%Y%m%d-%H%M%S") + ".csv"
    return Response(
        csv_lines(wanted, key_names()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/summary")
def get_summary():
    group_by = request.args.get("groupBy", "provider")
    try:
        if group_by not in GROUP_BY:
            raise FieldError("groupBy", _l("must be one of: %(names)s", names=", ".join(GROUP_BY)))
        span = range_from_args(request.args)
    except FieldError as error:
        return field_error(error.field, error.message)
    return jsonify(summary(span, group_by))


@bp.get("/requests")
def get_requests():
    try:
        wanted = parse_filter(request.args)
        before, limit = parse_page(request.args)
    except FieldError as error:
        return field_error(error.field, error.message)
    rows = list_requests(wanted, before, limit + 1)
    names = key_names()
    more = len(rows) > limit
    rows = rows[:limit]
    return jsonify(
        {
            "data": [request_json(row, names) for row in rows],
            "nextBefore": rows[-1].id if more else None,
        }
    )


@bp.get("/export.csv")
def export_csv():
    try:
        wanted = parse_filter(request.args)
    except FieldError as error:
        return field_error(error.field, error.message)
    return export_response(wanted)
