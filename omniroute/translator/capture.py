"""The chat tester's window on upstream traffic: a client that records what it sends and tees
what comes back, with secrets redacted.

`CapturingClient` wraps the gateway's UpstreamClient (same post/get interface). Each call becomes
an `Exchange`: URL (a `key=` query value redacted), headers (Authorization, x-api-key,
x-goog-api-key and other credential headers redacted), body, then the status, headers and the
response bytes as the pipeline reads them, kept up to CAPTURE_LIMIT. `notes` collects what
happened in order, so a caller streaming the cycle can hand each step on as it happens.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

CAPTURE_LIMIT = 256 * 1024  # bytes kept per response body
SECRET_HEADERS = {"authorization", "x-api-key", "x-goog-api-key", "api-key", "proxy-authorization"}
SECRET_QUERY = re.compile(r"([?&](?:key|api_key|apikey|access_token)=)[^&#]*", re.IGNORECASE)
REDACTED = "[redacted]"


def redact_url(url: str) -> str:
    return SECRET_QUERY.sub(lambda m: m.group(1) + REDACTED, url)


def redact_headers(headers) -> dict[str, str]:
    """Headers safe to show: credentials replaced by a mark and at most their last 4 characters."""
    shown = {}
    for name, value in dict(headers or {}).items():
        if name.lower() in SECRET_HEADERS or "token" in name.lower() or "secret" in name.lower():
            tail = str(value)[-4:] if len(str(value)) >= 12 else ""
            shown[name] = f"{REDACTED} …{tail}" if tail else REDACTED
        else:
            shown[name] = str(value)
    return shown


@dataclass
class Exchange:
    """One upstream call as the provider saw it, and its answer as the gateway read it."""

    number: int
    provider: str
    method: str
    url: str
    headers: dict[str, str]
    body: str
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytearray = field(default_factory=bytearray)
    truncated: bool = False
    error: str | None = None
    started: float = field(default_factory=time.perf_counter)
    ms: float | None = None

    def keep(self, data: bytes) -> None:
        room = CAPTURE_LIMIT - len(self.response_body)
        if len(data) > room:
            self.truncated = True
        self.response_body.extend(data[: max(room, 0)])

    def as_json(self) -> dict:
        return {
            "number": self.number,
            "provider": self.provider,
            "method": self.method,
            "url": self.url,
            "headers": self.headers,
            "body": self.body,
            "status": self.status,
            "responseHeaders": self.response_headers,
            "responseBody": self.response_body.decode("utf-8", "replace"),
            "truncated": self.truncated,
            "error": self.error,
            "ms": self.ms,
        }


class TeeResponse:
    """An UpstreamResponse that copies every byte read into its Exchange: every `read*` method
    (read1, read1_by, read_all…) is passed through and its bytes kept; the rest is delegated."""

    def __init__(self, response, exchange: Exchange, notes: list):
        self._response = response
        self._exchange = exchange
        self._notes = notes
        self.status_code = response.status_code
        self.headers = response.headers

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._response, name)
        if not (name.startswith("read") and callable(value)):
            return value  # started(), on_close()…

        def teed(*args, **kwargs):
            data = value(*args, **kwargs)
            if isinstance(data, bytes | bytearray) and data:
                self._exchange.keep(bytes(data))
                self._notes.append(("upstream_chunk", self._exchange, bytes(data)))
            return data

        return teed

    def close(self) -> None:
        self._response.close()

    def __enter__(self) -> TeeResponse:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


class CapturingClient:
    """The gateway's UpstreamClient, recording each call into `exchanges` and `notes`."""

    def __init__(self, client):
        self._client = client
        self.exchanges: list[Exchange] = []
        self.notes: list[tuple] = []  # ("upstream_request" | "upstream_response" | …, …)

    def post(self, url, body, headers, *, provider, timeout=None, **routed):
        return self._call("POST", url, body, headers, provider, timeout, routed)

    def get(self, url, headers, *, provider, timeout=None, **routed):
        return self._call("GET", url, None, headers, provider, timeout, routed)

    def _call(self, method, url, body, headers, provider, timeout, routed):
        exchange = Exchange(
            len(self.exchanges) + 1,
            provider,
            method,
            redact_url(url),
            redact_headers(headers),
            (body or b"").decode("utf-8", "replace"),
        )
        self.exchanges.append(exchange)
        self.notes.append(("upstream_request", exchange, None))
        try:
            if method == "POST":
                response = self._client.post(
                    url, body, headers, provider=provider, timeout=timeout, **routed
                )
            else:
                response = self._client.get(
                    url, headers, provider=provider, timeout=timeout, **routed
                )
        except Exception as error:
            exchange.error = str(getattr(error, "message", error))
            exchange.ms = round((time.perf_counter() - exchange.started) * 1000, 1)
            self.notes.append(("upstream_response", exchange, None))
            raise
        exchange.status = response.status_code
        exchange.response_headers = redact_headers(response.headers)
        exchange.ms = round((time.perf_counter() - exchange.started) * 1000, 1)
        self.notes.append(("upstream_response", exchange, None))
        return TeeResponse(response, exchange, self.notes)

    def __getattr__(self, name: str) -> Any:  # timeout, idle_timeout, close…: the real client's
        return getattr(self._client, name)

    def drain(self) -> list[tuple]:
        """The notes gathered since the last drain, oldest first."""
        notes, self.notes[:] = list(self.notes), []
        return notes
