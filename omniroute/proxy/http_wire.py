"""A small HTTP/1.1 client for the upstream calls: keep-alive connections pooled per origin.

On this stack the client is the largest cost of a proxied request: urllib3 on top of
http.client parses each answer's headers with the `email` package, validates every header it
sends, and polls each pooled socket before reusing it. This client writes the request head in
one piece, parses the status line and headers itself, and reads bodies framed by
Content-Length, chunked encoding or the connection's end, piece by piece as they arrive
(`read1`, for streams) or whole.

A pooled connection the server closed while it was idle is noticed before it is reused (a peek
at the socket), and when sending on it fails (the server closed it meanwhile): the request then
goes once more on a new connection. Once a request is wholly sent it is never sent again (the
server may have acted on it): an answer that breaks off after that is an error for the caller's
fallback rules. Failures are OSErrors: TimeoutError for timeouts, ConnectionError otherwise.
"""

from __future__ import annotations

import socket
import ssl
import threading
import zlib
from collections.abc import Iterator, Mapping
from functools import lru_cache
from urllib.parse import quote, urlsplit

MAX_HEADER_LINE = 65536
MAX_HEADERS = 200
BUFFER_SIZE = 65536
USER_AGENT = "OmniRoute"
TARGET_SAFE = "/:?=&%@!$'()*+,;~-._"  # kept as they are in a request target; the rest escaped
NO_BODY_STATUSES = frozenset({204, 304})
HEX_DIGITS = b"0123456789abcdefABCDEF"


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
    """One keep-alive socket to an origin, with its buffered reader."""

    __slots__ = ("origin", "sock", "reader", "reused")

    def __init__(self, origin: tuple[str, str, int], sock: socket.socket):
        self.origin = origin
        self.sock = sock
        self.reader = sock.makefile("rb", buffering=BUFFER_SIZE)
        self.reused = False

    def looks_closed(self) -> bool:
        """Has the server closed this idle connection, or sent something nobody asked for
        (already buffered, or waiting in the socket)?"""
        try:
            self.sock.setblocking(False)
            try:
                if self.reader.peek(1):
                    return True
            except (BlockingIOError, ssl.SSLWantReadError):
                return False  # nothing to read: open
            if isinstance(self.sock, ssl.SSLSocket):
                return True  # an open TLS socket would have raised SSLWantReadError
            try:  # a plain socket's b"" is its end or nothing yet: ask without reading
                self.sock.recv(1, socket.MSG_PEEK)
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
        """What has arrived (at most `amount` bytes), waiting only for the first."""
        decoder = self._decoder
        if decoder is None:
            return self._raw_read1(amount) if not self.complete else b""
        while True:
            if decoder.unconsumed_tail:  # decoded output held back by `amount` last time
                data = decoder.decompress(decoder.unconsumed_tail, amount)
            elif self.complete:
                return decoder.flush()[:amount]
            else:
                raw = self._raw_read1(amount)
                data = decoder.decompress(raw, amount) if raw else decoder.flush()[:amount]
            if data or (self.complete and not decoder.unconsumed_tail):
                return data

    def read(self, limit: int | None = None) -> bytes:
        """The rest of the body (decoded), or its first `limit` bytes."""
        pieces, size = [], 0
        while not self.done and (limit is None or size < limit):
            piece = self.read1(BUFFER_SIZE if limit is None else min(BUFFER_SIZE, limit - size))
            pieces.append(piece)
            size += len(piece)
        return b"".join(pieces)

    @property
    def done(self) -> bool:
        """Everything read and decoded."""
        return self.complete and not (self._decoder and self._decoder.unconsumed_tail)

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
            if not self._chunked:
                self.complete = True
            elif self._reader.readline(MAX_HEADER_LINE) not in (b"\r\n", b"\n"):
                raise ResponseBroken("Connection broken: a chunk without its line end")
        return data

    def _chunk_size(self) -> int:
        line = self._reader.readline(MAX_HEADER_LINE)
        if not line:
            raise ResponseBroken("Connection broken: the answer ended before its end")
        size = line.split(b";", 1)[0].strip()
        if not size or size.strip(HEX_DIGITS):
            raise ResponseBroken("Connection broken: a malformed chunk size")
        return int(size, 16)

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


def read_head(reader) -> tuple[int, ResponseHeaders, bool]:
    """The status code and headers of the next answer (1xx interim answers skipped), and
    whether it is HTTP/1.0 (no keep-alive unless it says so)."""
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
            return status, ResponseHeaders(items), parts[0] == b"HTTP/1.0"


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


def body_of(
    method: str, status: int, headers: ResponseHeaders, reader, http10: bool = False
) -> tuple[Body, bool]:
    """The body reader for an answer and whether the connection must close after it."""
    connection = headers.get("connection", "").lower()
    will_close = "close" in connection or (http10 and "keep-alive" not in connection)
    encoding = headers.get("content-encoding", "")
    if method == "HEAD" or status in NO_BODY_STATUSES:
        return Body(reader, 0, False, ""), will_close
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return Body(reader, None, True, encoding), will_close
    length = headers.get("content-length")
    if length is not None:
        values = {value.strip() for value in length.split(",")}
        value = values.pop() if len(values) == 1 else ""
        if not (value.isascii() and value.isdigit()):
            raise ResponseBroken(f"Connection broken: a malformed Content-Length: {length!r}")
        return Body(reader, int(value), False, encoding), will_close
    return Body(reader, None, False, encoding), True


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
    conn.sock.settimeout(read_timeout)
    try:
        if body and len(body) <= BUFFER_SIZE:
            conn.sock.sendall(head + body)
        else:
            conn.sock.sendall(head)
            if body:
                conn.sock.sendall(body)
    except (BrokenPipeError, ConnectionResetError) as exc:
        if conn.reused:
            raise Stale(str(exc)) from exc
        raise
