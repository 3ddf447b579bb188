"""Request logs (ENABLE_REQUEST_LOGS): each request's body and answer, secrets redacted, bounded.

Off by default: then nothing is captured and this costs nothing. On: the request body and the
answer (the whole JSON, or a stream's bytes as relayed) are kept up to MAX_BODY_BYTES each, with
secrets replaced by "[redacted]" — values of JSON fields whose names say key, token, secret,
password or authorization, and anything that looks like a provider or gateway key (`sk-…`,
`Bearer …`, Google `AIza…`). The client's headers are kept too, as JSON pairs, with the value of
every header whose name says key, token, secret, auth or cookie replaced by "•••" before it is
stored (a secret never reaches the database). The usage writer stores them with the usage row
(linked by `request_id`) and keeps at most REQUEST_LOG_HOURS of them, and at most MAX_ROWS.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

MAX_BODY_BYTES = 65536
MAX_HEADER_VALUE_CHARS = 1000
MAX_HEADERS = 100
MAX_ROWS = 10_000
REDACTED = "[redacted]"
HIDDEN_HEADER = "•••"
_SECRET_HEADER_WORDS = ("key", "token", "secret", "auth", "cookie", "password", "signature")

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


def header_pairs(headers) -> list[tuple[str, str]]:
    """(name, value) pairs of a header mapping (a dict or werkzeug's Headers); [] for None."""
    if headers is None:
        return []
    items: Iterable = headers.items() if hasattr(headers, "items") else headers
    return [(str(name), str(value)) for name, value in items]


def is_secret_header(name: str) -> bool:
    """Authorization, X-Api-Key, Cookie, X-Secret-Token…: a header whose value is never kept."""
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_HEADER_WORDS)


def redact_headers(headers) -> str:
    """The client's headers as JSON [[name, value], …], secret values replaced by •••."""
    kept = []
    for name, value in header_pairs(headers)[:MAX_HEADERS]:
        if is_secret_header(name):
            value = HIDDEN_HEADER
        else:
            cut = value[:MAX_HEADER_VALUE_CHARS].encode("utf-8", "replace")
            value = _SECRET_VALUE.sub(REDACTED.encode(), cut).decode("utf-8", "replace")
        kept.append([name, value])
    return json.dumps(kept, ensure_ascii=False)


class Capture:
    """The bodies (and headers) of one request while it runs (made when request logs are on)."""

    def __init__(self, request: bytes, headers=None):
        self.request = request
        self.headers = headers
        self.response = bytearray()

    def add(self, data: bytes) -> None:
        room = MAX_BODY_BYTES + 1 - len(self.response)
        if room > 0:
            self.response += data[:room]

    def as_row(self) -> dict:
        return {
            "request_body": redact(self.request),
            "response_body": redact(bytes(self.response)),
            "request_headers": redact_headers(self.headers),
        }
