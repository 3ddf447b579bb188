"""Upstream HTTP: keep-alive connection pools per provider origin (see http_wire).

Not `requests`, nor urllib3: on this stack the HTTP client is the largest cost of a proxied
request, and its generality (session merging, cookie jars, header validation through the
`email` package, a poll before every reuse) is the gateway's throughput ceiling. Proxy
environment variables are not read (configured proxies are applied explicitly). Network failures
become UpstreamUnreachableError / UpstreamTimeoutError naming the provider.
"""

from __future__ import annotations

import time

from ..errors import UpstreamTimeoutError, UpstreamUnreachableError
from ..providers import ProviderSpec
from .http_wire import Body, Connection, Pool, exchange

AUTH_HEADERS = {
    "bearer": lambda key: {"Authorization": f"Bearer {key}"},
    "x-api-key": lambda key: {"x-api-key": key},
    "x-goog-api-key": lambda key: {"x-goog-api-key": key},
    "token": lambda key: {"Authorization": f"Token {key}"},  # Deepgram
    "authorization": lambda key: {"Authorization": key},  # AssemblyAI: the raw key
}
READ_SIZE = 65536


def auth_headers(spec: ProviderSpec, api_key: str) -> dict[str, str]:
    if not api_key:  # a local provider node without a key
        return {}
    return AUTH_HEADERS[spec.auth](api_key)


class UpstreamResponse:
    """A provider's answer with its body unread: read it in pieces as it arrives, or whole.
    Closing returns a fully read connection to the pool and drops one left half-read.

    Reads wait the read timeout for each piece, except `read1_by` (a stream before its first
    event: nothing later than a deadline) and, once `started()`, the idle timeout."""

    def __init__(
        self,
        pool: Pool,
        conn: Connection,
        status: int,
        headers,
        body: Body,
        will_close: bool,
        idle_timeout: float | None = None,
    ):
        self._pool = pool
        self._conn: Connection | None = conn
        self._body = body
        self._will_close = will_close
        self._idle_timeout = idle_timeout
        self._on_close: list = []
        self.status_code = status
        self.headers = headers

    def _set_socket_timeout(self, seconds: float) -> None:
        if self._conn is not None:
            self._conn.sock.settimeout(seconds)

    def started(self) -> None:
        """The answer's first event arrived: from now on a read may wait the idle timeout."""
        if self._idle_timeout is not None:
            self._set_socket_timeout(self._idle_timeout)

    def read1_by(self, deadline: float, amount: int = READ_SIZE) -> bytes:
        """`read1`, giving up (TimeoutError) at `deadline` (time.monotonic()) however often
        bytes trickle in (e.g. keep-alive comments that never become an event)."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out waiting for the first event")
        self._set_socket_timeout(left)
        return self.read1(amount)

    def on_close(self, callback) -> None:
        """Call `callback` once when the response is closed (e.g. release a rate-limit slot)."""
        self._on_close.append(callback)

    def read1(self, amount: int = READ_SIZE) -> bytes:
        """Whatever has arrived (up to `amount` bytes), waiting only for the first byte."""
        return self._body.read1(amount)

    def read_all(self, limit: int | None = None) -> bytes:
        return self._body.read(limit)

    def close(self) -> None:
        """Return a fully read connection to the pool; close one left half-read."""
        conn, self._conn = self._conn, None
        if conn is not None:
            if self._body.complete and not self._will_close:
                self._pool.release(conn)
            else:
                conn.close()
        callbacks, self._on_close = self._on_close, []
        for callback in callbacks:
            callback()

    def __enter__(self) -> UpstreamResponse:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


class UpstreamClient:
    def __init__(
        self,
        pool_size: int,
        connect_timeout: float,
        read_timeout: float,
        idle_timeout: float | None = None,
    ):
        self.timeout = (connect_timeout, read_timeout)
        self.idle_timeout = idle_timeout  # between stream chunks, once the first event came
        self._pool = Pool(pool_size)

    def post(
        self,
        url: str,
        body: bytes,
        headers: dict[str, str],
        *,
        provider: str,
        timeout: tuple[float, float] | None = None,
    ) -> UpstreamResponse:
        """POST and return the response with its body unread."""
        return self._send("POST", url, body, headers, provider, timeout)

    def get(
        self,
        url: str,
        headers: dict[str, str],
        *,
        provider: str,
        timeout: tuple[float, float] | None = None,
    ) -> UpstreamResponse:
        """GET and return the response with its body unread."""
        return self._send("GET", url, None, headers, provider, timeout)

    def _send(self, method, url, body, headers, provider, timeout) -> UpstreamResponse:
        connect, read = timeout or self.timeout
        try:
            conn, status, answer_headers, answer_body, will_close = exchange(
                self._pool, method, url, body, headers, connect, read
            )
        except (OSError, ValueError) as exc:
            raise network_error(exc, provider, url) from exc
        return UpstreamResponse(
            self._pool,
            conn,
            status,
            answer_headers,
            answer_body,
            will_close,
            read if self.idle_timeout is None else self.idle_timeout,
        )

    def close(self) -> None:
        self._pool.clear()


def network_error(exc: BaseException, provider: str, context: str):
    """The gateway error for a network failure while talking to `provider`."""
    text = str(exc).lower()
    if isinstance(exc, TimeoutError) or "timed out" in text:
        return UpstreamTimeoutError(
            f"provider '{provider}' did not answer in time ({context})", provider=provider
        )
    return UpstreamUnreachableError(
        f"provider '{provider}' is unreachable ({context}): {describe_network_error(exc)}",
        provider=provider,
    )


def describe_network_error(exc: BaseException) -> str:
    """A short reason for a network failure, without a long exception repr chain."""
    text = str(exc)
    for marker in (
        "Connection refused",
        "Name or service not known",
        "timed out",
        "Connection reset",
        "Connection aborted",
        "Remote end closed",
        "Connection broken",
    ):
        if marker in text:
            return marker.lower()
    return exc.__class__.__name__
