"""Management API for resilience: GET|PATCH /api/resilience, POST /api/resilience/reset.

`/api/resilience` reads and changes the breaker profiles, per-account rate limits and backoff
(shape in omniroute/resilience/settings.py); PATCH changes only what it names, applies it to the
running gateway at once, and answers 400 naming the first bad field (nothing saved). Reset takes
{} (every breaker, cooldown and backoff), {"provider": id} (that provider's breaker),
{"account": connection id} (that account's rests and backoff) or {"lockout": {"kind": "login" |
"apiKey", "identifier": address}} (lift a lockout).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from ...resilience.settings import apply_api_changes, settings_as_api
from ...store.app_settings import load_resilience_settings, save_resilience_settings
from ..security import field_error

bp = Blueprint("resilience", __name__, url_prefix="/resilience")

RESET_FIELDS = {"provider", "account", "lockout"}


def _services():
    return current_app.extensions["omniroute"]


def change_resilience_settings(changes: dict) -> dict:
    """Apply, save and put into effect; ValueError(field, message) for a bad value."""
    settings = apply_api_changes(load_resilience_settings(), changes)
    save_resilience_settings(settings)
    _services().resilience.apply(settings)
    return settings_as_api(settings)


def reset_resilience(body: dict) -> str | None:
    """Reset what `body` names; the error message for a bad body, else None."""
    resilience = _services().resilience
    if "lockout" in body:
        lockout = body["lockout"]
        kinds = {"login": resilience.login_lockout, "apiKey": resilience.key_lockout}
        kind = lockout.get("kind") if isinstance(lockout, dict) else None
        if not isinstance(kind, str) or kind not in kinds:
            return "lockout: must be {kind: login|apiKey, identifier}"
        kinds[kind].unlock(str(lockout.get("identifier", "")))
    elif "account" in body:
        account = body["account"]
        if isinstance(account, bool) or not isinstance(account, int | str):
            return "account: must be a connection id"
        resilience.reset(account=account)
    elif "provider" in body:
        if not isinstance(body["provider"], str):
            return "provider: must be a provider id"
        resilience.reset(provider=body["provider"])
    else:
        resilience.reset()
    return None


@bp.get("")
def get_resilience():
    return jsonify(settings_as_api(_services().resilience.settings))


@bp.patch("")
def patch_resilience():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return field_error("body", "must be a JSON object")
    try:
        return jsonify(change_resilience_settings(body))
    except ValueError as error:
        name, message = error.args
        return field_error(name, message)


@bp.post("/reset")
def post_reset():
    body = request.get_json(silent=True) if request.get_data() else {}
    if not isinstance(body, dict):
        return field_error("body", "must be a JSON object")
    unknown = sorted(set(body) - RESET_FIELDS)
    if unknown:
        return field_error(unknown[0], f"unknown field (known: {', '.join(sorted(RESET_FIELDS))})")
    problem = reset_resilience(body)
    if problem:
        field, _, message = problem.partition(": ")
        return field_error(field, message)
    return jsonify({"reset": True})
