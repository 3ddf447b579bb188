"""Dashboard home: today's requests, tokens, errors and spend with their last 24 hours
(daily.py), and the latest requests with each one's attempt chain (every upstream call it made,
in order), so a user sees why a request fell back. htmx polls the figures and the latest
requests (partials/dashboard/usage.html); the full page adds the rest of the daily view."""

from __future__ import annotations

import datetime as dt
import json

from flask import Blueprint, current_app, render_template, request

from ...clock import utcnow
from ...store.usage_queries import recent_usage, usage_summary_since
from ..guard import login_answer, public
from ..oauth.cards import cards
from .daily import daily_view, kpis
from .onboarding import onboarding_steps

bp = Blueprint("dashboard", __name__)


def is_fragment_request() -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-Boosted")


@bp.app_template_filter("attempt_steps")
def attempt_steps(text: str | None) -> list[dict]:
    """A usage row's attempt chain (JSON text) as a list of steps; [] when there is none."""
    try:
        steps = json.loads(text) if text else []
    except ValueError:
        return []
    if not isinstance(steps, list):
        return []
    return [step for step in steps if isinstance(step, dict)]


def start_of_today_utc() -> dt.datetime:
    now = dt.datetime.now(dt.UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)


@bp.route("/", methods=["GET", "HEAD"])
@public  # HEAD only; GET asks for the login below
def home():
    if request.method == "HEAD":  # the liveness probe Claude Code sends; no login needed
        return "", 200
    return login_answer() or _home()


def _home():
    summary = usage_summary_since(start_of_today_utc())
    context = {"summary": summary, "kpis": kpis(utcnow(), summary), "recent": recent_usage(20)}
    if is_fragment_request():
        return render_template("partials/dashboard/usage.html", **context)
    services = current_app.extensions["omniroute"]
    subscriptions = [card for card in cards() if card["accounts"]]
    return render_template(
        "dashboard/home.html",
        subscriptions=subscriptions,
        steps=onboarding_steps(services),
        **daily_view(services),
        **context,
    )
