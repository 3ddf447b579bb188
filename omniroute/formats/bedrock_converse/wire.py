"""Amazon Bedrock Converse as the gateway sees it: its WireFormat (a provider-side format).

The model and the stream choice are in the URL: POST /model/{modelId}/converse, or
/converse-stream (the model id percent-encoded as one path segment: inference-profile ARNs hold
'/' and ':'). No client speaks Converse, so the client-API fields are empty: the format sits in
registry.PROVIDER_ONLY, not in FORMATS.
"""

from __future__ import annotations

from ...lazy_text import lazy_gettext as _l
from ..base import WireFormat, model_segment
from ..envelopes import body_as_sent, peek_with
from ..passthrough import decoded_passthrough
from . import NAME
from .request import build_request, parse_request
from .response import build_response, error_body, parse_error, parse_response, usage_of
from .stream_decoder import StreamDecoder
from .stream_encoder import StreamEncoder

EVENT_STREAM = "application/vnd.amazon.eventstream"


def upstream_path(model: str, stream: bool) -> str:
    return f"/model/{model_segment(model)}/{'converse-stream' if stream else 'converse'}"


def _check_envelope(body: dict) -> None:
    parse_request(body)


WIRE = WireFormat(
    name=NAME,
    label=_l("Amazon Bedrock Converse"),
    short_label="Bdrk",
    client_endpoint="bedrock",
    client_paths=(),
    client_path=upstream_path,
    path_prefix=None,
    path_marker=None,
    parse_request=parse_request,
    build_request=build_request,
    parse_response=parse_response,
    build_response=build_response,
    usage_of=usage_of,
    error_body=error_body,
    parse_error=parse_error,
    stream_decoder=StreamDecoder,
    stream_encoder=StreamEncoder,
    peek_request=peek_with(_check_envelope),
    passthrough_body=body_as_sent,
    passthrough_stream=decoded_passthrough(StreamDecoder, StreamEncoder),
    endpoint_path="/model",
    upstream_path=upstream_path,
    auth_style="bearer",
    model_in_url=True,
)
