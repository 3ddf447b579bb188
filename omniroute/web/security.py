"""Dashboard security: the one admin user (flask-login), CSRF (Flask-WTF) and API auth guards.

Dashboard pages redirect anonymous visitors to /login; /api/* answers 401 JSON instead. A
session cookie counts only while its live session (live_sessions.py) has not been ended by a
logout, a password change or "Log out all sessions". Every state-changing request made with the
session cookie must carry the CSRF token (form field `csrf_token` or the `X-CSRFToken` header);
The client API (clientapi/) never reaches these checks: it is answered before Flask.
"""

from __future__ import annotations

from flask import Flask, current_app, jsonify, redirect, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect

from .auth.live_sessions import LiveSessions
from .guard import is_public
from .paths import is_api_path

csrf = CSRFProtect()
login_manager = LoginManager()
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_EXEMPT_ENDPOINTS = {"api.auth.login"}  # JSON-only, so no cross-site form can post it


class AdminUser(UserMixin):
    id = "admin"


ADMIN = AdminUser()
SESSION_ID_KEY = "live_session"
LIVE_SESSIONS = "omniroute_live_sessions"  # app.extensions key


def live_sessions() -> LiveSessions:
    return current_app.extensions[LIVE_SESSIONS]


def log_in_admin() -> None:
    """Log this browser in with a new live session (ending the one it may still hold)."""
    live_sessions().end(session.get(SESSION_ID_KEY))
    login_user(ADMIN)
    session[SESSION_ID_KEY] = live_sessions().start()


def log_out_this_session() -> None:
    """End this browser's session: a copy of its cookie stops working too."""
    live_sessions().end(session.get(SESSION_ID_KEY))
    logout_user()
    session.clear()


def log_out_other_sessions() -> None:
    """End every session but this browser's (after a password change)."""
    live_sessions().end_all(keep=session.get(SESSION_ID_KEY))


def log_out_all_sessions() -> int:
    """End every session, this browser's included; returns how many ended."""
    ended = live_sessions().end_all()
    logout_user()
    session.clear()
    return ended


def json_error(status: int, message: str, kind: str, code: str | None = None, **extra):
    body = {"error": {"message": message, "type": kind, "code": code, **extra}}
    return jsonify(body), status


def init_security(app: Flask) -> None:
    csrf.init_app(app)
    login_manager.init_app(app)
    # Off: a session is bound to its revocable live id instead. "basic" marked sessions not
    # fresh (never used here) and, for an anonymous visitor, rewrote the cookie on every
    # response; a slow response (the favicon's 404) that overlapped a login put the anonymous
    # cookie back and logged the browser out again.
    login_manager.session_protection = None
    app.extensions[LIVE_SESSIONS] = LiveSessions(
        app.extensions["omniroute"].database,
        max_idle_seconds=app.permanent_session_lifetime.total_seconds(),  # the cookie's too
    )

    @login_manager.user_loader
    def load_user(user_id: str):
        if user_id == ADMIN.id and live_sessions().is_live(session.get(SESSION_ID_KEY)):
            return ADMIN
        return None

    @login_manager.unauthorized_handler
    def unauthorized():
        if is_api_path(request.path):
            return json_error(
                401, "log in first (POST /api/auth/login)", "authentication_error", "unauthorized"
            )
        return redirect(url_for("pages.auth.login", next=request.full_path.rstrip("?")))

    @app.before_request
    def check_csrf():
        if request.method not in UNSAFE_METHODS or request.endpoint in CSRF_EXEMPT_ENDPOINTS:
            return
        if not current_user.is_authenticated and (
            is_api_path(request.path)
            or not is_public(current_app.view_functions.get(request.endpoint or ""))
        ):
            return  # the login guard (guard.py) refuses the request before anything happens
        csrf.protect()


def field_error(field: str, message: str):
    """400 for a bad field, naming it (`param`) as the API spells it."""
    return json_error(
        400, f"{field}: {message}", "invalid_request_error", "invalid_field", param=field
    )


def not_found(what: str, identifier: int):
    return json_error(404, f"no {what} with id {identifier}", "invalid_request_error", "not_found")
