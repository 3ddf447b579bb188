"""Dashboard security: the one admin user (flask-login), CSRF (Flask-WTF) and API auth guards.

Dashboard pages redirect anonymous visitors to /login; /api/* answers 401 JSON instead. Every
state-changing request made with the session cookie must carry the CSRF token (form field
`csrf_token` or the `X-CSRFToken` header); /v1 is for API clients and is never CSRF-checked.
"""

from __future__ import annotations

from flask import Flask, jsonify, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from .client_api import is_client_api_path

csrf = CSRFProtect()
login_manager = LoginManager()
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_EXEMPT_ENDPOINTS = {"api_auth.login"}  # JSON-only, so no cross-site form can post it


class AdminUser(UserMixin):
    id = "admin"


ADMIN = AdminUser()


def json_error(status: int, message: str, kind: str, code: str | None = None, **extra):
    body = {"error": {"message": message, "type": kind, "code": code, **extra}}
    return jsonify(body), status


def init_security(app: Flask) -> None:
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        return ADMIN if user_id == ADMIN.id else None

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.path.startswith("/api/"):
            return json_error(
                401, "log in first (POST /api/auth/login)", "authentication_error", "unauthorized"
            )
        return redirect(url_for("pages_auth.login", next=request.full_path.rstrip("?")))

    @app.before_request
    def check_csrf():
        if request.method not in UNSAFE_METHODS or request.endpoint in CSRF_EXEMPT_ENDPOINTS:
            return
        if is_client_api_path(request.path):
            return  # API clients authenticate with keys, not cookies
        if request.path.startswith("/api/") and not current_user.is_authenticated:
            return  # the view answers 401 before anything happens
        csrf.protect()

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        if request.path.startswith("/api/"):
            return json_error(
                400,
                f"CSRF check failed: {error.description}",
                "invalid_request_error",
                "csrf_failed",
            )
        return error.description, 400


def field_error(field: str, message: str):
    """400 for a bad field, naming it (`param`) as the API spells it."""
    return json_error(
        400, f"{field}: {message}", "invalid_request_error", "invalid_field", param=field
    )


def not_found(what: str, identifier: int):
    return json_error(404, f"no {what} with id {identifier}", "invalid_request_error", "not_found")


class DashboardSessionInterface(SecureCookieSessionInterface):
    """Cookie sessions for the dashboard only: the client API authenticates with keys, so its
    requests skip the session (no signing work, no `Vary: Cookie` on their answers)."""

    def __init__(self, is_client_api_path):
        self._is_client_api_path = is_client_api_path

    def open_session(self, app, request):
        if self._is_client_api_path(request.path):
            return self.null_session_class()
        return super().open_session(app, request)
