"""The request pipeline, top to bottom: parse → plan → send (with fallback) → relay → record.

The web layer names the endpoint and hands over the raw body; it gets a Reply back. Nothing here
touches the database: connections come from the in-memory cache and usage rows go to the
background writer.
"""

from __future__ import annotations

import json

from ..errors import GatewayError, UpstreamUnreachableError
from ..formats import openai_chat
from ..routing.plan import plan_attempts
from ..store.snapshot_cache import SnapshotCache
from ..usage.trace import RequestTrace
from ..usage.writer import UsageWriter
from .attempts import Answer, send_until_answered
from .reply import SSE_HEADERS, Reply
from .stream_relay import relay_chat_stream
from .upstream import UpstreamClient, network_error


class Pipeline:
    def __init__(self, connections: SnapshotCache, client: UpstreamClient, usage: UsageWriter):
        self.connections = connections
        self.client = client
        self.usage = usage

    def record(self, trace: RequestTrace) -> None:
        self.usage.submit(trace.to_row())

    def chat_completions(self, raw: bytes, api_key_id: int | None = None) -> Reply:
        trace = RequestTrace(endpoint="chat.completions", api_key_id=api_key_id)

        try:
            request = openai_chat.parse_request(raw)
            trace.requested_model, trace.stream = request.model, request.stream
            attempts = plan_attempts(request.model, self.connections.snapshot())
            answer = send_until_answered(
                self.client,
                attempts,
                lambda a: openai_chat.build_upstream_body(
                    request, a.model, a.spec.stream_usage_option
                ),
                request.stream,
            )
        except GatewayError as error:
            return self.error_reply(trace, error)
        attempt = answer.attempt
        trace.provider, trace.connection_id, trace.model = (
            attempt.spec.id,
            attempt.connection.id,
            attempt.model,
        )
        if request.stream:
            strip = attempt.spec.stream_usage_option and not request.client_wants_usage
            return Reply(
                200, relay_chat_stream(answer, trace, strip, self.record), dict(SSE_HEADERS)
            )
        return self._complete(answer, trace)

    def _complete(self, answer: Answer, trace: RequestTrace) -> Reply:
        provider = answer.attempt.spec.id
        try:
            content = answer.response.content
        except Exception as exc:
            return self.error_reply(trace, network_error(exc, provider, "reading the answer"))
        finally:
            answer.response.close()
        try:
            payload = json.loads(content)
        except ValueError:
            return self.error_reply(
                trace,
                UpstreamUnreachableError(
                    f"provider '{provider}' answered with something that is not JSON",
                    provider=provider,
                ),
            )
        trace.mark_first_token()
        if isinstance(payload, dict):
            trace.set_tokens(openai_chat.usage_tokens(payload.get("usage")))
        self.record(trace)
        return Reply(200, content, {"Content-Type": "application/json"})

    def error_reply(self, trace: RequestTrace, error: GatewayError) -> Reply:
        trace.fail(error.status, error.message)
        self.record(trace)
        return Reply.json(error.status, openai_chat.error_body(error), error.headers)
