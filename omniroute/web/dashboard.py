"""Dashboard home: today's requests, tokens and errors, and the latest requests."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template, request
from flask_login import login_required

from ..store.usage_queries import recent_usage, usage_summary_since

bp = Blueprint("dashboard", __name__)


def is_fragment_request() -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-Boosted")


def start_of_today_utc() -> dt.datetime:
    now = dt.datetime.now(dt.UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)


@bp.route("/", methods=["GET", "HEAD"])
def home():
    if request.method == "HEAD":  # the liveness probe Claude Code sends; no login needed
        return "", 200
    return _home()


@login_required
def _home():
    context = {"summary": usage_summary_since(start_of_today_utc()), "recent": recent_usage(20)}
    if is_fragment_request():
        return render_template("partials/dashboard/usage.html", **context)
    return render_template("dashboard/home.html", **context)
