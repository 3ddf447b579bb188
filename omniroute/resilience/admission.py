"""Admission control: cap the client-API requests in flight; past the cap answer 503 at once.

Each open stream holds a waitress thread. Past the thread count, waitress would queue requests
without limit, so the gateway refuses early with 503 + Retry-After instead, in the caller's error
shape, while the threads kept in reserve still serve the dashboard.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from ..errors import GatewayError, ServiceUnavailableError

RETRY_AFTER_SECONDS = "1"


class ErrorReply(Protocol):
    """An error rendered in the caller's shape (proxy.reply.Reply): its headers and its body."""

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def whole_body(self) -> bytes: ...


class AdmissionControl:
    def __init__(
        self,
        app: Callable,
        max_in_flight: int,
        applies_to: Callable[[str], bool],
        render_error: Callable[[str, GatewayError], ErrorReply],
    ):
        self.app = app
        self.max_in_flight = max_in_flight
        self.applies_to = applies_to
        self.render_error = render_error
        self.in_flight = 0
        self.refused = 0  # since start (GET /metrics)
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        if not self.applies_to(environ.get("PATH_INFO", "")):
            return self.app(environ, start_response)
        with self._lock:
            admitted = self.in_flight < self.max_in_flight
            if admitted:
                self.in_flight += 1
            else:
                self.refused += 1
        if not admitted:
            return self._refuse(environ.get("PATH_INFO", ""), start_response)

        try:
            result = self.app(environ, start_response)
        except BaseException:
            self._release()
            raise
        return _ClosingIterable(result, self._release)

    def _release(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _refuse(self, path: str, start_response) -> list[bytes]:
        error = ServiceUnavailableError(
            "the gateway is at capacity; retry shortly",
            code="server_overloaded",
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )
        reply = self.render_error(path, error)
        start_response(
            "503 Service Unavailable",
            [
                *reply.headers.items(),
                ("Content-Length", str(len(reply.whole_body))),
            ],
        )
        return [reply.whole_body]


class _ClosingIterable:
    """Wraps a WSGI response so `on_close` runs exactly once when the server closes it."""

    def __init__(self, result: Iterable[bytes], on_close: Callable[[], None]):
        self._result = result
        self._on_close = on_close
        self._closed = False

    def __iter__(self):
        return iter(self._result)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            close = getattr(self._result, "close", None)
            if close is not None:
                close()
        finally:
            self._on_close()
