"""The client API's one router: every route once, with its methods and handler, as a werkzeug
Map. Paths under /v1 are also served unprefixed and doubled (`/v1/v1/…`), as clients send them.

`STATIC_ROUTES` indexes the routes without variables by path and method, so the busiest calls
(chat, messages, responses) are found with one dict lookup; the Map matches the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.routing import Map, PathConverter, Rule

from ..proxy.reply import Reply
from . import audio, handlers, media

V1_ALIASES = ("/v1", "", "/v1/v1")


class GeminiTargetConverter(PathConverter):
    """`{model}:{action}` after /v1beta/models/, any character included (a model id with a
    newline is then a 400 about the id, not a 404 about the path)."""

    regex = "(?s:[^/].*?)"


@dataclass(frozen=True)
class Route:
    path: str
    method: str
    handler: Callable[..., Reply]
    name: str
    under_v1: bool = True  # also served unprefixed and doubled
    needs_key: bool = True  # the caller's API key is checked first

    def paths(self) -> tuple[str, ...]:
        if not self.under_v1:
            return (self.path,)
        return tuple(prefix + self.path for prefix in V1_ALIASES)


ROUTES = (
    Route("/chat/completions", "POST", handlers.chat_handler("openai", "chat.completions"), "chat"),
    Route("/messages", "POST", handlers.chat_handler("anthropic", "messages"), "messages"),
    Route("/responses", "POST", handlers.chat_handler("responses", "responses"), "responses"),
    Route("/messages/count_tokens", "POST", handlers.count_tokens, "count_tokens"),
    Route("/models", "GET", handlers.list_models, "models"),
    Route("/embeddings", "POST", media.embeddings, "embeddings"),
    Route("/images/generations", "POST", media.images, "images"),
    Route("/audio/transcriptions", "POST", audio.transcriptions, "transcriptions"),
    Route(
        "/v1beta/models/<gemini_target:target>", "POST", handlers.gemini, "gemini", under_v1=False
    ),
    Route(
        "/v1/providers/<provider>/chat/completions",
        "POST",
        media.provider_chat,
        "provider_chat",
        under_v1=False,
    ),
    Route(
        "/v1/providers/<provider>/embeddings",
        "POST",
        media.provider_embeddings,
        "provider_embeddings",
        under_v1=False,
    ),
    Route(
        "/v1/providers/<provider>/images/generations",
        "POST",
        media.provider_images,
        "provider_images",
        under_v1=False,
    ),
    Route(
        "/v1/providers/<provider>/models",
        "GET",
        media.provider_models,
        "provider_models",
        under_v1=False,
    ),
    Route("/health", "GET", handlers.health, "health", under_v1=False, needs_key=False),
)

ROUTES_BY_NAME = {route.name: route for route in ROUTES}

ROUTE_MAP = Map(
    [
        Rule(path, endpoint=route.name, methods=[route.method], merge_slashes=False)
        for route in ROUTES
        for path in route.paths()
    ],
    converters={"gemini_target": GeminiTargetConverter},
    merge_slashes=False,
)


def _static_routes() -> dict[str, dict[str, Route]]:
    table: dict[str, dict[str, Route]] = {}
    for route in ROUTES:
        if "<" in route.path:
            continue
        methods = (route.method, "HEAD") if route.method == "GET" else (route.method,)
        for path in route.paths():
            for method in methods:
                table.setdefault(path, {})[method] = route
    return table


STATIC_ROUTES = _static_routes()
