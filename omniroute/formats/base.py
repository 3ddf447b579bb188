"""WireFormat: everything the gateway asks about one wire format, declared in one value.

Each format is a sub-package (openai_chat/, anthropic/, responses/, gemini/) split the same way —
request, response, stream, wire — whose wire.py declares its WireFormat; registry.py lists them
(FORMATS). The rest of the gateway asks the registry and never names a format:

    naming       name ("openai", "anthropic", …), label (the dashboard's name for it, lazily
                 translated: str() it), short_label
    client API   client_endpoint (the usage row's endpoint), client_paths (the URL rules it is
                 served on; werkzeug rule syntax), count_paths (those of its token-count
                 endpoint, if it has one; a rule may name the model), count_body (that
                 endpoint's body → the chat body it counts; None: the same body), count_answer
                 (that endpoint's answer for n input tokens; None: Anthropic count_tokens'
                 `{"input_tokens": n}`), client_path(model, stream) (the path a client calls),
                 model_in_url (the model and the stream choice are in the URL, not the body),
                 read_client_target (that URL part, `{model}:{action}`, read into model,
                 action and stream; a 400 for anything else),
                 path_prefix / path_marker (which error shape a client of an unknown path gets;
                 see registry.format_for_path)
    canonical    parse_request / build_request, parse_response / build_response, usage_of,
                 error_body, parse_error, stream_decoder() / stream_encoder(request)
    passthrough  peek_request (the envelope checks before routing), passthrough_body (the body
                 for a provider of the same format), passthrough_stream (watching a stream that
                 is forwarded untouched)
    provider     endpoint_path (what base-URL normalisation strips), upstream_path(model, stream),
                 version_headers, forwarded_headers (client headers a same-format provider must
                 see), auth_style (a provider node's auth header), token_counter

`parse_*` = wire → canonical, `build_*` = canonical → wire; a bad client body raises
InvalidRequestError (400) naming the field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

from ..errors import GatewayError
from .body_fitting import BodyFields
from .canonical import Request, Response, StreamError, StreamEvent, Usage
from .envelopes import Envelope


class StreamDecoder(Protocol):
    """A provider's raw stream bytes → canonical events, as the bytes arrive. `close()` at the
    end of the stream gives what is left (canonical.cut_stream_error() for a stream that ended
    before its terminal event)."""

    def feed(self, data: bytes) -> list[StreamEvent]: ...

    def close(self) -> list[StreamEvent]: ...


class StreamEncoder(Protocol):
    """Canonical events → the client's SSE bytes. `close()` ends a stream the events did not end
    properly (e.g. OpenAI's [DONE]); a StreamError event becomes the format's in-band error."""

    def encode(self, event: StreamEvent) -> bytes: ...

    def close(self) -> bytes: ...


@dataclass
class Forwarded:
    """What a passthrough watch makes of some whole SSE events: the bytes to send on, and what
    the request's trace takes from them (decoded canonical events, or a usage report and the
    size of the text they carry)."""

    data: bytes
    decoded: list[StreamEvent] = field(default_factory=list)
    usage: Usage | None = None
    text_chars: int = 0


class PassthroughStream(Protocol):
    """A provider stream forwarded untouched to a client of the same format, watched on the way:
    its usage, whether it ended properly, and the in-band error that continues it."""

    def forward(self, events: list[bytes]) -> Forwarded: ...

    def complete(self) -> bool: ...

    def error_event(self, error: StreamError) -> bytes: ...


class PeekRequest(Protocol):
    """The envelope of a client body (a 400 naming the field when the shape is wrong); `model`
    and `stream` are given when the URL decides them (Gemini), else None."""

    def __call__(
        self, body: Any, model: str | None = None, stream: bool | None = None, /
    ) -> Envelope: ...


@dataclass(frozen=True)
class TokenCounter:
    """A provider's own token counter: the path under the base URL for a model, the counting
    request made from the provider-format request body (None: that body as it is), and the
    Anthropic count_tokens answer (`{"input_tokens": n}`) made from the counter's answer."""

    path: Callable[[str], str]
    request: Callable[[dict, str], dict] | None
    answer: Callable[[Any], dict]


@dataclass(frozen=True)
class WireFormat:
    """One wire format, as the gateway sees it (see the module docstring for each group)."""

    name: str
    label: Any  # a lazily translated str (omniroute.lazy_text)
    short_label: str
    # the client API
    client_endpoint: str
    client_paths: tuple[str, ...]
    client_path: Callable[[str, bool], str]
    path_prefix: str | None
    path_marker: str | None
    # wire ⇄ canonical
    parse_request: Callable[[Any], Request]
    build_request: Callable[[Request], dict]
    parse_response: Callable[[Any], Response]
    build_response: Callable[[Response], dict]
    usage_of: Callable[[Any], Usage | None]
    error_body: Callable[[GatewayError], dict]
    parse_error: Callable[[bytes], tuple[str, str | None, str | None]]
    stream_decoder: Callable[[], StreamDecoder]
    stream_encoder: Callable[[Request], StreamEncoder]
    # same-format passthrough
    peek_request: PeekRequest
    passthrough_body: Callable[[Envelope, str, bool], dict]
    passthrough_stream: Callable[[Request, bool], PassthroughStream]
    # the provider side
    endpoint_path: str
    upstream_path: Callable[[str, bool], str]
    auth_style: str
    version_headers: Mapping[str, str] = field(default_factory=dict)
    forwarded_headers: tuple[str, ...] = ()
    token_counter: TokenCounter | None = None
    count_paths: tuple[str, ...] = ()
    count_body: Callable[[Any], Any] | None = None
    count_answer: Callable[[int], dict] | None = None
    model_in_url: bool = False
    read_client_target: Callable[[str], tuple[str, str, bool]] | None = None
    body_fields: BodyFields | None = None  # what fitting may change in a passed-through body

    def upstream_url(self, base_url: str, model: str, stream: bool) -> str:
        """Where a provider of this format at `base_url` answers `model` (streamed or not)."""
        return base_url + self.upstream_path(model, stream)


def fixed_path(path: str) -> Callable[[str, bool], str]:
    """An upstream_path (or client_path) that is the same for every model and stream choice."""

    def same(model: str, stream: bool) -> str:
        return path

    return same


def model_segment(model: str) -> str:
    """A model id as one URL path segment (Gemini's `models/{model}:action`): everything but
    letters, digits and `-._~` percent-encoded, so no id can add segments or a query."""
    return quote(model, safe="")
