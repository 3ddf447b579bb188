"""Reply: what the pipeline hands back to the web layer (status, headers, body or a stream)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

SSE_HEADERS = {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",
}
JSON_HEADERS = {"Content-Type": "application/json"}


@dataclass
class Reply:
    status: int
    body: bytes | Iterable[bytes]
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON_HEADERS))

    @classmethod
    def json(cls, status: int, payload: object, headers: dict[str, str] | None = None) -> Reply:
        return cls(status, json.dumps(payload).encode("utf-8"), {**JSON_HEADERS, **(headers or {})})
