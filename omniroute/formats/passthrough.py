"""Watching a stream forwarded untouched, when the client and the provider share a format.

The default watch (`DecodedPassthrough`) sends a copy of each event through the format's own
stream decoder: its canonical events carry the usage and the text, and its close() says whether
the stream ended with its terminal event. An error to end the stream in band comes from a fresh
encoder of the format. Formats that can do it more cheaply, or must continue the provider's own
stream (Chat, Responses), declare their own watch in their sub-package.
"""

from __future__ import annotations

from collections.abc import Callable

from .base import Forwarded, PassthroughStream, StreamDecoder, StreamEncoder
from .canonical import Request, StreamError


class DecodedPassthrough:
    """Forwards events as they are; decodes a copy for usage and to know the stream ended."""

    def __init__(self, decoder: StreamDecoder, encoder: Callable[[], StreamEncoder]):
        self._decoder = decoder
        self._encoder = encoder

    def forward(self, events: list[bytes]) -> Forwarded:
        data = b"".join(events)
        return Forwarded(data, self._decoder.feed(data))

    def complete(self) -> bool:
        """Whether the decoder saw the stream's terminal event (its close() tells)."""
        return not any(isinstance(e, StreamError) for e in self._decoder.close())

    def error_event(self, error: StreamError) -> bytes:
        return self._encoder().encode(error)


def decoded_passthrough(
    decoder: Callable[[], StreamDecoder], encoder: Callable[[Request], StreamEncoder]
) -> Callable[[Request, bool], PassthroughStream]:
    """A format's passthrough_stream that watches with its own decoder (see the docstring)."""

    def watch(request: Request, strip_usage_chunk: bool) -> PassthroughStream:
        return DecodedPassthrough(decoder(), lambda: encoder(request))

    return watch
