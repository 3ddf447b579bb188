"""Where and how to call a provider, by its wire format: URL, auth header, fixed headers.
A model id placed in a URL path goes in as one percent-encoded segment (`model_segment`)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from ..routing.plan import Attempt
from .upstream import auth_headers

ANTHROPIC_VERSION = "2023-06-01"
# Headers a client of the same format sends that the provider must see too.
FORWARDED_HEADERS = {"anthropic": ("anthropic-beta", "anthropic-version")}


@dataclass(frozen=True)
class UpstreamRequest:
    url: str
    headers: dict[str, str]
    body: bytes
    wire_format: str


def upstream_url(attempt: Attempt, stream: bool, path: str | None = None) -> str:
    base = attempt.connection.base_url or attempt.spec.base_url
    wire = attempt.spec.wire_format
    if path is not None:
        return base + path
    if wire == "anthropic":
        return base + "/messages"
    if wire == "responses":
        return base + "/responses"
    if wire == "gemini":
        action = "streamGenerateContent?alt=sse" if stream else "generateContent"
        return f"{base}/models/{model_segment(attempt.model)}:{action}"
    return base + "/chat/completions"


def model_segment(model: str) -> str:
    """A model id as one URL path segment (Gemini's `models/{model}:action`): everything but
    letters, digits and `-._~` percent-encoded, so no id can add segments or a query."""
    return quote(model, safe="")


def upstream_headers(attempt: Attempt, stream: bool, client_headers=None) -> dict[str, str]:
    wire = attempt.spec.wire_format
    headers = {
        "Content-Type": "application/json",
        "Accept": "text/event-stream" if stream else "application/json",
        **auth_headers(attempt.spec, attempt.connection.api_key),
    }
    if wire == "anthropic":
        headers["anthropic-version"] = ANTHROPIC_VERSION
    for name in FORWARDED_HEADERS.get(wire, ()):
        value = client_headers.get(name) if client_headers is not None else None
        if value:
            headers[name] = value
    return headers
