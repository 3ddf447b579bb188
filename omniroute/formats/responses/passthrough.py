"""Watching a Responses stream passed through untouched, and ending it with `response.failed`.

The watch decodes a copy of the events (formats/passthrough.py). An error ends the provider's
own stream: `response.failed` carries the response the provider created (its id, model…) and the
sequence number after the provider's last event — a fresh encoder would start a second response
at sequence 0. Before the first event there is nothing to continue, and a fresh encoder's
in-band error is sent.
"""

from __future__ import annotations

import json

from ..base import Forwarded
from ..canonical import Request, StreamError
from ..passthrough import DecodedPassthrough
from ..sse import encode_event, event_json
from .stream_decoder import StreamDecoder
from .stream_encoder import StreamEncoder


class ResponsesPassthrough(DecodedPassthrough):
    """The decoding watch, remembering what `response.failed` needs."""

    def __init__(self, request: Request, strip_usage_chunk: bool = False):
        super().__init__(StreamDecoder(), lambda: StreamEncoder(request))
        self._created: dict | None = None  # the first event's data: response.created
        self._last = b""  # the last event that carried data

    def forward(self, events: list[bytes]) -> Forwarded:
        for event in events:
            if self._created is None:
                self._created = event_json(event)
            if b"data:" in event:
                self._last = event
        return super().forward(events)

    def error_event(self, error: StreamError) -> bytes:
        if self._created is None:
            return super().error_event(error)
        return responses_failed(self._created, event_json(self._last) or {}, error)


def responses_failed(created: dict, last: dict, error: StreamError) -> bytes:
    """`response.failed` ending a passed-through stream: the response the provider created
    marked failed, numbered after the provider's last event."""
    response = created.get("response")
    response = dict(response) if isinstance(response, dict) else {}
    code = "rate_limit_exceeded" if error.status == 429 else "server_error"
    response.update(status="failed", error={"code": code, "message": error.message})
    number = last.get("sequence_number")
    payload = {
        "type": "response.failed",
        "sequence_number": number + 1 if isinstance(number, int) else 0,
        "response": response,
    }
    return encode_event(json.dumps(payload, separators=(",", ":")), "response.failed")
