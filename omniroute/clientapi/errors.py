"""The client API's one error boundary: every error, from a bad body to an unknown path or a
bug, becomes a Reply in the caller's wire format with the right status: the format of the route
that answered when it names one (OpenAI's `GET /v1/models/{id}` among Gemini's `/v1/models/…`),
else the format whose client calls that path (registry.format_for_path)."""

from __future__ import annotations

import logging

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from ..errors import GatewayError, MethodNotAllowedError, UnknownEndpointError, internal_error
from ..formats.registry import FORMATS, format_for_path
from ..proxy.reply import Reply

log = logging.getLogger(__name__)


def error_reply(path: str, error: GatewayError, wire_format: str | None = None) -> Reply:
    wire = format_for_path(path) if wire_format is None else FORMATS[wire_format]
    return Reply.json(error.status, wire.error_body(error), error.headers)


def routing_error(method: str, path: str, error: HTTPException) -> GatewayError:
    """The router's refusal (no such path, wrong method) as a gateway error."""
    where = f"{method} {path}"
    if isinstance(error, MethodNotAllowed):
        allowed = ", ".join(sorted(error.valid_methods or ()))
        return MethodNotAllowedError(
            f"{where} is not supported; this path accepts: {allowed}",
            headers={"Allow": allowed} if allowed else None,
        )
    if isinstance(error, NotFound):
        return UnknownEndpointError(f"no client API endpoint at {where}")
    return GatewayError(error.description or error.name, status=error.code or 500)


def unexpected_error_reply(path: str, error: Exception, wire_format: str | None = None) -> Reply:
    """A bug still answers in the caller's shape (and is logged), never as an HTML page."""
    log.exception("unexpected error on %s", path)
    return error_reply(path, internal_error(error), wire_format)
