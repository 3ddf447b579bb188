"""Google Gemini as the gateway sees it: its WireFormat.

The model and the choice to stream are in the URL (`/v1beta/models/{model}:generateContent` or
`:streamGenerateContent?alt=sse`), for a client and for a provider alike. A client may also call
the `v1` paths Google serves beside `v1beta`, and `:countTokens` on either.
"""

from __future__ import annotations

from typing import Any

from ...errors import InvalidRequestError
from ...lazy_text import lazy_gettext as _l
from ..base import TokenCounter, WireFormat, model_segment
from ..body_fitting import BodyFields
from ..envelopes import body_as_sent, peek_with
from ..passthrough import decoded_passthrough
from . import NAME
from .request_build import build_request
from .request_parse import check_envelope, parse_request
from .response import build_response, error_body, parse_error, parse_response, usage_of
from .stream_decoder import StreamDecoder
from .stream_encoder import StreamEncoder

CLIENT_ACTIONS = {"generateContent": False, "streamGenerateContent": True}
COUNT_ACTION = "countTokens"


def read_client_target(target: str) -> tuple[str, str, bool]:
    """`{model}:{action}` from a client's URL → (model, action, stream)."""
    model, _, action = target.rpartition(":")
    if not model or action not in CLIENT_ACTIONS:
        raise InvalidRequestError(
            "use /v1beta/models/{model}:generateContent, :streamGenerateContent or :countTokens"
        )
    return model, action, CLIENT_ACTIONS[action]


def read_count_body(body: Any) -> Any:
    """A countTokens body → the generateContent body it counts: its `generateContentRequest`
    when set (its `model` is the URL's), else the body itself (`contents`)."""
    if not isinstance(body, dict) or "generateContentRequest" not in body:
        return body
    request = body["generateContentRequest"]
    if not isinstance(request, dict):
        raise InvalidRequestError(
            "'generateContentRequest' must be an object", param="generateContentRequest"
        )
    return {key: value for key, value in request.items() if key != "model"}


def _action(stream: bool) -> str:
    return "streamGenerateContent?alt=sse" if stream else "generateContent"


def client_path(model: str, stream: bool) -> str:
    return f"/v1beta/models/{model}:{_action(stream)}"


def upstream_path(model: str, stream: bool) -> str:
    return f"/models/{model_segment(model)}:{_action(stream)}"


def _count_path(model: str) -> str:
    return f"/models/{model_segment(model)}:countTokens"


def _count_request(body: dict, model: str) -> dict:
    """models.countTokens takes the whole generateContent request, naming its model."""
    return {"generateContentRequest": {"model": f"models/{model}", **body}}


def _count_answer(answer: Any) -> dict:
    return {"input_tokens": answer["totalTokens"]}


WIRE = WireFormat(
    name=NAME,
    label=_l("Gemini"),
    short_label="Gem",
    client_endpoint="gemini",  # + "." and the action: gemini.generateContent, …
    # `model_target` is `{model}:{action}`, any character included (the client API's converter)
    client_paths=("/v1beta/models/<model_target:target>", "/v1/models/<model_target:target>"),
    count_paths=(
        f"/v1beta/models/<model_target:model>:{COUNT_ACTION}",
        f"/v1/models/<model_target:model>:{COUNT_ACTION}",
    ),
    count_body=read_count_body,
    count_answer=lambda tokens: {"totalTokens": tokens},
    client_path=client_path,
    path_prefix="/v1beta/",
    path_marker="/v1/models/",  # its v1 paths (the client API's GET /v1/models/{id} is OpenAI's)
    parse_request=parse_request,
    build_request=build_request,
    parse_response=parse_response,
    build_response=build_response,
    usage_of=usage_of,
    error_body=error_body,
    parse_error=parse_error,
    stream_decoder=StreamDecoder,
    stream_encoder=StreamEncoder,
    peek_request=peek_with(check_envelope),
    passthrough_body=body_as_sent,
    body_fields=BodyFields(
        container="generationConfig",
        sampling={"temperature": "temperature", "top_p": "topP", "top_k": "topK"},
        reasoning=("thinkingConfig",),
        max_tokens=("maxOutputTokens",),
    ),
    passthrough_stream=decoded_passthrough(StreamDecoder, StreamEncoder),
    endpoint_path="/models",
    upstream_path=upstream_path,
    auth_style="x-goog-api-key",
    token_counter=TokenCounter(_count_path, _count_request, _count_answer),
    model_in_url=True,
    read_client_target=read_client_target,
)
