"""The client API's handlers: a chat handler (and a token-count handler) is made for each wire
format from its declaration (formats/registry.py) and hands the request to the pipeline; the
model lists are in model_list.py, health is here. A handler takes the request and the URL's
values and returns a Reply; errors it raises reach the caller through errors.py."""

from __future__ import annotations

import time
from collections.abc import Callable

from ..formats.base import WireFormat
from ..proxy.client_input import parse_body
from ..proxy.media import to_json
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
    """The handler of a format's own token-count endpoint (Anthropic's count_tokens, Gemini's
    countTokens, whose URL names the model): its body, read as the chat body it counts, to the
    pipeline."""
    endpoint = f"{wire.client_endpoint}.count_tokens"

    def handle(request: ClientRequest, model: str | None = None) -> Reply:
        body = None
        if wire.count_body is not None:
            body = to_json(wire.count_body(parse_body(request.body())))
        call = request.call(wire.name, endpoint, body=body, model=model, stream=False)
        return request.services.pipeline.count_tokens(call)

    return handle


def health(request: ClientRequest) -> Reply:
    uptime = round(time.time() - request.services.started_at, 1)
    return Reply.json(200, {"status": "ok", "version": __version__, "uptimeSeconds": uptime})
