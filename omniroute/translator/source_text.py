"""Read pasted input (JSON or an SSE transcript) and say where it is broken.

A JSON error names its line and column; an SSE transcript is split into events, each event's
data checked as JSON with the error's line and column in the whole transcript. A well-formed
body the wire format refuses (an InvalidRequestError) is reported with the field it names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _


class InputError(ValueError):
    """Input that cannot be translated; `line`/`column` (1-based) or `path` say where. `code`
    names the problem for a page that words it itself, `params` its values, `detail` the
    technical detail (a parser's or a wire format's own English)."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        column: int | None = None,
        path: str | None = None,
        *,
        code: str = "",
        params: dict[str, str] | None = None,
        detail: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.path = path
        self.code = code
        self.params = params or {}
        self.detail = detail

    def location(self) -> dict:
        found = {"line": self.line, "column": self.column, "path": self.path}
        return {key: value for key, value in found.items() if value is not None}


def load_json(text: str) -> Any:
    """The JSON value of `text`; InputError with line and column when it is not JSON."""
    if not text.strip():
        raise InputError(_("The input is empty: paste a JSON body."), 1, 1)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            _("Not valid JSON: %(reason)s", reason=error.msg),
            error.lineno,
            error.colno,
            code="invalid_json",
            detail=error.msg,
        ) from None


@dataclass
class SSEEvent:
    """One event of a transcript: its raw text, name, data and the line it starts on."""

    raw: str
    line: int
    name: str | None = None
    data: str = ""
    data_lines: list[tuple[int, int]] = field(default_factory=list)  # (line, column offset)

    @property
    def payload(self) -> Any:
        return None if self.data.strip() == "[DONE]" else json.loads(self.data)


def split_sse(text: str) -> list[SSEEvent]:
    """The transcript's events, each data checked as JSON (or `[DONE]`)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    events: list[SSEEvent] = []
    block: list[str] = []
    start = 1
    for number, line in enumerate([*lines, ""], start=1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            events.append(_event(block, start))
            block = []
    if not any(event.data for event in events):
        raise InputError(_("No SSE events found: paste lines like `data: {…}`."), 1, 1)
    for event in events:
        _check_data(event)
    return events


def _event(block: list[str], start: int) -> SSEEvent:
    event = SSEEvent("\n".join(block) + "\n\n", start)
    data = []
    for offset, line in enumerate(block):
        if line.startswith("data:"):
            skip = 6 if line[5:6] == " " else 5
            data.append(line[skip:])
            event.data_lines.append((start + offset, skip))
        elif line.startswith("event:"):
            event.name = line[6:].strip()
    event.data = "\n".join(data)
    return event


def _check_data(event: SSEEvent) -> None:
    if not event.data_lines or event.data.strip() == "[DONE]":
        return
    try:
        json.loads(event.data)
    except json.JSONDecodeError as error:
        line, offset = event.data_lines[min(error.lineno, len(event.data_lines)) - 1]
        raise InputError(
            _("Event data is not valid JSON: %(reason)s", reason=error.msg),
            line,
            error.colno + offset,
            code="invalid_event_json",
            detail=error.msg,
        ) from None
