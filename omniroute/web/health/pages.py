"""Dashboard Health page (/dashboard/health): six cards built from the health report — system
status, provider health (breakers), rate limits (resting accounts and queues), active lockouts,
the signature cache and latency telemetry — with resets and unlocks — and, drawn once with the
page, each provider's median latency and error rate over the last 24 hours (trends.py).

The cards are one fragment (partials/health/cards.html) that the page includes and htmx polls
every 10 s (`hx-get` + `hx-trigger="every 10s"`); without JavaScript the page simply does not
refresh itself. `?refresh=<seconds>` (1–3600) sets another polling interval, e.g. for a test or
a wall display. Resets and unlocks are CSRF-protected POST forms: post/redirect/get without
JavaScript, the refreshed fragment under htmx. They call the same function as
`POST /api/resilience/reset`, and the cards read the same report as `GET /api/health`.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...clock import utcnow
from ..dashboard.pages import is_fragment_request
from ..formatting import clock
from ..resilience.api import reset_resilience
from .report import health_report
from .trends import provider_trends

bp = Blueprint("health", __name__, url_prefix="/dashboard/health")

DEFAULT_REFRESH_SECONDS = 10
MAX_REFRESH_SECONDS = 3600
LOCKOUT_KINDS = {"login": _l("Dashboard login"), "apiKey": _l("API key (/v1)")}


def refresh_seconds() -> int:
    """The polling interval: ?refresh=<seconds> (1–3600), else 10."""
    value = request.values.get("refresh", "")
    if value.isdecimal() and 1 <= int(value) <= MAX_REFRESH_SECONDS:
        return int(value)
    return DEFAULT_REFRESH_SECONDS


def _refresh_arg() -> int | None:
    """?refresh for links back to the page: only when it is not the default."""
    seconds = refresh_seconds()
    return None if seconds == DEFAULT_REFRESH_SECONDS else seconds


def account_key_from_form(text: str):
    """A stored connection's id (a number) or a provider node's key (`node:<prefix>`)."""
    text = text.strip()
    return int(text) if text.isdecimal() else text


def done_message(done: str, name: str) -> str | None:
    if done == "all":
        return _("Every breaker, rest and backoff was reset.")
    if done == "provider":
        return _("The breaker of %(provider)s was reset.", provider=name)
    if done == "account":
        return _("The account %(account)s may be used again.", account=name)
    if done == "unlock":
        return _("%(identifier)s was unlocked.", identifier=name)
    return None


def _cards_context(**context) -> dict:
    return {
        "report": health_report(current_app.extensions["omniroute"]),
        "refresh": refresh_seconds(),
        "refresh_arg": _refresh_arg(),
        "lockout_kinds": LOCKOUT_KINDS,
        "updated_at": clock(utcnow()),
        "message": None,
        "problem": None,
        **context,
    }


def _render(status: int = 200, **context):
    """The cards for htmx (polling, or after an action: always 200 so htmx swaps), else the page."""
    if is_fragment_request():
        return render_template("partials/health/cards.html", **_cards_context(**context))
    context = _cards_context(trends=provider_trends(), **context)
    return render_template("health/index.html", **context), status


@bp.get("")
def index():
    message = done_message(request.args.get("done", ""), request.args.get("name", ""))
    return _render(message=message)


def _act(body: dict, done: str, name: str):
    problem = reset_resilience(body)
    if problem:
        return _render(400, problem=problem)
    if is_fragment_request():
        return _render(message=done_message(done, name))
    return redirect(url_for(".index", done=done, name=name or None, refresh=_refresh_arg()))


@bp.post("/reset")
def reset_all():
    return _act({}, "all", "")


@bp.post("/reset/provider")
def reset_provider():
    provider = request.form.get("provider", "").strip()
    if not provider:
        return _render(400, problem=_("Choose a provider to reset."))
    return _act({"provider": provider}, "provider", provider)


@bp.post("/reset/account")
def reset_account():
    account = request.form.get("account", "").strip()
    if not account:
        return _render(400, problem=_("Choose an account to reset."))
    name = request.form.get("name", "").strip() or account
    return _act({"account": account_key_from_form(account)}, "account", name)


@bp.post("/unlock")
def unlock():
    kind = request.form.get("kind", "")
    identifier = request.form.get("identifier", "").strip()
    if kind not in LOCKOUT_KINDS or not identifier:
        return _render(400, problem=_("Choose a lockout to lift."))
    return _act({"lockout": {"kind": kind, "identifier": identifier}}, "unlock", identifier)
