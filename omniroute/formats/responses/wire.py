"""OpenAI Responses as the gateway sees it: its WireFormat."""

from __future__ import annotations

from typing import Any

from ...lazy_text import lazy_gettext as _l
from ..base import TokenCounter, WireFormat, fixed_path
from ..body_fitting import BodyFields
from ..envelopes import body_with_model, peek_with
from . import NAME
from .passthrough import ResponsesPassthrough
from .request_build import build_request
from .request_parse import check_envelope, parse_request
from .response import build_response, error_body, parse_error, parse_response, usage_of
from .stream_decoder import StreamDecoder
from .stream_encoder import StreamEncoder

# What /responses/input_tokens takes of a request: its input fields, not stream or output limits.
COUNT_FIELDS = (
    "model",
    "input",
    "instructions",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "reasoning",
    "text",
    "truncation",
    "conversation",
    "previous_response_id",
)


def _count_request(body: dict, model: str) -> dict:
    return {name: body[name] for name in COUNT_FIELDS if name in body}


def _count_answer(answer: Any) -> dict:
    return {"input_tokens": answer["input_tokens"]}


WIRE = WireFormat(
    name=NAME,
    label=_l("OpenAI Responses"),
    short_label="Resp",
    client_endpoint="responses",
    client_paths=("/v1/responses", "/responses", "/v1/v1/responses"),
    client_path=fixed_path("/v1/responses"),
    path_prefix=None,
    path_marker="/responses",
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
    passthrough_body=body_with_model,
    body_fields=BodyFields(
        sampling={"temperature": "temperature", "top_p": "top_p"},
        reasoning=("reasoning",),
        effort=("reasoning", "effort"),
        max_tokens=("max_output_tokens",),
    ),
    passthrough_stream=ResponsesPassthrough,
    endpoint_path="/responses",
    upstream_path=fixed_path("/responses"),
    auth_style="bearer",
    token_counter=TokenCounter(
        lambda model: "/responses/input_tokens", _count_request, _count_answer
    ),
)
