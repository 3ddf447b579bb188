"""One client request on its way to the providers: read once, translated per attempt.

Its envelope (model, stream choice) is read with the client format's `peek_request`; when the
provider speaks the client's format the body is passed through untouched except for the model id
(the fast path); otherwise it is parsed into the canonical model once, on first need, and built
in the provider's format (proxy/upstream_call.py builds each attempt's call). Answers come back
the same way.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..formats import canonical as c
from ..formats.registry import FORMATS
from ..routing.plan import Attempt
from .client_input import check_model_id, parse_body
from .upstream_call import HeaderLookup, UpstreamCall, chat_call


@dataclass
class ClientCall:
    """What a /v1 handler hands to the pipeline."""

    wire_format: str
    raw: bytes
    endpoint: str
    api_key_id: int | None = None
    model: str | None = None  # when the URL names it (Gemini)
    stream: bool | None = None  # when the URL decides it (Gemini)
    headers: HeaderLookup | None = None
    client_gone: Callable[[], bool] | None = None  # True once the client hung up (waitress)
    grant: Any = None  # the caller's KeyGrant: which models its API key may use


MAX_TOKEN_FIELDS = ("max_tokens", "max_completion_tokens", "max_output_tokens")


class Translation:
    def __init__(self, call: ClientCall):
        self.call = call
        self.client_format = FORMATS[call.wire_format]
        self.client_headers = call.headers
        self.body: Any = parse_body(call.raw)
        envelope = self.client_format.peek_request(self.body, call.model, call.stream)
        self.model = check_model_id(envelope.model)
        self.envelope = dataclasses.replace(envelope, model=self.model)
        self.stream, self.include_usage = envelope.stream, envelope.include_usage
        self._canonical: c.Request | None = None

    def max_output_tokens(self) -> int | None:
        """The answer's token cap as the client set it, in any format's spelling (or None)."""
        body = self.body if isinstance(self.body, dict) else {}
        config = body.get("generationConfig")
        candidates = [body.get(k) for k in MAX_TOKEN_FIELDS]
        if isinstance(config, dict):
            candidates.append(config.get("maxOutputTokens"))
        return next((v for v in candidates if type(v) is int and v > 0), None)

    def canonical(self) -> c.Request:
        """The request in the canonical model (parsed on first use; a bad body is a 400)."""
        if self._canonical is None:
            request = self.client_format.parse_request(self.body)
            self._canonical = dataclasses.replace(request, model=self.model, stream=self.stream)
        return self._canonical

    def is_passthrough(self, attempt: Attempt) -> bool:
        return attempt.spec.wire_format == self.call.wire_format

    def upstream_request(self, attempt: Attempt) -> UpstreamCall:
        """The attempt's upstream call (a pipeline `build` callback)."""
        return chat_call(attempt, self)

    def client_answer(self, attempt: Attempt, payload: Any, raw: bytes) -> tuple[bytes, c.Usage]:
        """The client's non-streamed answer and its usage, from the provider's."""
        provider_format = FORMATS[attempt.spec.wire_format]
        if self.is_passthrough(attempt):
            return raw, provider_format.usage_of(payload) or c.Usage()
        response = provider_format.parse_response(payload)
        response = dataclasses.replace(response, model=self.model)
        body = self.client_format.build_response(response)
        return json.dumps(body, ensure_ascii=False).encode("utf-8"), response.usage or c.Usage()

    def stream_request(self) -> c.Request:
        """The request a client stream encoder needs (a stub on passthrough: no full parse)."""
        if self._canonical is not None:
            return self._canonical
        return c.Request(
            model=self.model, messages=(), stream=True, include_usage=self.include_usage
        )
