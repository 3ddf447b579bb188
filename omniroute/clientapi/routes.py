"""The client API's one router: every route once, with its methods and handler, as a werkzeug
Map. The chat routes come from the wire formats' declarations (their client paths and count
paths); paths under /v1 are also served unprefixed and doubled (`/v1/v1/…`), as clients send
them. A format's route answers errors in that format's shape; any other route in the shape its
path suggests (registry.format_for_path). `GET /v1/models/{id}` (an id may contain "/") and
Gemini's `POST /v1/models/{model}:{action}` share a prefix and differ by method.

`STATIC_ROUTES` indexes the routes without variables by path and method, so the busiest calls
(chat, messages, responses) are found with one dict lookup; the Map matches the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.routing import Map, PathConverter, Rule

from ..formats.gemini.wire import CLIENT_ACTIONS, COUNT_ACTION
from ..formats.openai_chat import NAME as OPENAI
from ..formats.registry import FORMATS, Registry
from ..proxy.reply import Reply
from . import audio, handlers, media, metrics, model_list

V1_ALIASES = ("/v1", "", "/v1/v1")


def under_v1(path: str) -> tuple[str, ...]:
    """`path` under /v1, unprefixed and doubled."""
    return tuple(prefix + path for prefix in V1_ALIASES)


class ModelTargetConverter(PathConverter):
    """`{model}:{action}` in a URL that names the model (Gemini's /v1beta/models/…), any
    character included (a model id with a newline is then a 400 about the id, not a 404)."""

    regex = "(?s:[^/].*?)"


class ModelIdConverter(PathConverter):
    """A model id in a GET URL (`/v1/models/{id}`, `/v1beta/models/{model}`), "/" and ":"
    included, but not a Gemini `{model}:{action}` target: a GET there is a 405 of that POST
    route, not an unknown model."""

    regex = "(?s:[^/].*?)" + "".join(
        f"(?<!:{action})" for action in (*CLIENT_ACTIONS, COUNT_ACTION)
    )


@dataclass(frozen=True)
class Route:
    paths: tuple[str, ...]
    method: str
    handler: Callable[..., Reply]
    name: str
    needs_key: bool = True  # the caller's API key is checked first
    lists_models: bool = False  # a model list: Settings → Security may open it without a key
    wire_format: str | None = None  # the format whose error shape the route answers in


def format_routes(formats: Registry = FORMATS) -> tuple[Route, ...]:
    """Each wire format's chat route (and token-count route), from its declaration."""
    routes = []
    for wire in formats.values():
        handler = (
            handlers.url_format_handler(wire)
            if wire.model_in_url
            else handlers.body_format_handler(wire)
        )
        routes.append(Route(wire.client_paths, "POST", handler, wire.name, wire_format=wire.name))
        if wire.count_paths:
            count = handlers.count_tokens_handler(wire)
            name = f"{wire.name}.count_tokens"
            routes.append(Route(wire.count_paths, "POST", count, name, wire_format=wire.name))
    return tuple(routes)


ROUTES = (
    *format_routes(),
    Route(under_v1("/models"), "GET", model_list.list_models, "models", lists_models=True),
    Route(
        under_v1("/models/<model_id:model_id>"),
        "GET",
        model_list.get_model,
        "model",
        wire_format=OPENAI,  # the other paths under /v1/models/ are Gemini's
        lists_models=True,
    ),
    Route(
        ("/v1beta/models",),
        "GET",
        model_list.list_gemini_models,
        "gemini.models",
        lists_models=True,
    ),
    Route(
        ("/v1beta/models/<model_id:model>",),
        "GET",
        model_list.get_gemini_model,
        "gemini.model",
        lists_models=True,
    ),
    Route(under_v1("/embeddings"), "POST", media.embeddings, "embeddings"),
    Route(under_v1("/images/generations"), "POST", media.images, "images"),
    Route(under_v1("/audio/transcriptions"), "POST", audio.transcriptions, "transcriptions"),
    Route(under_v1("/audio/speech"), "POST", media.speech, "speech"),
    Route(under_v1("/rerank"), "POST", media.rerank, "rerank"),
    Route(
        ("/v1/providers/<provider>/chat/completions",),
        "POST",
        media.provider_chat,
        "provider_chat",
    ),
    Route(
        ("/v1/providers/<provider>/embeddings",),
        "POST",
        media.provider_embeddings,
        "provider_embeddings",
    ),
    Route(
        ("/v1/providers/<provider>/images/generations",),
        "POST",
        media.provider_images,
        "provider_images",
    ),
    Route(("/v1/providers/<provider>/models",), "GET", media.provider_models, "provider_models"),
    Route(("/health",), "GET", handlers.health, "health", needs_key=False),
    Route(("/metrics",), "GET", metrics.scrape, "metrics", needs_key=False),  # its own check
)

ROUTES_BY_NAME = {route.name: route for route in ROUTES}

ROUTE_MAP = Map(
    [
        Rule(path, endpoint=route.name, methods=[route.method], merge_slashes=False)
        for route in ROUTES
        for path in route.paths
    ],
    converters={"model_target": ModelTargetConverter, "model_id": ModelIdConverter},
    merge_slashes=False,
)


def _static_routes() -> dict[str, dict[str, Route]]:
    table: dict[str, dict[str, Route]] = {}
    for route in ROUTES:
        methods = (route.method, "HEAD") if route.method == "GET" else (route.method,)
        for path in route.paths:
            if "<" in path:
                continue
            for method in methods:
                table.setdefault(path, {})[method] = route
    return table


STATIC_ROUTES = _static_routes()
