"""OpenAI Chat Completions as the gateway sees it: its WireFormat."""

from __future__ import annotations

from ...lazy_text import lazy_gettext as _l
from ..base import WireFormat, fixed_path
from ..body_fitting import BodyFields
from . import NAME
from .parts import usage_of
from .passthrough import ChatPassthrough, passthrough_body
from .request import build_request, parse_request, peek_request
from .response import build_response, error_body, parse_error, parse_response
from .stream import StreamDecoder, StreamEncoder

WIRE = WireFormat(
    name=NAME,
    label=_l("OpenAI Chat"),
    short_label="Chat",
    client_endpoint="chat.completions",
    client_paths=("/v1/chat/completions", "/chat/completions", "/v1/v1/chat/completions"),
    client_path=fixed_path("/v1/chat/completions"),
    path_prefix=None,
    path_marker=None,  # the first registered format: the shape of a path no format claims
    parse_request=parse_request,
    build_request=build_request,
    parse_response=parse_response,
    build_response=build_response,
    usage_of=usage_of,
    error_body=error_body,
    parse_error=parse_error,
    stream_decoder=StreamDecoder,
    stream_encoder=StreamEncoder,
    peek_request=peek_request,
    passthrough_body=passthrough_body,
    body_fields=BodyFields(
        sampling={"temperature": "temperature", "top_p": "top_p"},
        reasoning=("reasoning_effort",),
        effort=("reasoning_effort",),
        max_tokens=("max_tokens", "max_completion_tokens"),
        token_field_choice=True,
    ),
    passthrough_stream=ChatPassthrough,
    endpoint_path="/chat/completions",
    upstream_path=fixed_path("/chat/completions"),
    auth_style="bearer",
)
