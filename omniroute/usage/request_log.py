"""Request logs (ENABLE_REQUEST_LOGS): each request's body and answer, secrets redacted, bounded.

Off by default: then nothing is captured and this costs nothing. On: the request body and the
answer (the whole JSON, or a stream's bytes as relayed) are kept up to MAX_BODY_BYTES each, with
secrets replaced by "[redacted]" — values of JSON fields whose names say key, token, secret,
password or authorization, and anything that looks like a provider or gateway key (`sk-…`,
`Bearer …`, Google `AIza…`). The usage writer stores them with the usage row (linked by
`request_id`) and keeps at most REQUEST_LOG_HOURS of them, and at most MAX_ROWS.
"""

from __future__ import annotations

import re

MAX_BODY_BYTES = 65536
MAX_ROWS = 10_000
REDACTED = "[redacted]"

_SECRET_FIELD = re.compile(
    rb'("[^"]*(?:api[_-]?key|token|secret|password|authorization)[^"]*"\s*:\s*)"[^"]*"',
    re.IGNORECASE,
)
_SECRET_VALUE = re.compile(
    rb"(?:sk-[A-Za-z0-9_\-]{8,}|Bearer\s+[A-Za-z0-9._\-]{8,}|AIza[0-9A-Za-z_\-]{20,})"
)


def redact(body: bytes) -> str:
    """The body as text, cut at MAX_BODY_BYTES, with secrets replaced."""
    cut = body[:MAX_BODY_BYTES]
    cut = _SECRET_FIELD.sub(rb'\1"' + REDACTED.encode() + rb'"', cut)
    cut = _SECRET_VALUE.sub(REDACTED.encode(), cut)
    text = cut.decode("utf-8", "replace")
    return text + ("\n…[cut]" if len(body) > MAX_BODY_BYTES else "")


class Capture:
    """The bodies of one request while it runs (only made when request logs are on)."""

    def __init__(self, request: bytes):
        self.request = request
        self.response = bytearray()

    def add(self, data: bytes) -> None:
        room = MAX_BODY_BYTES + 1 - len(self.response)
        if room > 0:
            self.response += data[:room]

    def as_row(self) -> dict:
        return {"request_body": redact(self.request), "response_body": redact(bytes(self.response))}
