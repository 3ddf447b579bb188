"""One client request as the handlers see it: read straight from the WSGI environ (headers,
query, body, the caller's API key), with no framework request object on the hot path."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.datastructures import EnvironHeaders

from ..errors import body_too_large
from ..proxy.translation import ClientCall

UNPREFIXED_HEADERS = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})  # no HTTP_ in the environ


class ClientHeaders(EnvironHeaders):
    """werkzeug's view of the environ's headers, with a `get` that answers a missing header
    without raising and catching a KeyError (most of a request's lookups miss: the API key's
    other spellings, session and idempotency headers)."""

    def get(self, key, default=None, type=None):  # type: ignore[override]
        if type is not None or not isinstance(key, str):
            return super().get(key, default, type)
        name = key.upper().replace("-", "_")
        value = self.environ.get(name if name in UNPREFIXED_HEADERS else f"HTTP_{name}")
        return default if value is None else value


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


def query_args(environ: Mapping) -> dict[str, str]:
    """The query string's arguments (the first value of a repeated one)."""
    args: dict[str, str] = {}
    for name, value in parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True):
        args.setdefault(name, value)
    return args


class ClientRequest:
    """The environ of one client-API request, with the gateway's services at hand."""

    def __init__(self, environ: dict[str, Any], services, limit: int):
        self.environ = environ
        self.services = services
        self.limit = limit
        self.grant = None  # the caller's API key, once `authenticate` has run

    @cached_property
    def headers(self) -> EnvironHeaders:
        return ClientHeaders(self.environ)

    @cached_property
    def args(self) -> dict[str, str]:
        return query_args(self.environ)

    def authenticate(self) -> None:
        """Identify the caller's API key; a 401 (GatewayError) when keys are required."""
        self.grant = self.services.client_auth.identify(
            self.headers, self.args, self.environ.get("REMOTE_ADDR") or ""
        )

    @property
    def key_id(self) -> int | None:
        return None if self.grant is None else self.grant.id

    def body(self) -> bytes:
        return read_request_body(self.environ, self.limit)

    def call(
        self, wire_format: str, endpoint: str, body: bytes | None = None, **kwargs
    ) -> ClientCall:
        """The pipeline's view of this request (its own body unless `body` replaces it)."""
        return ClientCall(
            wire_format,
            self.body() if body is None else body,
            endpoint,
            self.key_id,
            headers=self.headers,
            client_gone=self.environ.get("waitress.client_disconnected"),
            grant=self.grant,
            **kwargs,
        )
