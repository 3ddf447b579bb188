"""Management API for provider blocking: GET|PUT /api/settings/blocked-providers.

Body: `{"providers": ["openai", ...]}` — the catalog provider ids switched off (their accounts
are kept). An unknown id is a 400 naming it; the routing table is rebuilt at once.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from ...access.changes import change_blocked_providers
from ...access.rules import RuleError
from ..security import field_error

bp = Blueprint("blocked_providers", __name__)


def blocked_as_api(blocked) -> dict:
    return {"providers": sorted(blocked)}


@bp.get("/settings/blocked-providers")
def get_blocked_providers():
    return jsonify(blocked_as_api(current_app.extensions["omniroute"].routes.snapshot().blocked))


@bp.put("/settings/blocked-providers")
def put_blocked_providers():
    try:
        blocked = change_blocked_providers(
            current_app.extensions["omniroute"], request.get_json(silent=True)
        )
    except RuleError as error:
        return field_error(error.field, error.message)
    return jsonify(blocked_as_api(blocked))
