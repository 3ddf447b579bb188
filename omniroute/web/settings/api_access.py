"""Management API for IP access control: GET|PUT /api/settings/ip-access.

Body: `{"v1": {"allow": [...], "deny": [...]}, "dashboard": {"allow": [...], "deny": [...]}}`
(IPv4/IPv6 addresses or CIDRs; a section or list left out is kept). A bad entry is a 400 naming
it (`v1.allow[1]`); rules that would refuse the caller's own address on the dashboard are a 409
and nothing is saved.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from ...access.changes import LockoutError, change_access_rules
from ...access.rules import RuleError
from ..security import field_error, json_error

bp = Blueprint("ip_access", __name__)


def _services():
    return current_app.extensions["omniroute"]


@bp.get("/settings/ip-access")
def get_ip_access():
    return jsonify(_services().access.rules().as_api())


@bp.put("/settings/ip-access")
def put_ip_access():
    try:
        rules = change_access_rules(_services(), request.get_json(silent=True), request.remote_addr)
    except RuleError as error:
        return field_error(error.field, error.message)
    except LockoutError as error:
        return json_error(409, error.message, "invalid_request_error", "admin_lockout")
    return jsonify(rules.as_api())
