"""Non-chat JSON endpoints (embeddings, image generation): plan → send → answer → record.

Each endpoint is a MediaRequest: it validates the client's OpenAI-shaped body when it is made,
says which provider wire formats can serve it, builds the upstream request for each attempt and
turns the provider's answer into OpenAI's with its usage. `run_media` is the non-streamed half of
the chat pipeline reduced to that interface, and reuses its parts: `plan_attempts`,
`Pipeline.send` (fallback across accounts), and the pipeline's `record` / `error_reply` (so
every request leaves a usage row and errors reach the client in OpenAI's shape).
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from ..errors import GatewayError, InvalidRequestError
from ..formats.canonical import Usage
from ..routing.plan import Attempt
from ..usage.trace import RequestTrace
from .client_input import check_model_id, parse_body
from .reply import Reply
from .upstream_call import UpstreamCall

CLIENT_FORMAT = "openai"


class ServedRequest(Protocol):
    """What plans a media call: its model, and which provider wire formats can serve it."""

    capability: str  # for "model does not support <capability>"
    model: str  # as the client named it

    def supports(self, wire_format: str) -> bool: ...


class MediaRequest(ServedRequest, Protocol):
    endpoint: str  # the usage row's endpoint, e.g. "embeddings"

    def upstream_request(self, attempt: Attempt) -> UpstreamCall: ...

    def client_answer(self, attempt: Attempt, payload: Any, raw: bytes) -> tuple[bytes, Usage]: ...


# A MediaRequest may also have `settle(client, answer) -> Answer`: called with the first answer,
# it waits for a job that answer started (images from Black Forest Labs, proxy/image_jobs.py).


class MediaRequestClass(Protocol):
    """A MediaRequest class: made from the client's body, it names its usage row's endpoint."""

    endpoint: str

    def __call__(self, raw: bytes) -> MediaRequest: ...


def parse_json_object(raw: bytes) -> dict:
    """The request body as a JSON object with a valid `model` id (a 400 otherwise)."""
    body = parse_body(raw)
    if not isinstance(body, dict):
        raise InvalidRequestError("request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise InvalidRequestError("'model' is required and must be a string", param="model")
    check_model_id(model.strip())
    return body


def to_json(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def media_check(media: ServedRequest):
    """Refuse a plan whose first provider cannot serve this kind of request."""

    def check(attempts: list[Attempt]) -> None:
        if not media.supports(attempts[0].spec.wire_format):
            raise InvalidRequestError(
                f"model '{media.model}' does not support {media.capability}",
                param="model",
                code="unsupported_model",
            )

    return check


def run_media(
    pipeline, make_request: MediaRequestClass, raw: bytes, api_key_id: int | None, grant=None
) -> Reply:
    """Answer one media call (`make_request` is a MediaRequest class, whose `endpoint` names
    the usage row even when the body is rejected): the first account that answers, its answer
    in OpenAI's shape."""
    trace = RequestTrace(
        endpoint=make_request.endpoint, format_in=CLIENT_FORMAT, api_key_id=api_key_id
    )
    try:
        media = make_request(raw)
        trace.requested_model = media.model
        answer = pipeline.send(
            media.model, trace, media.upstream_request, check_plan=media_check(media), grant=grant
        )
        settle = getattr(media, "settle", None)  # an API answering with a job to wait for
        if settle is not None:
            answer = settle(pipeline.client, answer)
    except GatewayError as error:
        return pipeline.error_reply(CLIENT_FORMAT, trace, error)
    return pipeline.answer_reply(
        CLIENT_FORMAT, answer, trace, media.client_answer, media.capability
    )
