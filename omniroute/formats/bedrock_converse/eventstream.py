"""AWS event-stream framing (application/vnd.amazon.eventstream), what ConverseStream answers in.

Reading is botocore's parser (botocore.eventstream.EventStreamBuffer: preludes, headers and
both CRC32 checksums verified). Writing — for the format's StreamEncoder — is one function:
a frame is its total and headers lengths (big-endian uint32), their CRC32, the headers (name
length, name, type 7 = string, value length, value), the payload and the CRC32 of all before.
"""

from __future__ import annotations

import json
import struct
from binascii import crc32
from dataclasses import dataclass
from typing import Any

STRING_HEADER = 7


@dataclass(frozen=True)
class Frame:
    """One decoded message: its :message-type (event, exception, error), its :event-type or
    :exception-type (or :error-code), and its JSON payload."""

    message_type: str
    kind: str
    payload: Any


class FrameError(ValueError):
    """Bytes that are not a well-formed event-stream (a bad checksum, a broken prelude)."""


class FrameReader:
    """Whole frames out of the bytes as they arrive."""

    def __init__(self) -> None:
        # botocore is heavy to import: loaded by the first Bedrock stream, not at start-up
        from botocore.eventstream import EventStreamBuffer

        self._buffer = EventStreamBuffer()

    def feed(self, data: bytes) -> list[Frame]:
        from botocore.eventstream import ParserError  # loaded already by __init__

        self._buffer.add_data(data)
        frames = []
        try:
            for message in self._buffer:
                frames.append(_frame(message.headers, message.payload))
        except ParserError as error:
            raise FrameError(str(error)) from error
        return frames


def _frame(headers: dict, payload: bytes) -> Frame:
    message_type = str(headers.get(":message-type", "event"))
    kind = headers.get(":event-type") or headers.get(":exception-type")
    kind = kind or headers.get(":error-code") or ""
    try:
        value = json.loads(payload) if payload else {}
    except ValueError:
        value = {"message": payload[:500].decode("utf-8", "replace")}
    if message_type == "error" and not isinstance(value, dict):
        value = {}
    if message_type == "error" and "message" not in value:
        value = {**value, "message": str(headers.get(":error-message", ""))}
    return Frame(message_type, str(kind), value)


def encode_frame(headers: dict[str, str], payload: bytes) -> bytes:
    """One event-stream frame with string headers."""
    header_bytes = b"".join(_header(name, value) for name, value in headers.items())
    total = 12 + len(header_bytes) + len(payload) + 4
    prelude = struct.pack(">II", total, len(header_bytes))
    head = prelude + struct.pack(">I", crc32(prelude))
    body = head + header_bytes + payload
    return body + struct.pack(">I", crc32(body))


def _header(name: str, value: str) -> bytes:
    name_bytes, value_bytes = name.encode("utf-8"), value.encode("utf-8")
    return (
        struct.pack(">B", len(name_bytes))
        + name_bytes
        + struct.pack(">BH", STRING_HEADER, len(value_bytes))
        + value_bytes
    )


def event_frame(event_type: str, payload: dict) -> bytes:
    return encode_frame(
        {
            ":event-type": event_type,
            ":content-type": "application/json",
            ":message-type": "event",
        },
        json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
    )


def exception_frame(exception_type: str, message: str) -> bytes:
    return encode_frame(
        {
            ":exception-type": exception_type,
            ":content-type": "application/json",
            ":message-type": "exception",
        },
        json.dumps({"message": message}, ensure_ascii=False).encode("utf-8"),
    )
