"""The client API's WSGI entry: answers its own routes straight from the environ (no Flask
request context: on this stack Flask's per-request machinery costs about a quarter of a proxied
call's CPU) and hands every other path to the dashboard app.

A caller the IP access rules refuse (access/gate.py) gets a 403 before anything else is read.
Every answer passes the one error boundary: a GatewayError, a routing refusal (unknown path,
wrong method) or a bug becomes a Reply in the caller's wire format; one refused before the
pipeline (which counts the others from their usage rows) is counted for /metrics. What the
access line needs (the caller's key id, the request's trace) is left in the environ
(logs/access.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge
from werkzeug.routing import RequestRedirect

from ..access.gate import address_refused
from ..errors import GatewayError, body_too_large
from ..logs.access import note_client_request
from ..proxy.reply import Reply, wire_headers
from ..store.app_database import bind
from . import model_list
from .errors import error_reply, routing_error, unexpected_error_reply
from .paths import is_client_api_path
from .request import ClientRequest
from .routes import ROUTE_MAP, ROUTES_BY_NAME, STATIC_ROUTES, Route

STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


def respond(reply: Reply, start_response) -> list[bytes] | Any:
    """Hand a Reply to the WSGI server: a whole body with its length, or a stream as it comes."""
    headers = wire_headers(reply.headers)
    status = STATUS_LINES.get(reply.status, f"{reply.status} Error")
    if isinstance(reply.body, bytes):
        headers.append(("Content-Length", str(len(reply.body))))
        start_response(status, headers)
        return [reply.body]
    start_response(status, headers)
    return reply.body


class ClientApi:
    """WSGI middleware serving the client API; every other request goes to `app`."""

    def __init__(self, app: Callable, services):
        self.app = app
        self.services = services
        self.limit = services.settings["MAX_BODY_BYTES"]

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        by_method = STATIC_ROUTES.get(path)
        if by_method is None and not is_client_api_path(path):
            return self.app(environ, start_response)
        route = None if by_method is None else by_method.get(environ.get("REQUEST_METHOD", ""))
        request = ClientRequest(environ, self.services, self.limit)
        reply = self._answer(request, path, route)
        if reply.status >= 400 and reply.trace is None:  # refused before the pipeline
            self.services.metrics.refused(reply.status)
        note_client_request(environ, request.key_id, reply.trace)
        return respond(reply, start_response)

    def _answer(self, request: ClientRequest, path: str, route: Route | None) -> Reply:
        bind(self.services.database)  # this app's models use this app's database
        environ = request.environ
        shape = None if route is None else route.wire_format
        try:
            address = environ.get("REMOTE_ADDR")
            if not self.services.access.admits_client(address):
                raise address_refused(address, "the client API")
            values: Mapping[str, Any] = {}
            if route is None:
                route, values = self._match(environ, path)
                shape = route.wire_format
            if route.needs_key and not (route.lists_models and model_list.open_to_all(request)):
                request.authenticate()
            return route.handler(request, **values)
        except GatewayError as error:
            return error_reply(path, error, shape)
        except RequestRedirect as redirect:
            return Reply(redirect.code, b"", {"Location": redirect.new_url})
        except RequestEntityTooLarge:
            return error_reply(path, body_too_large(self.limit), shape)
        except HTTPException as refusal:
            method = environ.get("REQUEST_METHOD", "")
            if isinstance(refusal, MethodNotAllowed) and method == "OPTIONS":
                allowed = ", ".join(sorted({*(refusal.valid_methods or ()), "OPTIONS"}))
                return Reply(200, b"", {"Allow": allowed})
            return error_reply(path, routing_error(method, path, refusal))
        except Exception as error:
            return unexpected_error_reply(path, error, shape)

    @staticmethod
    def _match(environ: dict[str, Any], path: str) -> tuple[Route, Mapping[str, Any]]:
        """The route for a path with variables (or a refusal: NotFound, MethodNotAllowed)."""
        adapter = ROUTE_MAP.bind_to_environ(environ)
        name, values = adapter.match(path, environ.get("REQUEST_METHOD", "GET"))
        return ROUTES_BY_NAME[name], values
