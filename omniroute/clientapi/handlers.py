"""The client API's handlers: a chat handler is made for each wire format from its declaration
(formats/registry.py) and hands the request to the pipeline; the others answer from the routing
table (models, health). A handler takes the request and
the URL's values and returns a Reply; errors it raises reach the caller through errors.py."""

from __future__ import annotations

import time
from collections.abc import Callable

from ..formats.base import WireFormat
from ..proxy.provider_scope import usable_model_entries
from ..proxy.reply import Reply
from ..version import __version__
from .request import ClientRequest

Handler = Callable[..., Reply]


def body_format_handler(wire: WireFormat) -> Handler:
    """The handler of a format whose client names the model in the body: that body, in `wire`'s
    format, to the pipeline."""

    def handle(request: ClientRequest) -> Reply:
        return request.services.pipeline.handle(request.call(wire.name, wire.client_endpoint))

    return handle


def url_format_handler(wire: WireFormat) -> Handler:
    """The handler of a format whose client names the model and the action in the URL."""
    read_target = wire.read_client_target
    assert read_target is not None, f"{wire.name} names the model in the URL: it reads the target"

    def handle(request: ClientRequest, target: str) -> Reply:
        model, action, stream = read_target(target)
        endpoint = f"{wire.client_endpoint}.{action}"
        call = request.call(wire.name, endpoint, model=model, stream=stream)
        return request.services.pipeline.handle(call)

    return handle


def count_tokens_handler(wire: WireFormat) -> Handler:
    """The handler of a format's own token-count endpoint (Anthropic's count_tokens)."""

    def handle(request: ClientRequest) -> Reply:
        call = request.call(wire.name, f"{wire.client_endpoint}.count_tokens", stream=False)
        return request.services.pipeline.count_tokens(call)

    return handle


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
