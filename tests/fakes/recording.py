"""Requests as the fake upstream received them, and the routes that say which format each speaks.

Routes match on the path's end, so any prefix works (`/v1/...`, `/anything/v1/...`):

    POST .../chat/completions                    "openai"     OpenAI Chat Completions
    POST .../responses                           "responses"  OpenAI Responses
    POST .../messages, .../messages/count_tokens "anthropic"  Anthropic Messages
    POST .../models/{model}:generateContent      "gemini"     Gemini (model from the URL)
    POST .../models/{model}:streamGenerateContent[?alt=sse]
    GET  .../models                              None         a model list

Each format takes its API key where the real API does: OpenAI and Responses from
`Authorization: Bearer`, Anthropic from `x-api-key` (or Bearer), Gemini from `x-goog-api-key`
(or `?key=`).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

FORMATS = ("openai", "anthropic", "responses", "gemini")
GEMINI_PATH = re.compile(r"/models/([^/]+):(generateContent|streamGenerateContent)$")
KEY_SOURCES = {
    "openai": ("bearer",),
    "responses": ("bearer",),
    "anthropic": ("x-api-key", "bearer"),
    "gemini": ("x-goog-api-key", "query"),
    None: ("bearer", "x-api-key", "x-goog-api-key", "query"),
}


@dataclass(frozen=True)
class Route:
    format: str | None
    action: str  # chat | responses | messages | count_tokens | generate | stream | models | none
    model: str | None = None  # Gemini: the model named in the URL


def route_of(method: str, path: str) -> Route:
    bare = urlsplit(path).path.rstrip("/")
    if method == "GET":
        return Route(None, "models") if bare.endswith("/models") else Route(None, "none")
    if method != "POST":
        return Route(None, "none")
    gemini = GEMINI_PATH.search(bare)
    if gemini:
        action = "generate" if gemini.group(2) == "generateContent" else "stream"
        return Route("gemini", action, unquote(gemini.group(1)))
    for suffix, fmt, action in (
        ("/chat/completions", "openai", "chat"),
        ("/messages/count_tokens", "anthropic", "count_tokens"),
        ("/messages", "anthropic", "messages"),
        ("/responses", "responses", "responses"),
    ):
        if bare.endswith(suffix):
            return Route(fmt, action)
    return Route(None, "none")


@dataclass
class Recorded:
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # lowercase names
    body: Any  # parsed JSON, raw bytes when not JSON, None when empty
    at: float = field(default_factory=time.monotonic)  # when the whole request had arrived

    @property
    def route(self) -> Route:
        return route_of(self.method, self.path)

    @property
    def format(self) -> str | None:
        return self.route.format

    @property
    def query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}

    @property
    def model(self) -> str | None:
        route = self.route
        if route.model is not None:
            return route.model
        return self.body.get("model") if isinstance(self.body, dict) else None

    @property
    def api_key(self) -> str | None:
        """The key this request's format carries, from the header (or query) that format uses."""
        for source in KEY_SOURCES[self.format]:
            if source == "bearer":
                auth = self.headers.get("authorization", "")
                value = auth[7:] if auth.lower().startswith("bearer ") else None
            elif source == "query":
                value = self.query.get("key")
            else:
                value = self.headers.get(source)
            if value:
                return value
        return None
