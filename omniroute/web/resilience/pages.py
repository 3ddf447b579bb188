"""Dashboard Settings → Resilience: the circuit-breaker profiles, the per-account rate limits
(and the tiers they apply to) and the backoff, as in omniroute/resilience/settings.py.

Each section is read-only until its Edit button: with htmx the section swaps to its form and
back (Save / Cancel); without JavaScript `?edit=<section>` renders the page with that form and
a save posts and redirects (post/redirect/get). A bad value re-renders the form with the message
next to the field and the input kept, and nothing is saved. Saving goes through the same
function as `PATCH /api/resilience`, so the running gateway uses the new values at once.
"""

from __future__ import annotations

import math

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from ...providers.spec import TIERS
from ...resilience.breakers import profile_name
from ...resilience.settings import (
    BACKOFF_FIELDS,
    PROFILE_FIELDS,
    RATE_FIELDS,
    Backoff,
    settings_as_api,
)
from ..dashboard.pages import is_fragment_request
from ..formatting import duration
from ..providers.catalog_pages import TIER_LABELS
from .api import change_resilience_settings

bp = Blueprint("resilience", __name__, url_prefix="/settings")

# URL slug → (key in the API shape, partial)
SECTIONS = {
    "profiles": ("profiles", "partials/settings/resilience_profiles.html"),
    "rate-limits": ("rateLimits", "partials/settings/resilience_rate_limits.html"),
    "backoff": ("backoff", "partials/settings/resilience_backoff.html"),
}
PROFILE_LABELS = {
    "subscription": _l("Subscription"),
    "api-key": _l("API key, cheap and free"),
    "local": _l("Local"),
}
FIELD_LABELS = {
    "failureThreshold": _l("Failures to open"),
    "windowSeconds": _l("Within (seconds)"),
    "cooldownSeconds": _l("Cooldown (seconds)"),
    "requestsPerMinute": _l("Requests per minute"),
    "minGapMs": _l("Minimum gap between requests (ms)"),
    "maxConcurrent": _l("Concurrent requests at most"),
    "maxWaitMs": _l("Longest wait in the queue (ms)"),
    "baseSeconds": _l("First rest (seconds)"),
    "factor": _l("Factor per failure in a row"),
    "capSeconds": _l("Longest rest (seconds)"),
}
SAVED_MESSAGES = {
    "profiles": _l("Breaker profiles saved."),
    "rate-limits": _l("Rate limits saved."),
    "backoff": _l("Backoff saved."),
}


def field_specs(fields: dict) -> dict:
    """name → (step, low, high) for the number inputs."""
    return {
        name: ("1" if kind is int else "any", low, high)
        for name, (_attr, kind, low, high) in fields.items()
    }


def tiers_of_profile(name: str) -> list[str]:
    return [tier for tier in TIERS if profile_name(tier) == name]


def parse_number(text: str, kind: type, low: float, high: float):
    """The number typed, or None when it is not a `kind` between low and high."""
    try:
        value = float(text.strip())
    except ValueError:
        return None
    if not math.isfinite(value) or not low <= value <= high:
        return None
    if kind is int:
        return int(value) if value.is_integer() else None
    return value


def number_error(kind: type, low: float, high: float):
    if kind is int:
        return _l("enter a whole number from %(low)d to %(high)d", low=low, high=high)
    return _l("enter a number from %(low)s to %(high)s", low=f"{low:g}", high=f"{high:g}")


def _read_fields(form, prefix: str, fields: dict, changes: dict, errors: dict) -> None:
    for name, (_attr, kind, low, high) in fields.items():
        path = f"{prefix}.{name}"
        value = parse_number(form.get(path, ""), kind, low, high)
        if value is None:
            errors[path] = number_error(kind, low, high)
        else:
            changes[name] = value


