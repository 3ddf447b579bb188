"""A small asyncio HTTP/1.1 client over raw sockets, for the load generator.

Keep-alive connections, Content-Length and chunked bodies, and SSE events timestamped the
moment their terminating blank line arrives. It does the same work on the direct and the
gateway path, so its own overhead cancels out of every "added" figure. Streams in the OpenAI
Chat shape end with `data: [DONE]`, Anthropic Messages streams with `event: message_stop`; on
request it also reads each event's text delta (either shape), so streams of different formats
can be matched piece by piece.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

from bench.config import HOST

MAX_CHUNKS = 100_000  # a guard: no response of the benchmark has more chunks than this
READ_LIMIT = 1 << 20


class ProtocolError(Exception):
    """The server answered something this client cannot read as HTTP/1.1."""


def build_post(port: int, path: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
        f"Accept: */*\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class Connection:
    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(HOST, port, limit=READ_LIMIT)
        return cls(reader, writer)

    def close(self) -> None:
        self.writer.close()


class Pool:
    """Idle keep-alive connections to one port; a new one is opened when none is idle."""

    def __init__(self, port: int):
        self.port = port
        self.idle: list[Connection] = []
        self.opened = 0

    async def get(self) -> Connection:
        if self.idle:
            return self.idle.pop()
        self.opened += 1
        return await Connection.open(self.port)

    def put(self, connection: Connection, reusable: bool) -> None:
        if reusable:
            self.idle.append(connection)
        else:
            connection.close()

    def close(self) -> None:
        for connection in self.idle:
            connection.close()
        self.idle.clear()


async def read_head(reader: asyncio.StreamReader) -> tuple[int, dict[bytes, bytes]]:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        raise ProtocolError("connection closed before the response head") from exc
    lines = head.split(b"\r\n")
    try:
        status = int(lines[0].split(b" ", 2)[1])
    except (IndexError, ValueError) as exc:
        raise ProtocolError(f"bad status line {lines[0][:80]!r}") from exc
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name:
            headers[name.strip().lower()] = value.strip()
    return status, headers


def is_chunked(headers: dict[bytes, bytes]) -> bool:
    return headers.get(b"transfer-encoding", b"").lower() == b"chunked"


def keeps_alive(headers: dict[bytes, bytes]) -> bool:
    return headers.get(b"connection", b"").lower() != b"close"


async def read_chunk(reader: asyncio.StreamReader) -> bytes:
    """One chunk of a chunked body; b"" for the last one (its trailers are consumed)."""
    line = await reader.readline()
    try:
        size = int(line.split(b";", 1)[0].strip(), 16)
    except ValueError as exc:
        raise ProtocolError(f"bad chunk size line {line[:40]!r}") from exc
    if size == 0:
        for _ in range(100):
            if await reader.readline() in (b"\r\n", b"\n", b""):
                break
        return b""
    data = await reader.readexactly(size + 2)
    return data[:-2]


async def read_body(reader: asyncio.StreamReader, headers: dict[bytes, bytes]) -> bytes:
    if is_chunked(headers):
        parts = []
        for _ in range(MAX_CHUNKS):
            chunk = await read_chunk(reader)
            if not chunk:
                return b"".join(parts)
            parts.append(chunk)
        raise ProtocolError("too many chunks")
    return await reader.readexactly(int(headers.get(b"content-length", b"0")))


@dataclass
class Exchange:
    """One whole request/response: status, seconds from write to last byte, head and body."""

    status: int
    elapsed: float
    headers: dict[bytes, bytes]
    body: bytes


async def exchange(pool: Pool, request: bytes) -> Exchange:
    """Send one request on a pooled connection and read the whole answer (a stream too)."""
    connection = await pool.get()
    reusable = False
    try:
        started = time.perf_counter()
        connection.writer.write(request)
        status, headers = await read_head(connection.reader)
        body = await read_body(connection.reader, headers)
        elapsed = time.perf_counter() - started
        reusable = keeps_alive(headers)
        return Exchange(status, elapsed, headers, body)
    finally:
        pool.put(connection, reusable)


@dataclass
class StreamResult:
    status: int = 0
    head_s: float | None = None  # write → response head
    event_s: list[float] = field(default_factory=list)  # write → each data event (not [DONE])
    done: bool = False  # the last event was the end marker ([DONE] or message_stop)
    keep_alive: bool = False  # the server keeps the connection open after this response
    error_events: int = 0  # in-band error events
    body: bytes = b""  # the body of a non-200 answer (first bytes)
    texts: list[str] = field(default_factory=list)  # text deltas, when asked for
    text_s: list[float] = field(default_factory=list)  # write → each text delta


def sse_fields(event: bytes) -> tuple[bytes, bytes]:
    """(event name, data) of one SSE event; data lines are joined with newlines."""
    name, data = b"", []
    for line in event.split(b"\n"):
        if line.startswith(b"data:"):
            data.append(line[5:].lstrip(b" "))
        elif line.startswith(b"event:"):
            name = line[6:].strip()
    return name, b"\n".join(data)


def text_delta(data: bytes) -> str | None:
    """The reply text an event's data adds: an OpenAI Chat delta or an Anthropic text_delta."""
    if b'"content"' not in data and b'"text_delta"' not in data:
        return None
    try:
        payload = json.loads(data)
    except ValueError:
        return None
    if payload.get("type") == "content_block_delta":
        delta = payload.get("delta") or {}
        return delta.get("text") if delta.get("type") == "text_delta" else None
    choices = payload.get("choices") or [{}]
    return (choices[0].get("delta") or {}).get("content") or None


async def read_stream(
    connection: Connection, request: bytes, on_head=None, texts: bool = False
) -> StreamResult:
    """Send a streaming request and timestamp every SSE event (and, if asked, text delta)."""
    result = StreamResult()
    reader = connection.reader
    started = time.perf_counter()
    connection.writer.write(request)
    result.status, headers = await read_head(reader)
    result.head_s = time.perf_counter() - started
    result.keep_alive = keeps_alive(headers)
    if result.status != 200:
        result.body = (await read_body(reader, headers))[:500]
        return result
    if on_head is not None:
        on_head()
    if not is_chunked(headers):
        raise ProtocolError("a stream must be chunked")
    buffer = b""
    for _ in range(MAX_CHUNKS):
        chunk = await read_chunk(reader)
        if not chunk:
            return result
        now = time.perf_counter() - started
        buffer += chunk.replace(b"\r\n", b"\n")
        while b"\n\n" in buffer:
            event, buffer = buffer.split(b"\n\n", 1)
            if not event or event.startswith(b":"):
                continue  # an SSE comment (keep-alive or early headers)
            name, data = sse_fields(event)
            result.done = data == b"[DONE]" or name == b"message_stop"
            if data == b"[DONE]":
                continue
            if b'"error"' in event:
                result.error_events += 1
                continue
            result.event_s.append(now)
            text = text_delta(data) if texts else None
            if text is not None:
                result.texts.append(text)
                result.text_s.append(now)
    raise ProtocolError("too many chunks")
