"""Management API authentication.

- POST /api/auth/login {password} → {ok, csrfToken}: a new session for this cookie jar.
- POST /api/auth/logout → 204: ends this session (a copy of its cookie stops working too).
- POST /api/auth/logout-all → {ok, sessionsEnded}: ends every dashboard session, this one too.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_wtf.csrf import generate_csrf

from ..guard import public
from ..security import json_error, log_out_all_sessions, log_out_this_session
from .login_flow import attempt_login

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.post("/login")
@public
def login():
    if not request.is_json:
        return json_error(
            415, 'send JSON: {"password": "…"}', "invalid_request_error", "unsupported_media_type"
        )
    body = request.get_json(silent=True)
    password = body.get("password") if isinstance(body, dict) else None
    if not isinstance(password, str):
        return json_error(
            400,
            "'password' is required",
            "invalid_request_error",
            "invalid_request",
            param="password",
        )
    outcome = attempt_login(password)
    if outcome.ok:
        return jsonify({"ok": True, "csrfToken": generate_csrf()})
    if outcome.retry_after:
        response, status = json_error(
            429,
            f"too many failed logins; try again in {outcome.retry_after} s",
            "rate_limit_error",
            "login_locked",
        )
        response.headers["Retry-After"] = str(outcome.retry_after)
        return response, status
    return json_error(401, "wrong password", "authentication_error", "invalid_password")


@bp.post("/logout")
@public  # without a session there is nothing to end: still 204
def logout():
    log_out_this_session()
    return "", 204


@bp.post("/logout-all")
def logout_all():
    return jsonify({"ok": True, "sessionsEnded": log_out_all_sessions()})
