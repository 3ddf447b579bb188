"""A small HTTP/1.1 client for the upstream calls: keep-alive connections pooled per origin.

On this stack the client is the largest cost of a proxied request: urllib3 on top of
http.client parses each answer's headers with the `email` package, validates every header it
sends, and polls each pooled socket before reusing it. This client writes the request head in
one piece, parses the status line and headers itself, and reads bodies framed by
Content-Length, chunked encoding or the connection's end, piece by piece as they arrive
(`read1`, for streams) or whole.

A pooled connection the server closed while it was idle is noticed when it is reused: a peek
before sending when it has been idle a while, and otherwise an answer that ends before its
first byte, which is retried once on a new connection (the server never read that request).
Failures are OSErrors: TimeoutError for timeouts, ConnectionError subclasses otherwise.
"""

from __future__ import annotations

import select
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterator, Mapping
from functools import lru_cache
from urllib.parse import urlsplit

MAX_HEADER_LINE = 65536
MAX_HEADERS = 200
BUFFER_SIZE = 65536
IDLE_CHECK_SECONDS = 1.0  # a connection idle longer than this is peeked at before reuse
USER_AGENT = "OmniRoute"
NO_BODY_STATUSES = frozenset({204, 304})


class ResponseBroken(ConnectionError):
    """The server broke the HTTP exchange (closed early, or sent something that is not HTTP)."""


class ResponseHeaders(Mapping[str, str]):
    """An answer's headers: looked up without regard to case; repeated names joined by ", "."""

    __slots__ = ("_items", "_by_name")

    def __init__(self, items: list[tuple[str, str]]):
        self._items = items
        by_name: dict[str, str] = {}
        for name, value in items:
            key = name.lower()
            by_name[key] = f"{by_name[key]}, {value}" if key in by_name else value
        self._by_name = by_name

    def __getitem__(self, name: str) -> str:
        return self._by_name[name.lower()]

    def get(self, name: str, default=None):
        return self._by_name.get(name.lower(), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._by_name

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def items(self):  # the names as the server sent them, repeated ones separately
        return list(self._items)

    def __repr__(self) -> str:
        return f"ResponseHeaders({self._items!r})"


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
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
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
    """One keep-alive socket to an origin, with its buffered reader."""

    __slots__ = ("origin", "sock", "reader", "idle_since", "reused")

    def __init__(self, origin: tuple[str, str, int], sock: socket.socket):
        self.origin = origin
        self.sock = sock
        self.reader = sock.makefile("rb", buffering=BUFFER_SIZE)
        self.idle_since = 0.0
        self.reused = False

    def looks_closed(self) -> bool:
        """Has the server closed this idle connection (or sent something unasked)?"""
        try:
            if isinstance(self.sock, ssl.SSLSocket):
                return bool(_readable(self.sock))
            self.sock.setblocking(False)
            try:
                self.sock.recv(1, socket.MSG_PEEK)  # its end (b"") or bytes nobody asked for
            except BlockingIOError:
                return False
            return True
        except OSError:
            return True

    def close(self) -> None:
        try:
            self.reader.close()
        finally:
            self.sock.close()


def _readable(sock: socket.socket) -> bool:
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable)


class Pool:
    """Idle keep-alive connections per origin (most recently used first), at most `size` each."""

    def __init__(self, size: int, tls: ssl.SSLContext | None = None):
        self.size = size
        self._tls = tls
        self._idle: dict[tuple[str, str, int], list[Connection]] = {}
        self._lock = threading.Lock()

    def acquire(self, origin: tuple[str, str, int], connect_timeout: float) -> Connection:
        now = time.monotonic()
        while True:
            with self._lock:
                idle = self._idle.get(origin)
                conn = idle.pop() if idle else None
            if conn is None:
                return self.connect(origin, connect_timeout)
            if now - conn.idle_since < IDLE_CHECK_SECONDS or not conn.looks_closed():
                conn.reused = True
                return conn
            conn.close()

    def release(self, conn: Connection) -> None:
        conn.idle_since = time.monotonic()
        with self._lock:
            idle = self._idle.setdefault(conn.origin, [])
            if len(idle) < self.size:
                idle.append(conn)
                return
        conn.close()

    def clear(self) -> None:
        with self._lock:
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


