"""Server-sent events: split a byte stream into whole events, and read an event's fields.

`SSESplitter.feed()` takes bytes exactly as they arrive from the network and returns every event
completed by them, each as the raw bytes of the event including its blank-line terminator, so a
passthrough can forward an event the moment it is whole and untouched.
"""

from __future__ import annotations

import json

_TERMINATORS = (b"\r\n\r\n", b"\n\n", b"\r\r")


class SSESplitter:
    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, data: bytes) -> list[bytes]:
        buffer = self._buffer + data
        events = []
        while True:
            cut = _earliest_terminator(buffer)
            if cut < 0:
                break
            events.append(buffer[:cut])
            buffer = buffer[cut:]
        self._buffer = buffer
        return events

    def pending(self) -> bytes:
        """Bytes received that do not yet form a whole event."""
        return self._buffer


def _earliest_terminator(buffer: bytes) -> int:
    best = -1
    for terminator in _TERMINATORS:
        index = buffer.find(terminator)
        if index >= 0 and (best < 0 or index + len(terminator) < best):
            best = index + len(terminator)
    return best


def event_fields(raw: bytes) -> tuple[str | None, bytes]:
    """(event name, data) of one raw event; data lines are joined with newlines."""
    name = None
    data_lines = []
    for line in raw.splitlines():
        if line.startswith(b"data:"):
            data_lines.append(line[6:] if line[5:6] == b" " else line[5:])
        elif line.startswith(b"event:"):
            name = line[6:].strip().decode("utf-8", "replace")
    return name, b"\n".join(data_lines)


def event_json(raw: bytes) -> dict | None:
    """The JSON object an event's data holds, or None (no data, not JSON, not an object)."""
    _, data = event_fields(raw)
    try:
        value = json.loads(data)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def encode_event(data: bytes | str, event: str | None = None) -> bytes:
    """One SSE event with a single data line (data must not contain newlines)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    head = f"event: {event}\n".encode() if event else b""
    return head + b"data: " + data + b"\n\n"
