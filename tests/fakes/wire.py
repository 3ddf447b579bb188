"""HTTP/1.1 on asyncio streams for the fake upstream: read a request, send a body or an SSE stream.

Responses are either `Content-Length` bodies or `Transfer-Encoding: chunked` event streams, one
HTTP chunk per SSE event so each event leaves when it is produced. A stream honours the
behaviour's `first_event_delay` (after the headers; with `heartbeat_interval`, SSE comments
`: keep-alive` are sent meanwhile, never an event), `chunk_interval` (between events),
`reset_after_chunks` (abort the connection before event N) and `stall_after_chunks` (go silent
before event N for `stall_seconds`, the connection held open), and logs every event it sends to
`stream_log` as (monotonic time, text). An empty frame (an empty `raw_body`) sends nothing.
When the client (the gateway) closes the connection before the stream is over, the first write
that fails records (monotonic time, events sent) in `aborted`, so tests can see when a client
gave up a stream — a closed socket is noticed at the next write, one `chunk_interval` or two.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass

from tests.fakes.recording import Recorded
from tests.fakes.script import Behavior


@dataclass
class Frame:
    """One SSE event, framing included, and the text `stream_log` records for it."""

    data: bytes
    log: str


def sse(payload: dict, event: str | None = None, newline: str = "\n") -> Frame:
    text = json.dumps(payload)
    head = f"event: {event}{newline}" if event else ""
    return Frame(f"{head}data: {text}{newline}{newline}".encode(), text)


async def read_request(reader: asyncio.StreamReader, writer) -> Recorded | None:
    line = await reader.readline()
    while line in (b"\r\n", b"\n"):  # stray blank lines between keep-alive requests
        line = await reader.readline()
    if not line:
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers = {}
    while True:
        header = await reader.readline()
        if header in (b"\r\n", b"\n", b""):
            break
        name, _, value = header.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    raw = b""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raw = await _read_chunked(reader)
    elif "content-length" in headers:
        raw = await reader.readexactly(int(headers["content-length"]))
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw
    return Recorded(method, path, headers, body)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    raw = b""
    while True:
        size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return raw
        raw += await reader.readexactly(size)
        await reader.readline()


async def send(writer, status: int, payload: bytes, headers: dict[str, str]) -> None:
    head = f"HTTP/1.1 {status} X\r\nContent-Length: {len(payload)}\r\n"
    for name, value in headers.items():
        head += f"{name}: {value}\r\n"
    writer.write((head + "\r\n").encode() + payload)
    await writer.drain()


async def _before_first_event(writer, behavior: Behavior) -> None:
    """Wait `first_event_delay`, sending an SSE comment every `heartbeat_interval` if set."""
    delay, interval = behavior.first_event_delay, behavior.heartbeat_interval
    if interval <= 0:
        if delay:
            await asyncio.sleep(delay)
        return
    deadline = time.monotonic() + delay
    while (left := deadline - time.monotonic()) > 0:
        await asyncio.sleep(min(interval, left))
        if deadline - time.monotonic() > 0:
            comment = b": keep-alive\n\n"
            writer.write(b"%x\r\n%s\r\n" % (len(comment), comment))
            await writer.drain()


async def send_json(writer, status: int, payload, headers: dict[str, str] | None = None) -> None:
    await send(
        writer,
        status,
        json.dumps(payload).encode(),
        {"Content-Type": "application/json", **(headers or {})},
    )


async def send_stream(
    writer, behavior: Behavior, frames: list[Frame], end: bytes, stream_log, aborted=None
) -> bool:
    """Send `frames` as a chunked event stream, then `end` (not an event); False after a reset."""
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
        "Transfer-Encoding: chunked\r\nCache-Control: no-cache\r\n"
    )
    for name, value in behavior.headers.items():
        head += f"{name}: {value}\r\n"
    writer.write((head + "\r\n").encode())
    await writer.drain()
    sent = 0
    try:
        await _before_first_event(writer, behavior)
        for sent, frame in enumerate(frames):
            if behavior.reset_after_chunks is not None and sent >= behavior.reset_after_chunks:
                writer.transport.abort()
                return False
            await _send_event(writer, behavior, sent, frame, stream_log)
        sent = len(frames)
        if end:
            writer.write(b"%x\r\n%s\r\n" % (len(end), end))
        writer.write(b"0\r\n\r\n")
        await writer.drain()
    except ConnectionError:
        if aborted is not None:
            aborted.append((time.monotonic(), sent))
        raise
    return True


async def _send_event(writer, behavior: Behavior, sent: int, frame: Frame, stream_log) -> None:
    if sent == behavior.stall_after_chunks:
        await asyncio.sleep(behavior.stall_seconds)
    if sent and behavior.chunk_interval:
        await asyncio.sleep(behavior.chunk_interval)
    if not frame.data:
        return  # a zero-size chunk would end the chunked body early
    if writer.transport.is_closing():
        raise ConnectionResetError("the client closed the stream")
    writer.write(b"%x\r\n%s\r\n" % (len(frame.data), frame.data))
    await writer.drain()
    stream_log.append((time.monotonic(), frame.log))