class Body:
    """An answer's body as it arrives: framed by Content-Length, chunks or the connection's end."""

    def __init__(self, reader, length: int | None, chunked: bool, encoding: str):
        self._reader = reader
        self._left = length  # bytes left: of the body (length) or of this chunk (chunked)
        self._chunked = chunked
        self._until_close = length is None and not chunked
        self.complete = length == 0
        self._decoder = _decoder(encoding)
        if chunked:
            self._left = 0

    def read1(self, amount: int) -> bytes:
        """What has arrived (at most `amount` raw bytes), waiting only for the first."""
        while not self.complete:
            data = self._raw_read1(amount)
            if self._decoder is None:
                return data
            data = self._decoder.decompress(data) if data else self._decoder.flush()
            if data or self.complete:
                return data
        return b""

    def read(self, limit: int | None = None) -> bytes:
        """The rest of the body (decoded), or its first `limit` bytes."""
        pieces, size = [], 0
        while not self.complete and (limit is None or size < limit):
            piece = self.read1(BUFFER_SIZE if limit is None else min(BUFFER_SIZE, limit - size))
            pieces.append(piece)
            size += len(piece)
        return b"".join(pieces)

    def _raw_read1(self, amount: int) -> bytes:
        if self._until_close:
            data = self._reader.read1(amount)
            self.complete = not data
            return data
        if self._chunked and self._left == 0:
            self._left = self._chunk_size()
            if self._left == 0:
                self._skip_trailers()
                self.complete = True
                return b""
        data = self._reader.read1(min(amount, self._left))
        if not data:
            raise ResponseBroken("Connection broken: the answer ended before its end")
        self._left -= len(data)
        if self._left == 0:
            if self._chunked:
                self._reader.readline(MAX_HEADER_LINE)  # the CRLF after a chunk
            else:
                self.complete = True
        return data

    def _chunk_size(self) -> int:
        line = self._reader.readline(MAX_HEADER_LINE)
        if not line:
            raise ResponseBroken("Connection broken: the answer ended before its end")
        try:
            return int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise ResponseBroken("Connection broken: a malformed chunk size") from None

    def _skip_trailers(self) -> None:
        for _ in range(MAX_HEADERS):
            line = self._reader.readline(MAX_HEADER_LINE)
            if line in (b"\r\n", b"\n", b""):
                return


def _decoder(encoding: str):
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    return None


def read_head(reader) -> tuple[int, ResponseHeaders]:
    """The status code and headers of the next answer (1xx interim answers skipped)."""
    while True:
        line = reader.readline(MAX_HEADER_LINE)
        if not line:
            raise ResponseBroken("Remote end closed connection without response")
        parts = line.split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
            raise ResponseBroken(f"Connection broken: not an HTTP answer: {line[:60]!r}")
        status = int(parts[1])
        items = _read_headers(reader)
        if not 100 <= status < 200:
            return status, ResponseHeaders(items)


def _read_headers(reader) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for _ in range(MAX_HEADERS + 1):
        line = reader.readline(MAX_HEADER_LINE)
        if line in (b"\r\n", b"\n"):
            return items
        if not line:
            raise ResponseBroken("Connection broken: the answer ended in its headers")
        text = line.decode("latin-1").rstrip("\r\n")
        if text[:1] in (" ", "\t") and items:  # an obsolete folded continuation
            name, value = items[-1]
            items[-1] = (name, f"{value} {text.strip()}")
            continue
        name, sep, value = text.partition(":")
        if sep:
            items.append((name.strip(), value.strip()))
    raise ResponseBroken("Connection broken: too many headers in the answer")


def body_of(method: str, status: int, headers: ResponseHeaders, reader) -> tuple[Body, bool]:
    """The body reader for an answer and whether the connection must close after it."""
    will_close = "close" in headers.get("connection", "").lower()
    encoding = headers.get("content-encoding", "")
    if method == "HEAD" or status in NO_BODY_STATUSES:
        return Body(reader, 0, False, ""), will_close
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return Body(reader, None, True, encoding), will_close
    length = headers.get("content-length")
    if length is not None:
        try:
            size = int(length.split(",")[0])
        except ValueError:
            raise ResponseBroken("Connection broken: a malformed Content-Length") from None
        return Body(reader, size, False, encoding), will_close
    return Body(reader, None, False, encoding), True


class Stale(ConnectionError):
    """A reused connection turned out closed before the server read the request."""


def exchange(pool: Pool, method, url, body, headers, connect_timeout, read_timeout):
    """Send one request and read the answer's head: (connection, status, headers, body,
    will_close). A reused connection found closed before any answer is replaced once."""
    origin, target, host_header = split_url(url)
    head = request_head(method, target, host_header, headers, None if body is None else len(body))
    try:
        return _attempt(pool.acquire(origin, connect_timeout), method, head, body, read_timeout)
    except Stale:  # the other idle connections may be stale too: a new one
        return _attempt(pool.connect(origin, connect_timeout), method, head, body, read_timeout)


def _attempt(conn: Connection, method, head, body, read_timeout):
    try:
        return (conn, *_send_and_read_head(conn, method, head, body, read_timeout))
    except BaseException:
        conn.close()
        raise


def _send_and_read_head(conn: Connection, method, head, body, read_timeout):
    conn.sock.settimeout(read_timeout)
    try:
        if body and len(body) <= BUFFER_SIZE:
            conn.sock.sendall(head + body)
        else:
            conn.sock.sendall(head)
            if body:
                conn.sock.sendall(body)
        status, headers = read_head(conn.reader)
    except (ResponseBroken, BrokenPipeError, ConnectionResetError) as exc:
        if conn.reused and not _answer_started(exc):
            raise Stale(str(exc)) from exc
        raise
    body_reader, will_close = body_of(method, status, headers, conn.reader)
    return status, headers, body_reader, will_close


def _answer_started(exc: BaseException) -> bool:
    return not (
        isinstance(exc, BrokenPipeError | ConnectionResetError)
        or str(exc) == "Remote end closed connection without response"
    )
