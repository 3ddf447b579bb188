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
from ..formats.dropped import DropNotes
from ..formats.model_echo import echo_model
from ..formats.registry import FORMATS, PROVIDER_FORMATS
from ..formats.signatures import WRAPPED_PREFIX, holds_wrapped
from ..routing.ai_policy import AiPolicy, apply_ai_policy
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


WRAPPED_MARKER = WRAPPED_PREFIX.encode("ascii")
MAX_TOKEN_FIELDS = ("max_tokens", "max_completion_tokens", "max_output_tokens")


class Translation:
    def __init__(self, call: ClientCall):
        self.call = call
        self.client_format = FORMATS[call.wire_format]
        self.client_headers = call.headers
        self.body: Any = parse_body(call.raw)
        envelope = self.client_format.peek_request(self.body, call.model, call.stream)
        self.model = check_model_id(envelope.model)  # the envelope's own id, once checked
        self.envelope = envelope
        self.stream, self.include_usage = envelope.stream, envelope.include_usage
        self._canonical: c.Request | None = None
        self._foreign: bool | None = None  # the body holds another format's signatures
        self.policy: AiPolicy | None = None  # Settings → AI, set by the pipeline
        # what the request loses in translation, logged once per request (set by the pipeline)
        self.drops: DropNotes | None = None

    @property
    def drops(self) -> DropNotes | None:
        return self._drops

    @drops.setter
    def drops(self, notes: DropNotes | None) -> None:
        self._drops = notes
        if self._canonical is not None:  # read before its drop log was named (replay/gate.py)
            self._canonical = dataclasses.replace(self._canonical, drops=notes)

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
            request = dataclasses.replace(
                request, model=self.model, stream=self.stream, drops=self.drops
            )
            if self.policy is not None and self.policy.changes_requests:
                request = apply_ai_policy(request, self.policy)
            self._canonical = request
        return self._canonical

    def is_passthrough(self, attempt: Attempt) -> bool:
        """The provider speaks the client's format, and the body gives back nothing another
        format issued (a combo's earlier turn answered by another provider: such a body is
        translated, so the foreign signatures are left out)."""
        if attempt.spec.wire_format != self.call.wire_format:
            return False
        if self.policy is not None and self.policy.changes_requests:
            return False  # the AI policy changes the request: it is built, not passed through
        if self._foreign is None:  # a byte search first: the walk only when the marker is there
            self._foreign = WRAPPED_MARKER in self.call.raw and holds_wrapped(self.body)
        return not self._foreign

    def upstream_request(self, attempt: Attempt) -> UpstreamCall:
        """The attempt's upstream call (a pipeline `build` callback)."""
        return chat_call(attempt, self)

    def client_answer(self, attempt: Attempt, payload: Any, raw: bytes) -> tuple[bytes, c.Usage]:
        """The client's non-streamed answer and its usage, from the provider's."""
        provider_format = PROVIDER_FORMATS[attempt.spec.wire_format]
        if self.is_passthrough(attempt):
            usage = provider_format.usage_of(payload) or c.Usage()
            echo = self.echoed_model(attempt)
            return (raw if echo is None else echo_model(raw, echo)), usage
        response = provider_format.parse_response(payload)
        response = dataclasses.replace(response, model=self.model)
        body = self.client_format.build_response(response)
        return json.dumps(body, ensure_ascii=False).encode("utf-8"), response.usage or c.Usage()

    def echoed_model(self, attempt: Attempt) -> str | None:
        """The model id a passed-through answer must name instead of the provider's (None when
        they are the same): the client's, as in every translated answer."""
        return None if attempt.model == self.model else self.model

    def stream_request(self) -> c.Request:
        """The request a client stream encoder needs (a stub on passthrough: no full parse)."""
        if self._canonical is not None:
            return self._canonical
        return c.Request(
            model=self.model, messages=(), stream=True, include_usage=self.include_usage
        )
