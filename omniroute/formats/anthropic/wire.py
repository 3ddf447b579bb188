"""Anthropic Messages as the gateway sees it: its WireFormat."""

from __future__ import annotations

from typing import Any

from ...lazy_text import lazy_gettext as _l
from ..base import TokenCounter, WireFormat, fixed_path
from ..body_fitting import BodyFields
from ..envelopes import body_with_model, peek_with
from ..passthrough import decoded_passthrough
from . import NAME
from .request_build import build_request
from .request_parse import check_envelope, parse_request
from .response import build_response, error_body, parse_error, parse_response, usage_of
from .stream_decoder import StreamDecoder
from .stream_encoder import StreamEncoder

API_VERSION = "2023-06-01"


# Messages fields /messages/count_tokens refuses ("Extra inputs are not permitted"): a request
# built for /messages is counted without them.
NOT_COUNTED = frozenset(
    {
        "max_tokens",
        "metadata",
        "service_tier",
        "stop_sequences",
        "stream",
        "temperature",
        "top_k",
        "top_p",
    }
)


def _count_request(body: dict, model: str) -> dict:
    return {key: value for key, value in body.items() if key not in NOT_COUNTED}


def _count_answer(answer: Any) -> dict:
    """/messages/count_tokens already answers in count_tokens' shape."""
    return answer


WIRE = WireFormat(
    name=NAME,
    label=_l("Anthropic Messages"),
    short_label="Msgs",
    client_endpoint="messages",
    client_paths=("/v1/messages", "/messages", "/v1/v1/messages"),
    count_paths=(
        "/v1/messages/count_tokens",
        "/messages/count_tokens",
        "/v1/v1/messages/count_tokens",
    ),
    client_path=fixed_path("/v1/messages"),
    path_prefix=None,
    path_marker="/messages",
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
        sampling={"temperature": "temperature", "top_p": "top_p", "top_k": "top_k"},
        reasoning=("thinking",),
        max_tokens=("max_tokens",),
    ),
    passthrough_stream=decoded_passthrough(StreamDecoder, StreamEncoder),
    endpoint_path="/messages",
    upstream_path=fixed_path("/messages"),
    auth_style="x-api-key",
    version_headers={"anthropic-version": API_VERSION},
    forwarded_headers=("anthropic-beta", "anthropic-version"),
    token_counter=TokenCounter(
        lambda model: "/messages/count_tokens", _count_request, _count_answer
    ),
)
