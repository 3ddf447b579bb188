"""How a log record becomes one line: readable text, or one JSON object.

A record's structured fields are the attributes a caller added with `extra=` (everything a
LogRecord does not have by itself). The JSON line holds time, level, logger and message, then
those fields, then the traceback when there is one. The text line is the time, level, logger
and message (the message already says what the fields say); control characters in the message
are escaped, so a client-chosen value (a path with an encoded newline) cannot forge a line.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

STANDARD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The fields a caller attached to `record` with `extra=`."""
    attributes = record.__dict__
    return {
        name: attributes[name]
        for name in attributes.keys() - STANDARD_ATTRIBUTES
        if not name.startswith("_")
    }


def iso_time(created: float) -> str:
    """`created` (a record's epoch seconds) as UTC ISO 8601 with milliseconds."""
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")


def escape_controls(text: str) -> str:
    """`text` with control characters (newlines included) written as escapes."""
    if not CONTROL_CHARACTERS.search(text):
        return text
    return CONTROL_CHARACTERS.sub(lambda match: repr(match.group())[1:-1], text)


class TextFormatter(logging.Formatter):
    """`2025-01-31T09:00:00.123+00:00 INFO omniroute.access: POST /v1/messages 200 …`"""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return iso_time(record.created)

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape_controls(record.message)
        return super().formatMessage(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": iso_time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in record_fields(record).items():
            line.setdefault(name, value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)
