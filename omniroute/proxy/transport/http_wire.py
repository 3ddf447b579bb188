"""A small HTTP/1.1 client for the upstream calls: keep-alive connections pooled per origin.

On this stack the client is the largest cost of a proxied request: urllib3 on top of
http.client parses each answer's headers with the `email` package and validates every header it
sends. This client writes the request head in one piece, parses the status line and headers
itself, and reads bodies framed by Content-Length, chunked encoding or the connection's end,
piece by piece as they arrive (`read1`, for streams) or whole, on a socket that makes no
system call it can do without (socket_stream.py). The answer is read strictly
(http_framing): an answer whose framing is in doubt is a ResponseBroken error and its
connection is closed, never reused.

A pooled connection the server closed while it was idle, or sent bytes nobody asked for on
(buffered by the reader or still in the socket), is noticed before it is reused, and when
sending on it fails (the server closed it meanwhile): the request then goes once more on a new
connection. Once a request is wholly sent it is never sent again (the server may have acted on
it): an answer that breaks off after that is an error for the caller's fallback rules.
Failures are OSErrors: TimeoutError for timeouts, ConnectionError otherwise.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Mapping
from functools import lru_cache
from io import BufferedReader
from urllib.parse import quote, urlsplit

from .http_framing import BUFFER_SIZE, Body, ResponseBroken, ResponseHeaders, body_of, read_head
from .socket_stream import socket_stream

__all__ = [
    "Body",
    "Connection",
    "Pool",
    "ResponseBroken",
    "ResponseHeaders",
    "exchange",
    "request_head",
    "split_url",
]

USER_AGENT = "OmniRoute"
TARGET_SAFE = "/:?=&%@!$'()*+,;~-._"  # kept as they are in a request target; the rest escaped


@lru_cache(maxsize=4096)
def split_url(url: str) -> tuple[tuple[str, str, int], str, str]:
    """(origin (scheme, host, port), request target, Host header) of an http(s) URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    default_port = 443 if scheme == "https" else 80
    port = parts.port or default_port
    host = parts.hostname
    shown = f"[{host}]" if ":" in host else host
    host_header = shown if port == default_port else f"{shown}:{port}"
    target = quote(parts.path or "/", safe=TARGET_SAFE)
    if parts.query:
        target = f"{target}?{quote(parts.query, safe=TARGET_SAFE)}"
    return (scheme, host, port), target, host_header


def request_head(
    method: str, target: str, host_header: str, headers: Mapping[str, str], length: int | None
) -> bytes:
    """The request line and headers, ready to send; refuses a header that would split."""
    lines = [f"{method} {target} HTTP/1.1"]
    given = {name.lower() for name in headers}
    if "host" not in given:
        lines.append(f"Host: {host_header}")
    if "user-agent" not in given:
        lines.append(f"User-Agent: {USER_AGENT}")
    if "accept-encoding" not in given:
        lines.append("Accept-Encoding: identity")
    if length is not None and "content-length" not in given:
        lines.append(f"Content-Length: {length}")
    for name, value in headers.items():
        value = str(value)
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name or ":" in name:
            raise ValueError(f"header {name!r} has a character that is not allowed")
        lines.append(f"{name}: {value}")
    lines.append("\r\n")
    return "\r\n".join(lines).encode("latin-1")


class Connection:
    """One keep-alive socket to an origin, its stream and the buffered reader on it."""

    __slots__ = ("origin", "sock", "stream", "reader", "reused")

    def __init__(self, origin: tuple[str, str, int], sock: socket.socket):
        self.origin = origin
        self.sock = sock
        self.stream = socket_stream(sock)
        self.reader = BufferedReader(self.stream, BUFFER_SIZE)
        self.reused = False

    def looks_closed(self) -> bool:
        """Has the server closed this idle connection, or sent something nobody asked for
        (already buffered, or waiting in the socket)?"""
        try:
            return bool(self.stream.buffered(self.reader)) or self.stream.has_news()
        except OSError:
            return True

    def close(self) -> None:
        try:
            self.reader.close()
        finally:
            self.sock.close()


class Pool:
    """Idle keep-alive connections per origin (most recently used first), at most `size` each."""

    def __init__(self, size: int, tls: ssl.SSLContext | None = None):
        self.size = size
        self._tls = tls
        self._idle: dict[tuple[str, str, int], list[Connection]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def acquire(self, origin: tuple[str, str, int], connect_timeout: float) -> Connection:
        while True:
            with self._lock:
                idle = self._idle.get(origin)
                conn = idle.pop() if idle else None
            if conn is None:
                return self.connect(origin, connect_timeout)
            if not conn.looks_closed():
                conn.reused = True
                return conn
            conn.close()

    def release(self, conn: Connection) -> None:
        with self._lock:
            idle = self._idle.setdefault(conn.origin, [])
            if len(idle) < self.size and not self._closed:
                idle.append(conn)
                return
        conn.close()

    def clear(self) -> None:
        """Close the idle connections, and every busy one as it comes back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                conn.close()

    def connect(self, origin: tuple[str, str, int], timeout: float) -> Connection:
        """A new connection (not from the idle ones)."""
        scheme, host, port = origin
        sock = socket.create_connection((host, port), timeout=timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if scheme == "https":
                sock = self._tls_context().wrap_socket(sock, server_hostname=host)
        except BaseException:
            sock.close()
            raise
        return Connection(origin, sock)

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = ssl.create_default_context()
        return self._tls


class Stale(ConnectionError):
    """Sending on a reused connection failed: the server had closed it, and read nothing."""


def exchange(pool: Pool, method, url, body, headers, connect_timeout, read_timeout):
    """Send one request and read the answer's head: (connection, status, headers, body,
    will_close). A reused connection that turns out closed while sending is replaced once."""
    origin, target, host_header = split_url(url)
    head = request_head(method, target, host_header, headers, None if body is None else len(body))
    try:
        return _attempt(pool.acquire(origin, connect_timeout), method, head, body, read_timeout)
    except Stale:  # the other idle connections may be closed too: a new one
        return _attempt(pool.connect(origin, connect_timeout), method, head, body, read_timeout)


def _attempt(conn: Connection, method, head, body, read_timeout):
    try:
        _send(conn, head, body, read_timeout)
        status, headers, http10 = read_head(conn.reader)
        body_reader, will_close = body_of(method, status, headers, conn.reader, http10)
        return conn, status, headers, body_reader, will_close
    except BaseException:
        conn.close()
        raise


def _send(conn: Connection, head: bytes, body: bytes | None, read_timeout: float) -> None:
    stream = conn.stream
    stream.timeout = read_timeout
    try:
        if body and len(body) <= BUFFER_SIZE:
            stream.sendall(head + body)
        else:
            stream.sendall(head)
            if body:
                stream.sendall(body)
    except (BrokenPipeError, ConnectionResetError) as exc:
        if conn.reused:
            raise Stale(str(exc)) from exc
        raise
