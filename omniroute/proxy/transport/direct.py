"""The direct transport, the default and fast path: keep-alive pools per provider origin over
http_wire, no proxy.

Not `requests`, nor urllib3: on this stack the HTTP client is the largest cost of a proxied
request, and its generality (session merging, cookie jars, header validation through the
`email` package, a socket timeout set before every call) is the gateway's throughput ceiling. Proxy
environment variables are not read (a proxy is a route, see selector.py). A CA bundle is a TLS
context given to the pool. Network failures become UpstreamUnreachableError /
UpstreamTimeoutError naming the provider.
"""

from __future__ import annotations

import ssl

from .base import READ_SIZE, SendingTransport, StreamingResponse, Timeout
from .errors import network_error
from .http_wire import Body, Connection, Pool, ResponseHeaders, exchange


class WireResponse(StreamingResponse):
    """A provider's answer with its body unread: read it in pieces as it arrives, or whole.
    Closing returns a fully read connection to the pool and drops one left half-read.

    Reads wait the read timeout for each piece, except `read1_by` (a stream before its first
    event: nothing later than a deadline) and, once `started()`, the idle timeout."""

    def __init__(
        self,
        pool: Pool,
        conn: Connection,
        status: int,
        headers: ResponseHeaders,
        body: Body,
        will_close: bool,
        idle_timeout: float | None = None,
    ):
        self._pool = pool
        self._conn: Connection | None = conn
        self._body = body
        self._will_close = will_close
        self._idle_timeout = idle_timeout
        self._on_close = []
        self.status_code = status
        self.headers = headers

    def _set_socket_timeout(self, seconds: float) -> None:
        if self._conn is not None:
            self._conn.stream.timeout = seconds

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


class WireTransport(SendingTransport[WireResponse]):
    """Upstream calls on http_wire: one pool of at most `pool_size` idle connections per
    origin, TLS verified with `tls` (default: the system's CAs)."""

    def __init__(
        self,
        pool_size: int,
        connect_timeout: float,
        read_timeout: float,
        idle_timeout: float | None = None,
        tls: ssl.SSLContext | None = None,
    ):
        self.timeout: Timeout = (connect_timeout, read_timeout)
        self.idle_timeout = idle_timeout  # between stream chunks, once the first event came
        self._pool = Pool(pool_size, tls)

    def _send(self, method, url, body, headers, provider, timeout) -> WireResponse:
        connect, read = timeout or self.timeout
        try:
            conn, status, answer_headers, answer_body, will_close = exchange(
                self._pool, method, url, body, headers, connect, read
            )
        except (OSError, ValueError) as exc:
            raise network_error(exc, provider, url) from exc
        return WireResponse(
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