def section_changes(section: str, form) -> tuple[dict, dict]:
    """The PATCH body for one section's form, and the errors by input name (the API's path)."""
    errors: dict = {}
    if section == "profiles":
        profiles: dict = {}
        for profile in PROFILE_LABELS:
            profiles[profile] = {}
            _read_fields(form, f"profiles.{profile}", PROFILE_FIELDS, profiles[profile], errors)
        return {"profiles": profiles}, errors
    if section == "rate-limits":
        limits: dict = {}
        _read_fields(form, "rateLimits", RATE_FIELDS, limits, errors)
        tiers = form.getlist("rateLimits.tiers")
        if any(tier not in TIERS for tier in tiers):
            errors["rateLimits.tiers"] = _l("choose one of the listed options")
        limits["tiers"] = [tier for tier in TIERS if tier in tiers]
        return {"rateLimits": limits}, errors
    backoff: dict = {}
    _read_fields(form, "backoff", BACKOFF_FIELDS, backoff, errors)
    return {"backoff": backoff}, errors


def form_values(form) -> dict:
    """What the user typed, to put back into the form after an error."""
    values = {key: form.get(key, "") for key in form if key != "csrf_token"}
    values["rateLimits.tiers"] = form.getlist("rateLimits.tiers")
    return values


def backoff_example(backoff: Backoff, steps: int = 6) -> str:
    """The rests after 1, 2, 3 … failures in a row, e.g. "5 s, 10 s, 20 s", up to the cap."""
    rests: list[float] = []
    for level in range(1, steps + 1):
        rest = backoff.seconds(level)
        if rests and rest == rests[-1]:
            break
        rests.append(rest)
    return ", ".join(duration(rest) for rest in rests)


def _context(**context) -> dict:
    current = current_app.extensions["omniroute"].resilience.settings
    return {
        "resilience": settings_as_api(current),
        "backoff_example": backoff_example(current.backoff),
        "sections": SECTIONS,
        "profile_labels": PROFILE_LABELS,
        "profile_tiers": {name: tiers_of_profile(name) for name in PROFILE_LABELS},
        "field_labels": FIELD_LABELS,
        "fields": {
            "profiles": field_specs(PROFILE_FIELDS),
            "rate-limits": field_specs(RATE_FIELDS),
            "backoff": field_specs(BACKOFF_FIELDS),
        },
        "tiers": TIERS,
        "tier_labels": TIER_LABELS,
        "edit": None,
        "saved": None,
        "saved_message": SAVED_MESSAGES.get(context.get("saved") or ""),
        "errors": {},
        "values": {},
        "focus": None,
        **context,
        "first_error": next(iter(context.get("errors") or {}), None),
    }


def _section_or_404(section: str) -> str:
    if section not in SECTIONS:
        abort(404)
    return section


def _section(section: str, status: int = 200, **context):
    """The section for htmx (200, so htmx swaps it), else the whole page with `status`."""
    if is_fragment_request():
        return render_template(SECTIONS[section][1], **_context(**context))
    return render_template("settings/resilience.html", **_context(**context)), status


@bp.get("/resilience")
def resilience():
    edit = request.args.get("edit")
    saved = request.args.get("saved")
    return render_template(
        "settings/resilience.html",
        **_context(
            edit=edit if edit in SECTIONS else None,
            focus="first" if edit in SECTIONS else None,
            saved=saved if saved in SECTIONS else None,
        ),
    )


@bp.get("/resilience/<section>")
def section(section: str):
    """One section, read-only or (?edit=1) as a form; a plain browser gets the whole page."""
    _section_or_404(section)
    editing = request.args.get("edit") == "1"
    if not is_fragment_request():
        return redirect(url_for(".resilience", edit=section if editing else None))
    if editing:
        return _section(section, edit=section, focus="first")
    return _section(section, focus="edit")


@bp.post("/resilience/<section>")
def save(section: str):
    _section_or_404(section)
    changes, errors = section_changes(section, request.form)
    if not errors:
        try:
            change_resilience_settings(changes)
        except ValueError as error:
            field, message = error.args
            errors = {field: message}
    if errors:
        values = form_values(request.form)
        return _section(section, 400, edit=section, errors=errors, values=values)
    if is_fragment_request():
        return _section(section, saved=section, focus="edit")
    return redirect(url_for(".resilience", saved=section))
