"""Management API for settings: GET|PATCH /api/settings (Settings → Routing, Security, AI and
Advanced).

Routing fields (camelCase): routingStrategy (fill-first, round-robin, p2c, random, least-used,
cost-optimized), stickyRoundRobinLimit (1–1000), comboStrategy (the default strategy of a new
combo), comboRetries (0–5: extra tries of one target after a transient failure), maxAttempts
(1–50 upstream calls per request). The AI, Security and Advanced fields are in options.py.
PATCH changes only the fields it names; an unknown field, a read-only one or a bad value is a
400 naming it, and nothing is saved.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from ...routing.policy import API_FIELDS, apply_api_changes, policy_as_api
from ...store.app_settings import load_routing_policy, save_routing_policy
from ..providers.connection_form import FieldError
from ..security import field_error
from .options import (
    EDITABLE_FIELDS,
    READ_ONLY_FIELDS,
    check_option_changes,
    options_as_api,
    save_option_changes,
)

bp = Blueprint("settings", __name__)


def routing_settings() -> dict:
    """The routing settings as the API spells them (camelCase)."""
    return policy_as_api(load_routing_policy())


def apply_routing_settings(changes: dict) -> dict:
    """Apply and save `changes`; FieldError names the first unknown or bad field, and then
    nothing is saved. Returns the settings as the API spells them."""
    unknown = sorted(set(changes) - set(API_FIELDS))
    if unknown:
        raise FieldError(unknown[0], f"unknown setting (known: {', '.join(API_FIELDS)})")
    try:
        policy = apply_api_changes(load_routing_policy(), changes)
    except ValueError as error:
        name, message = error.args
        raise FieldError(name, message) from None
    save_routing_policy(policy)
    current_app.extensions["omniroute"].routes.invalidate()
    return policy_as_api(policy)


def all_settings() -> dict:
    return {**routing_settings(), **options_as_api()}


def apply_all_settings(changes: dict) -> dict:
    """Check every field of `changes`, then save them; FieldError names the first unknown or
    bad one, and then nothing is saved."""
    known = (*API_FIELDS, *EDITABLE_FIELDS, *READ_ONLY_FIELDS)
    unknown = sorted(set(changes) - set(known))
    if unknown:
        raise FieldError(unknown[0], f"unknown setting (known: {', '.join(known)})")
    options = check_option_changes({k: v for k, v in changes.items() if k not in API_FIELDS})
    routing = {k: v for k, v in changes.items() if k in API_FIELDS}
    if routing:
        apply_routing_settings(routing)
    save_option_changes(options)
    return all_settings()


@bp.get("/settings")
def get_settings():
    return jsonify(all_settings())


@bp.patch("/settings")
def patch_settings():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return field_error("body", "must be a JSON object")
    try:
        return jsonify(apply_all_settings(body))
    except FieldError as error:
        return field_error(error.field, error.message)
