"""Dashboard Usage pages: the overview (totals, charts per hour or day, breakdowns by provider,
model and API key, all read from the hourly rollups) and the request log (usage rows newest
first with filters, keyset pages and a CSV export of the filtered log).

The range picker (24 h, 7 d, 30 d, or custom dates) and the log's filters are plain GET forms
and links, so both pages work without JavaScript; with htmx they swap only the report or the
log and push the URL. Charts are inline SVG drawn here: no chart library, no script.
A request's detail (GET /usage/requests/<reference>) is the log's drawer fragment with htmx and
a full page without it (request_detail.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...clock import utcnow
from ...store.api_keys import list_api_keys
from ...store.usage_queries import list_requests
from ...store.usage_rollups import hour_of
from ...store.usage_totals import (
    UsageTotals,
    breakdown,
    bucketed,
    total_of,
    usage_groups,
    usage_series,
)
from ..dashboard.pages import is_fragment_request
from ..error_boundaries import error_page
from ..formatting import hour_minute, month_day, thousands, usd
from ..providers.connection_form import FieldError
from .api import (
    DAY,
    HOUR,
    PAGE_SIZE,
    TimeRange,
    parse_filter,
    parse_moment,
    parse_page,
    time_range,
)
from .request_detail import request_detail

bp = Blueprint("usage", __name__, url_prefix="/usage")

PRESETS = {"24h": _l("24 h"), "7d": _l("7 d"), "30d": _l("30 d"), "custom": _l("Custom")}
MAX_PAGE_SPAN = dt.timedelta(days=366)
SUGGESTION_DAYS = 7  # the log's provider and model suggestions: what was used this week
CHART_WIDTH, CHART_HEIGHT = 600, 120
TITLED_BARS = 100  # up to this many bars each get a tooltip; more are drawn as one path


# -- the range picker ----------------------------------------------------------------------------


def preset_range(preset: str, now: dt.datetime) -> TimeRange:
    if preset == "24h":
        return time_range(None, None, "hour")
    tomorrow = now.replace(hour=0, minute=0, second=0, microsecond=0) + DAY
    days = 7 if preset == "7d" else 30
    return time_range(tomorrow - days * DAY, tomorrow, "day")


def page_range(args) -> tuple[str, TimeRange, dict]:
    """(preset, range, errors) from ?range=&from=&to= (dates, both days included). A bad custom
    range names its field and shows the last 24 hours meanwhile."""
    preset = args.get("range", "24h")
    if preset not in PRESETS:
        preset = "24h"
    if preset != "custom":
        return preset, preset_range(preset, utcnow()), {}
    try:
        start = _date(args, "from", _("Pick a start date."))
        end = _date(args, "to", _("Pick an end date."), upper=True)
        if end <= start:
            raise FieldError("to", _("The end date must not be before the start date."))
        if end - start > MAX_PAGE_SPAN:
            raise FieldError("to", _("Pick at most 366 days."))
        return preset, time_range(start, end), {}
    except FieldError as error:
        return preset, preset_range("24h", utcnow()), {error.field: error.message}


def _date(args, name: str, message, upper: bool = False) -> dt.datetime:
    try:
        return parse_moment(args.get(name, ""), name, upper)
    except FieldError:
        raise FieldError(name, message) from None


# -- charts --------------------------------------------------------------------------------------


@dataclass
class Bar:
    x: float
    width: float
    title: str
    segments: list[tuple[float, float, str]]  # (y, height, css class), bottom first

    @property
    def visible(self) -> bool:
        return any(height > 0 for _y, height, _css in self.segments)


@dataclass
class Chart:
    key: str
    title: str
    peak: str
    bars: list[Bar]
    ticks: list[tuple[float, str]]
    summary: str
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    legend: list[tuple[str, str]] = field(default_factory=list)  # (css class, label)

    @property
    def classes(self) -> list[str]:
        return list(dict.fromkeys(css for b in self.bars for _y, _h, css in b.segments))

    @property
    def titled(self) -> bool:
        return len(self.bars) <= TITLED_BARS

    def path(self, css: str) -> str:
        """Every segment of class `css` as one SVG path (for charts with many bars)."""
        return "".join(
            f"M{b.x:.1f} {y:.1f}h{b.width:.1f}v{h:.1f}h{-b.width:.1f}z"
            for b in self.bars
            for y, h, c in b.segments
            if c == css and h > 0
        )


def bucket_label(start: dt.datetime, bucket: str) -> str:
    return hour_minute(start) if bucket == "hour" else month_day(start)


def build_chart(key, title, series, parts, span: TimeRange, fmt, legend=()) -> Chart:
    """A bar chart of `series` [(bucket start, totals)]; `parts` [(css class, totals → value)]
    are stacked bottom up."""
    values = [[value(t) for _css, value in parts] for _start, t in series]
    peak = max((sum(v) for v in values), default=0)
    scale = (CHART_HEIGHT - 4) / (peak or 1)
    slot = CHART_WIDTH / max(1, len(series))
    width = max(1.0, slot * 0.8)
    bars = []
    for index, ((start, _totals), stack) in enumerate(zip(series, values, strict=True)):
        bottom, segments = CHART_HEIGHT, []
        for (css, _value), amount in zip(parts, stack, strict=True):
            height = amount * scale
            bottom -= height
            segments.append((round(bottom, 1), round(height, 1), css))
        label = f"{start:%Y-%m-%d %H:%M}" if span.bucket == "hour" else f"{start:%Y-%m-%d}"
        bars.append(
            Bar(index * slot + (slot - width) / 2, width, f"{label}: {fmt(sum(stack))}", segments)
        )
    step = max(1, len(series) // 6)
    ticks = [
        (index * slot + slot / 2, bucket_label(start, span.bucket))
        for index, (start, _t) in enumerate(series)
        if index % step == 0
    ]
    total = fmt(sum(sum(v) for v in values))
    summary = _(
        "%(title)s: %(total)s in total, at most %(peak)s per %(bucket)s.",
        title=title,
        total=total,
        peak=fmt(peak),
        bucket=_("hour") if span.bucket == "hour" else _("day"),
    )
    return Chart(key, str(title), fmt(peak), bars, ticks, summary, legend=list(legend))


def charts(series: list[tuple[dt.datetime, UsageTotals]], span: TimeRange) -> list[Chart]:
    ok = ("bar", lambda t: t.requests - t.errors)
    failed = ("bar-error", lambda t: t.errors)
    prompt = ("bar", lambda t: t.prompt_tokens)
    completion = ("bar-alt", lambda t: t.completion_tokens)
    return [
        build_chart(
            "requests",
            _("Requests"),
            series,
            [ok, failed],
            span,
            thousands,
            [("bar", _("answered")), ("bar-error", _("errors"))],
        ),
        build_chart(
            "tokens",
            _("Tokens"),
            series,
            [prompt, completion],
            span,
            thousands,
            [("bar", _("input")), ("bar-alt", _("output"))],
        ),
        build_chart("cost", _("Cost"), series, [("bar", lambda t: t.cost_usd)], span, usd),
    ]


# -- views ---------------------------------------------------------------------------------------


def report_context(args) -> dict:
    preset, span, errors = page_range(args)
    groups = usage_groups(span.start, span.end)
    series = bucketed(usage_series(span.start, span.end), span.start, span.end, span.bucket)
    return {
        "preset": preset,
        "presets": PRESETS,
        "span": span,
        "last_hour": span.end - HOUR,
        "custom_from": args.get("from", ""),
        "custom_to": args.get("to", ""),
        "errors": errors,
        "totals": total_of(groups),
        "charts": charts(series, span),
        "by_provider": breakdown(groups, "provider"),
        "by_model": breakdown(groups, "model"),
        "by_key": breakdown(groups, "key"),
        "key_names": {key.id: key.name for key in list_api_keys()},
    }


@bp.get("")
def index():
    context = report_context(request.args)
    if is_fragment_request():
        return render_template("partials/usage/report.html", **context)
    return render_template("usage/index.html", **context), 400 if context["errors"] else 200


def log_context(args) -> tuple[dict, int]:
    errors, status = {}, 200
    try:
        wanted = parse_filter(args)
        before, limit = parse_page(args)
    except FieldError as error:
        errors, status = {error.field: error.message}, 400
        wanted, before, limit = parse_filter({}), None, PAGE_SIZE
    rows = list_requests(wanted, before, limit + 1)
    now = utcnow()
    recent = usage_groups(hour_of(now) - SUGGESTION_DAYS * DAY, hour_of(now) + HOUR)
    filters = {
        name: args.get(name, "") for name in ("provider", "model", "keyId", "status", "from", "to")
    }
    keys = list_api_keys()
    return {
        "rows": rows[:limit],
        "older": rows[limit - 1].id if len(rows) > limit else None,
        "paged": before is not None,
        "filters": filters,
        "active_filters": {k: v for k, v in filters.items() if v},
        "errors": errors,
        "keys": keys,
        "key_names": {key.id: key.name for key in keys},
        "provider_options": sorted({g.provider for g in recent if g.provider}),
        "model_options": sorted({g.model for g in recent if g.model}),
    }, status


@bp.get("/requests")
def requests_log():
    context, status = log_context(request.args)
    if is_fragment_request():
        return render_template("partials/usage/log.html", **context)
    return render_template("usage/requests.html", **context), status


@bp.get("/requests/<reference>")
def request_page(reference: str):
    """One request's detail: the drawer's fragment with htmx, else a page (404 when unknown)."""
    detail = request_detail(reference)
    if is_fragment_request():
        return render_template("partials/usage/request_detail.html", detail=detail), (
            200 if detail else 404
        )
    if detail is None:
        return error_page(404, _("No request with this id: it may have been pruned."))
    return render_template("usage/request_detail.html", detail=detail)
