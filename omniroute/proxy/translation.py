"""One client request on its way to the providers: read once, translated per attempt.

When the provider speaks the client's format the body is passed through untouched except for the
model id (the fast path); otherwise it is parsed into the canonical model once, on first need,
and built in the provider's format. Answers come back the same way.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import InvalidRequestError
from ..formats import canonical as c
from ..formats import openai_chat
from ..formats.envelopes import check_envelope
from ..formats.registry import FORMATS
from ..routing.plan import Attempt
from .client_input import check_model_id, parse_body
from .endpoints import UpstreamRequest, upstream_headers, upstream_url


class HeaderLookup(Protocol):
    """The client's request headers as the pipeline reads them (a dict, or werkzeug's Headers)."""

    def get(self, name: str, /) -> str | None: ...


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
        self.body: Any = parse_body(call.raw)
        model, self.stream, self.include_usage = self._envelope()
        self.model = check_model_id(model)
        self._canonical: c.Request | None = None

    def _envelope(self) -> tuple[str, bool, bool]:
        if self.call.wire_format == openai_chat.NAME:
            envelope = openai_chat.peek_request(self.body)
            return envelope.model, envelope.stream, envelope.include_usage
        if not isinstance(self.body, dict):
            raise InvalidRequestError("request body must be a JSON object")
        check_envelope(self.call.wire_format, self.body)
        model = self.call.model if self.call.model is not None else self.body.get("model")
        if not isinstance(model, str) or not model.strip():
            raise InvalidRequestError("'model' is required and must be a string", param="model")
        stream = self.call.stream if self.call.stream is not None else self.body.get("stream")
        if stream is not None and not isinstance(stream, bool):
            raise InvalidRequestError("'stream' must be a boolean", param="stream")
        return model.strip(), bool(stream), False

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

    def upstream_request(self, attempt: Attempt) -> UpstreamRequest:
        wire = attempt.spec.wire_format
        if wire not in FORMATS:  # e.g. a speech-to-text provider
            raise InvalidRequestError(
                f"'{attempt.spec.id}' models do not chat; use the endpoint for their kind "
                "(e.g. /v1/audio/transcriptions)",
                param="model",
            )
        if self.is_passthrough(attempt):
            body = self._passthrough_body(attempt)
        else:
            request = dataclasses.replace(self.canonical(), model=attempt.model)
            body = FORMATS[wire].build_request(request)
        return UpstreamRequest(
            url=upstream_url(attempt, self.stream),
            headers=upstream_headers(attempt, self.stream, self.call.headers),
            body=json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
            wire_format=wire,
        )

    def _passthrough_body(self, attempt: Attempt) -> dict:
        wire = attempt.spec.wire_format
        if wire == openai_chat.NAME:
            envelope = openai_chat.Envelope(self.body, self.model, self.stream, self.include_usage)
            return openai_chat.passthrough_body(
                envelope, attempt.model, attempt.spec.stream_usage_option
            )
        if wire == "gemini":  # the model is in the URL
            return self.body
        return {**self.body, "model": attempt.model}

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
