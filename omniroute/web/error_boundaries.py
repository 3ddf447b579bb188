"""The error boundaries of /api and the dashboard pages (the client API keeps its own).

- /api/*: every error is `{"error": {"message", "type", "code"}}` with its status — werkzeug's
  HTTP errors (404 no such path or id, 405 with Allow, 413, 400 unreadable JSON), a GatewayError
  with its own status, and a bug as 500 whose traceback is logged. Never an HTML page.
- pages: a styled page in the user's language (templates/errors/error.html) with the status.
The client API (/v1, …) has its own boundary (clientapi/errors.py) and never reaches Flask.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge

from ..errors import GatewayError, body_too_large
from .paths import is_api_path
from .security import json_error

log = logging.getLogger(__name__)
ERROR_TYPES = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error"}


def _http_error_message(error: HTTPException) -> str:
    where = f"{request.method} {request.path}"
    if isinstance(error, NotFound):
        return f"nothing at {where} (no such path or id)"
    if isinstance(error, MethodNotAllowed):
        allowed = ", ".join(sorted(error.valid_methods or ()))
        return f"{where} is not supported; this path accepts: {allowed}"
    if isinstance(error, RequestEntityTooLarge):
        return body_too_large(current_app.config["MAX_CONTENT_LENGTH"]).message
    return error.description or error.name


def _http_error_code(error: HTTPException) -> str:
    if isinstance(error, RequestEntityTooLarge):
        return "request_too_large"
    return getattr(error, "api_code", None) or error.name.lower().replace(" ", "_")


def api_http_error(error: HTTPException):
    status = error.code or 500
    kind = ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    param = getattr(error, "param", None)
    extra = {"param": param} if param else {}
    response, status = json_error(
        status, _http_error_message(error), kind, _http_error_code(error), **extra
    )
    response.headers.update(_allow_header(error))
    return response, status


def page_messages(status: int) -> tuple[str, str]:
    """(heading, explanation) of the error page for `status`."""
    if status == 400:
        return _("Bad request"), _("The request could not be understood. Go back and try again.")
    if status == 404:
        return _("Page not found"), _("There is nothing at this address.")
    if status == 405:
        return _("Not allowed"), _("This address does not accept that kind of request.")
    if status == 413:
        return _("Too large"), _("What was sent is larger than this server accepts.")
    if status >= 500:
        return _("Something went wrong"), _(
            "The error has been logged. Try again, or go back to the dashboard."
        )
    return _("Error %(status)d", status=status), _("The request could not be completed.")


def error_page(status: int, detail: str | None = None, headers: dict[str, str] | None = None):
    """The styled error page; a plain one if the page itself cannot be drawn."""
    heading, explanation = page_messages(status)
    try:
        html = render_template(
            "errors/error.html",
            status=status,
            heading=heading,
            explanation=explanation,
            detail=detail,
        )
    except Exception:
        log.exception("the error page for %s could not be rendered", status)
        html = f"<!doctype html><title>{status}</title><h1>{status}</h1>"
    return html, status, {"Content-Type": "text/html; charset=utf-8", **(headers or {})}


def _allow_header(error: HTTPException) -> dict[str, str]:
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        return {"Allow": ", ".join(sorted(error.valid_methods))}
    return {}


def http_error(error: HTTPException):
    if is_api_path(request.path):
        return api_http_error(error)
    return error_page(error.code or 500, headers=_allow_header(error))


def csrf_failed(error: CSRFError):
    if is_api_path(request.path):
        return json_error(
            400, f"CSRF check failed: {error.description}", "invalid_request_error", "csrf_failed"
        )
    detail = _("The form has expired or did not come from this dashboard. Reload the page.")
    return error_page(400, detail)


def gateway_error(error: GatewayError):
    if is_api_path(request.path):
        extra = {"param": error.param} if error.param else {}
        response, status = json_error(error.status, error.message, error.type, error.code, **extra)
        response.headers.update(error.headers)
        return response, status
    return error_page(error.status, error.message)


def unexpected_error(error: Exception):
    """A bug: logged with its traceback, answered as a 500 in the surface's shape."""
    log.exception("unexpected error on %s %s", request.method, request.path)
    if is_api_path(request.path):
        return json_error(
            500, f"internal error: {error.__class__.__name__}", "server_error", "internal_error"
        )
    return error_page(500)


def register_error_boundaries(app: Flask) -> None:
    for http_class in (HTTPException, NotFound, MethodNotAllowed):
        app.register_error_handler(http_class, http_error)
    app.register_error_handler(CSRFError, csrf_failed)
    app.register_error_handler(GatewayError, gateway_error)
    app.register_error_handler(Exception, unexpected_error)
