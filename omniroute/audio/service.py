"""Transcribe: plan the attempts for the model, call the provider's API (falling back to the
next account when this one fails in a way another may not), render, record usage."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import GatewayError, InvalidRequestError, UpstreamError, UpstreamStatusError
from ..formats.registry import FORMATS
from ..proxy.attempts import FALLBACK_STATUSES
from ..proxy.reply import Reply
from ..usage.trace import RequestTrace
from .providers import TRANSCRIBERS, ProviderCall, assemblyai
from .render import render
from .transcript import Transcript, TranscriptionRequest

ENDPOINT = "audio.transcriptions"


class Transcriber:
    """`pipeline` gives the routes, the upstream client and `record` (usage rows)."""

    def __init__(self, pipeline, sleep: Callable[[float], None] | None = None):
        self.pipeline = pipeline
        self.sleep = sleep

    def handle(self, parse: Callable[[], TranscriptionRequest], api_key_id, grant=None) -> Reply:
        trace = RequestTrace(endpoint=ENDPOINT, format_in="openai", api_key_id=api_key_id)
        try:
            request = parse()
            trace.requested_model = request.model
            transcript = self._transcribe(request, trace, grant)
        except GatewayError as error:
            trace.fail(error.status, error.message)
            self.pipeline.record(trace)
            reply = Reply.json(error.status, FORMATS["openai"].error_body(error), error.headers)
            reply.trace = trace
            return reply
        body, content_type = render(transcript, request.response_format)
        trace.mark_first_token()
        self.pipeline.record(trace)
        return Reply(200, body, {"Content-Type": content_type}, trace=trace)

    def _transcribe(self, request: TranscriptionRequest, trace: RequestTrace, grant) -> Transcript:
        attempts = self.pipeline.plan(request.model, grant=grant)[0]
        for index, attempt in enumerate(attempts, start=1):
            transcribe = TRANSCRIBERS.get(attempt.spec.wire_format)
            if transcribe is None:
                raise InvalidRequestError(
                    f"provider '{attempt.spec.id}' does not transcribe audio",
                    param="model",
                    code="model_not_supported",
                )
            trace.provider, trace.model = attempt.spec.id, attempt.model
            trace.connection_id, trace.format_out = attempt.connection.id, attempt.spec.wire_format
            trace.attempts = index
            call = ProviderCall(
                self.pipeline.client,
                attempt,
                request,
                poll_interval=assemblyai.POLL_INTERVAL,  # read now: tests shorten them
                poll_timeout=assemblyai.POLL_TIMEOUT,
            )
            if self.sleep is not None:
                call.sleep = self.sleep
            try:
                return transcribe(call)
            except UpstreamError as error:
                if isinstance(error, UpstreamStatusError):
                    retryable = error.upstream_status in FALLBACK_STATUSES
                else:
                    retryable = error.code != assemblyai.JOB_FAILED
                if not retryable or index == len(attempts):
                    raise
        raise AssertionError("plan_attempts never returns an empty plan")
