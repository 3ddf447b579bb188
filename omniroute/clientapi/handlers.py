"""The client API's handlers: each names its inbound format and hands the request to the
pipeline, or answers from the routing table (models, health). A handler takes the request and
the URL's values and returns a Reply; errors it raises reach the caller through errors.py."""

from __future__ import annotations

import time
from collections.abc import Callable

from ..errors import InvalidRequestError
from ..proxy.provider_scope import usable_model_entries
from ..proxy.reply import Reply
from ..version import __version__
from .request import ClientRequest

GEMINI_ACTIONS = {"generateContent": False, "streamGenerateContent": True}


def chat_handler(wire_format: str, endpoint: str) -> Callable[[ClientRequest], Reply]:
    """The handler of one chat endpoint: the request's body in `wire_format`, to the pipeline."""

    def handle(request: ClientRequest) -> Reply:
        return request.services.pipeline.handle(request.call(wire_format, endpoint))

    return handle


def count_tokens(request: ClientRequest) -> Reply:
    call = request.call("anthropic", "messages.count_tokens", stream=False)
    return request.services.pipeline.count_tokens(call)


def gemini(request: ClientRequest, target: str) -> Reply:
    model, _, action = target.rpartition(":")
    if not model or action not in GEMINI_ACTIONS:
        raise InvalidRequestError(
            "use /v1beta/models/{model}:generateContent or :streamGenerateContent"
        )
    call = request.call("gemini", f"gemini.{action}", model=model, stream=GEMINI_ACTIONS[action])
    return request.services.pipeline.handle(call)


def list_models(request: ClientRequest) -> Reply:
    """Every usable model: connected catalog providers' models plus the user's custom models,
    minus hidden ones (read from the database: this is not the chat hot path), provider nodes'
    custom models, then the combos."""
    services = request.services
    table = services.routes.snapshot()
    with services.database.connection_context():
        data = usable_model_entries(table)
    data += [
        {
            "id": name,
            "object": "model",
            "created": 0,
            "owned_by": "combo",
            "capabilities": {"type": "combo", "strategy": combo.strategy},
            "models": [target.model for target in combo.targets],
        }
        for name, combo in sorted(table.combos.items())
    ]
    return Reply.json(200, {"object": "list", "data": data})


def health(request: ClientRequest) -> Reply:
    uptime = round(time.time() - request.services.started_at, 1)
    return Reply.json(200, {"status": "ok", "version": __version__, "uptimeSeconds": uptime})
