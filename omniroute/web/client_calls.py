"""The busiest client routes, served straight from WSGI as well as through Flask.

POST /v1/chat/completions, /v1/messages and /v1/responses (with their unprefixed and doubled
aliases) carry nearly all of a gateway's traffic. For them, Flask's request context, URL map,
before/after-request hooks and Response object cost about a quarter of a proxied request's CPU
on this stack. `ClientFastPath` serves exactly those routes (POST only) from the WSGI environ
with the same pieces the Flask views use: the API-key check, `client_call`, the pipeline and the
caller-shaped `render_error`. Every other request (other methods and paths, the dashboard) goes
to Flask unchanged, so a GET on these paths still gets its 405. `CALL_ROUTES` declares the
routes once, for both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.datastructures import EnvironHeaders

from ..errors import GatewayError, body_too_large, internal_error
from ..proxy.reply import Reply, wire_headers
from ..proxy.translation import ClientCall

log = logging.getLogger(__name__)

# endpoint → (wire format, the paths it answers on)
CALL_ROUTES: dict[str, tuple[str, tuple[str, ...]]] = {
    "chat.completions": (
        "openai",
        ("/v1/chat/completions", "/chat/completions", "/v1/v1/chat/completions"),
    ),
    "messages": ("anthropic", ("/v1/messages", "/messages", "/v1/v1/messages")),
    "responses": ("responses", ("/v1/responses", "/responses", "/v1/v1/responses")),
}
STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


def read_request_body(environ: Mapping, limit: int) -> bytes:
    """The request's body (waitress has already refused one over the limit while reading it;
    this is the same check for any other server, also for a body of unknown length)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        length = -1
    if length > limit:
        raise body_too_large(limit)
    if length < 0:  # no length: read to the end if the server marks it, else there is none
        if not environ.get("wsgi.input_terminated"):
            return b""
        body = environ["wsgi.input"].read(limit + 1)
        if len(body) > limit:
            raise body_too_large(limit)
        return body
    return environ["wsgi.input"].read(length) if length else b""


def client_call(
    environ: dict[str, Any],
    wire_format: str,
    endpoint: str,
    grant,
    limit: int,
    headers=None,
    **kwargs,
):
    """The pipeline's view of one client request."""
    return ClientCall(
        wire_format,
        read_request_body(environ, limit),
        endpoint,
        None if grant is None else grant.id,
        headers=EnvironHeaders(environ) if headers is None else headers,
        client_gone=environ.get("waitress.client_disconnected"),
        grant=grant,
        **kwargs,
    )


def query_args(environ: Mapping) -> dict[str, str]:
    """The query string's arguments (the first value of a repeated one)."""
    args: dict[str, str] = {}
    for name, value in parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True):
        args.setdefault(name, value)
    return args


def respond(reply: Reply, start_response) -> list[bytes] | object:
    """Hand a Reply to the WSGI server: a whole body with its length, or a stream as it comes."""
    headers = wire_headers(reply.headers)
    if isinstance(reply.body, bytes):
        headers.append(("Content-Length", str(len(reply.body))))
        start_response(STATUS_LINES.get(reply.status, f"{reply.status} Error"), headers)
        return [reply.body]
    start_response(STATUS_LINES.get(reply.status, f"{reply.status} Error"), headers)
    return reply.body


class ClientFastPath:
    """WSGI middleware answering CALL_ROUTES' POSTs itself; everything else goes to `app`."""

    def __init__(self, app: Callable, services, render_error: Callable[[str, GatewayError], Reply]):
        self.app = app
        self.services = services
        self.render_error = render_error
        self.limit = services.settings["MAX_BODY_BYTES"]
        self.routes = {
            path: (wire_format, endpoint)
            for endpoint, (wire_format, paths) in CALL_ROUTES.items()
            for path in paths
        }

    def __call__(self, environ, start_response):
        route = self.routes.get(environ.get("PATH_INFO", ""))
        if route is None or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        path = environ["PATH_INFO"]
        try:
            reply = self._handle(environ, *route)
        except GatewayError as error:
            reply = self.render_error(path, error)
        except Exception as error:
            log.exception("unexpected error on %s", path)
            reply = self.render_error(path, internal_error(error))
        return respond(reply, start_response)

    def _handle(self, environ, wire_format: str, endpoint: str) -> Reply:
        headers = EnvironHeaders(environ)
        grant = self.services.client_auth.identify(
            headers, query_args(environ), environ.get("REMOTE_ADDR") or ""
        )
        call = client_call(environ, wire_format, endpoint, grant, self.limit, headers)
        return self.services.pipeline.handle(call)
