"""Reply: what the pipeline hands back to the web layer (status, headers, body or a stream), and
the RequestTrace of the request it answers, when it has one (for the access log's line).

Header values can carry what a client sent (the model id in X-OmniRoute-Model) or a provider
answered; `wire_headers` makes each one sendable: printable ASCII of at most HEADER_VALUE_LIMIT
characters is kept as it is, anything else is percent-encoded (UTF-8) and cut to that length.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from ..usage.trace import RequestTrace

SSE_HEADERS = {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",
}
JSON_HEADERS = {"Content-Type": "application/json"}
HEADER_VALUE_LIMIT = 256
HEADER_SAFE = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) != "%")
CUT_ESCAPE = re.compile(r"%[0-9A-F]?$")


@dataclass
class Reply:
    status: int
    body: bytes | Iterable[bytes]
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON_HEADERS))
    trace: RequestTrace | None = field(default=None, repr=False, compare=False)

    @classmethod
    def json(cls, status: int, payload: object, headers: dict[str, str] | None = None) -> Reply:
        return cls(status, json.dumps(payload).encode("utf-8"), {**JSON_HEADERS, **(headers or {})})

    @property
    def whole_body(self) -> bytes:
        """The body of a reply made in one piece, as every error reply is (never a stream's)."""
        assert isinstance(self.body, bytes), "a streamed reply has no body in one piece"
        return self.body


def header_value(value: str) -> str:
    """`value` as a response header can carry it (see the module docstring)."""
    if len(value) <= HEADER_VALUE_LIMIT and value.isascii() and value.isprintable():
        return value
    encoded = quote(value[: HEADER_VALUE_LIMIT * 3], safe=HEADER_SAFE, errors="replace")
    return CUT_ESCAPE.sub("", encoded[:HEADER_VALUE_LIMIT])


def wire_headers(headers: Mapping[str, str]) -> list[tuple[str, str]]:
    """The reply's headers with every value made sendable (`header_value`)."""
    return [(name, header_value(value)) for name, value in headers.items()]
