"""The access log: one line per request on `omniroute.access`, written when the answer ends.

`AccessLog` wraps the WSGI app the server runs (serving.build_server), outside the admission
control so that its 503 refusals get a line too. It times the request, reads the status from
`start_response`, and writes the line:
- for an answer the app returns whole (a list, such as an admission refusal, or a file), as
  soon as the app returns it;
- for any other body (a stream, a page, a client-API answer the admission control holds its
  slot for), when the server closes it: a stream's line comes once its last chunk has gone (or
  the client has hung up), so it carries the stream's outcome as well as the 200 sent first.

The line holds the method, the path (never the query string: a Gemini client may put its key
there), the status, the client's address (as TRUSTED_PROXY resolves it) and the latency in
milliseconds. For a client-API request the client API leaves its facts in the environ
(`note_client_request`: the caller's API key id and the request's RequestTrace, when the
request has one), and the line adds the model the client asked for, the provider that answered
(or was tried last), the number of attempts, the key id, the request id (the one its drop lines
and, with request logs on, the dashboard show), and `stream=true` with `outcome=<status>` when
the recorded outcome differs from the HTTP status (a stream failing in-band, a client that hung
up: 499). No header value, body or key is ever read into it.

With `omniroute.access` below INFO the middleware only checks the level and calls the app.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..usage.trace import RequestTrace
from .formatters import escape_controls

ACCESS_LOG = logging.getLogger("omniroute.access")
CLIENT_FACTS = "omniroute.client_facts"  # environ key: (key id, RequestTrace or None)
CLIENT_CLOSED = 499  # the status a request gets when its client hangs up before the end
PATH_LIMIT = 512  # characters of a path kept in a line
PLAIN_VALUE = re.compile(r"[\w\-./:@+]+", re.ASCII)  # shown unquoted in a text line
MESSAGE_HEAD = frozenset({"method", "path", "status"})


def note_client_request(environ: dict, key_id: int | None, trace: RequestTrace | None) -> None:
    """What the client API knows about a request, for its access line."""
    environ[CLIENT_FACTS] = (key_id, trace)


class AccessLog:
    """WSGI middleware writing one access line per request (see the module docstring)."""

    def __init__(self, app: Callable, log: logging.Logger = ACCESS_LOG) -> None:
        self.app = app
        self.log = log

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not self.log.isEnabledFor(logging.INFO):
            return self.app(environ, start_response)
        exchange = _Exchange(environ, start_response, self.log)
        try:
            body = self.app(environ, exchange.start_response)
        except BaseException:
            exchange.write(finished=False, failed=True)
            raise
        if isinstance(body, list) or _is_file(body, environ):
            exchange.write(finished=True)
            return body
        return _LoggedBody(body, exchange)


def _is_file(body: Any, environ: dict) -> bool:
    """A file the server sends itself (left unwrapped so the server can still do that)."""
    file_wrapper = environ.get("wsgi.file_wrapper")
    return isinstance(file_wrapper, type) and isinstance(body, file_wrapper)


class _Exchange:
    """One request being answered: its start time, its status, whether its line is written."""

    __slots__ = ("environ", "log", "next_start_response", "started", "status", "written")

    def __init__(self, environ: dict, start_response: Callable, log: logging.Logger) -> None:
        self.environ = environ
        self.log = log
        self.next_start_response = start_response
        self.started = time.perf_counter()
        self.status = 0
        self.written = False

    def start_response(self, status: str, headers: list, exc_info: Any = None) -> Callable:
        self.status = int(status[:3])
        return self.next_start_response(status, headers, exc_info)

    def write(self, finished: bool, failed: bool = False) -> None:
        if self.written:
            return
        self.written = True
        fields = access_fields(self.environ, self.status or 500)
        if not finished and fields.get("outcome", fields["status"]) < 400:
            fields["outcome"] = 500 if failed else CLIENT_CLOSED
        fields["latency_ms"] = round((time.perf_counter() - self.started) * 1000.0, 1)
        self.log.info(access_message(fields), extra=fields)


class _LoggedBody:
    """A streamed or lazily made body: the line is written when the server closes it."""

    __slots__ = ("body", "exchange", "finished", "failed")

    def __init__(self, body: Iterable[bytes], exchange: _Exchange) -> None:
        self.body = body
        self.exchange = exchange
        self.finished = False
        self.failed = False

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self.body
        except Exception:
            self.failed = True
            raise
        self.finished = True

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.exchange.write(self.finished, self.failed)


def access_fields(environ: dict, status: int) -> dict[str, Any]:
    """The line's fields but its latency: the request's, then what the client API noted."""
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    fields: dict[str, Any] = {
        "method": environ.get("REQUEST_METHOD", ""),
        "path": path[:PATH_LIMIT],
        "status": status,
        "client": environ.get("REMOTE_ADDR", ""),  # TRUSTED_PROXY's X-Forwarded-For when set
    }
    facts = environ.get(CLIENT_FACTS)
    if facts is None:
        return fields
    key_id, trace = facts
    if trace is not None:
        fields.update(trace_fields(trace, status))
    if key_id is not None:
        fields.setdefault("key_id", key_id)
    return fields


def trace_fields(trace: RequestTrace, status: int) -> dict[str, Any]:
    """What a client-API request's trace tells: model, provider, attempts, key, outcome."""
    found = {
        "model": trace.requested_model,
        "provider": trace.provider,
        "attempts": trace.attempts,
        "key_id": trace.api_key_id,
        "request_id": trace.request_id,
    }
    fields = {name: value for name, value in found.items() if value is not None}
    if trace.stream:
        fields["stream"] = True
    if trace.status != status:
        fields["outcome"] = trace.status
    return fields


def access_message(fields: dict[str, Any]) -> str:
    """`POST /v1/messages 200 model=… provider=… attempts=1 key_id=2 latency_ms=8.1 …`"""
    shown = [f"{fields['method']} {fields['path']} {fields['status']}"]
    for name, value in fields.items():
        if name not in MESSAGE_HEAD:
            shown.append(f"{name}={_shown(value)}")
    return escape_controls(" ".join(shown))


def _shown(value: Any) -> str:
    """A field's value in a text line: quoted (JSON) when it is text with spaces, quotes or
    anything but a plain id's characters."""
    if value is True:
        return "true"
    if type(value) is not str or PLAIN_VALUE.fullmatch(value):
        return str(value)
    return json.dumps(value, ensure_ascii=False)
