"""The request pipeline, top to bottom: read → plan → send (with fallback) → relay → record.

The web layer names the client's wire format and hands over the raw body; it gets a Reply back,
in the client's format whatever format the provider speaks. Nothing here touches the database:
routes come from the in-memory table and usage rows go to the background writer.
The body is read and checked at the edge (proxy/client_input.py: a bad one is a 400 before any
provider is called). A streamed request is sent on a worker so that, while a slow provider has
not started, the client gets SSE keep-alive comments (proxy/keepalive.py).
"""

from __future__ import annotations

import json
from concurrent.futures import Future
from functools import partial
from typing import Any, Protocol

from ..errors import GatewayError, UpstreamUnreachableError
from ..formats.registry import FORMATS
from ..logs.drops import request_drops
from ..routing.affinity import SessionAffinity
from ..routing.ai_policy import AiPolicy, policy_for_model
from ..routing.plan import Attempt, plan_attempts
from ..routing.state import RoutingState
from ..routing.table import RoutingTable
from ..store.snapshot_cache import SnapshotCache
from ..unique_ids import unique_hex
from ..usage.accounting import Accounting
from ..usage.estimate import estimate_input_tokens
from ..usage.pricing import PricingTable
from ..usage.request_log import Capture
from ..usage.telemetry import LatencyTelemetry
from ..usage.trace import RequestTrace
from ..usage.writer import UsageWriter
from .attempts import CLIENT_CLOSED_STATUS, Answer, FallbackContext, send_until_answered
from .callbacks import (
    BuildCall,
    CheckModel,
    CheckPlan,
    ClientAnswer,
    ClientGone,
    NewReader,
    RouteResolver,
    SpanRecorder,
    StreamReader,
)
from .conversation_identity import affinity_identity
from .keepalive import StreamKeepalive, kept_alive
from .progress import PROGRESS_INTERVAL_SECONDS, ProgressMeter, meter_for, with_progress
from .provider_scope import refuse_sign_in_plan
from .reply import SSE_HEADERS, Reply
from .request_monitor import NobodyWatching, RequestMonitor
from .stream_relay import (
    DecodingReader,
    PassthroughSink,
    RawEventReader,
    TranslatingSink,
    captured,
    relay_stream,
)
from .subscription_calls import SubscriptionCalls
from .token_count import provider_count
from .translation import ClientCall, Translation
from .transport import Transport, network_error


class Pipeline:
    def __init__(
        self,
        routes: SnapshotCache[RoutingTable],
        client: Transport,
        usage: UsageWriter,
        state: RoutingState | None = None,
        telemetry: LatencyTelemetry | None = None,
        accounting: Accounting | None = None,
        check_model: CheckModel | None = None,
        monitor: RequestMonitor | None = None,
        request_logs: bool = False,
        keepalive_seconds: float = 0.0,
        subscriptions: SubscriptionCalls | None = None,
        proxies: RouteResolver | None = None,
        ai_policy: SnapshotCache[AiPolicy] | None = None,
        affinity: SessionAffinity | None = None,
        progress_seconds: float = PROGRESS_INTERVAL_SECONDS,
        replay: Replay | None = None,
        tracer: SpanRecorder | None = None,
    ):
        self.routes = routes
        self.ai_policy = ai_policy  # Settings → AI; None: requests go as the clients sent them
        self.client = client
        self.usage = usage
        self.state = state or RoutingState()
        self.telemetry = telemetry or LatencyTelemetry()
        self.monitor: RequestMonitor = monitor or NobodyWatching()
        self.accounting = accounting or Accounting(_CatalogPrices())
        self.check_model: CheckModel = check_model or _any_model
        self.request_logs = request_logs
        self.keepalive = StreamKeepalive(keepalive_seconds) if keepalive_seconds > 0 else None
        # signed-in accounts' tokens, upstream shapes and quota windows
        self.subscriptions = subscriptions or SubscriptionCalls()
        self.proxies = proxies  # outbound proxies by API key, combo, provider
        self.affinity = affinity  # session affinity (routing/affinity.py); None: none
        self.progress_seconds = progress_seconds  # between progress events (proxy/progress.py)
        self.replay = replay  # the response cache and idempotency (replay/gate.py); None: none
        self.tracer = tracer  # OpenTelemetry spans of each request (omniroute/tracing); None: off

    def plan(
        self,
        model: str,
        client_gone: ClientGone | None = None,
        grant=None,
        key_id: int | None = None,
        identity: str | None = None,
    ) -> tuple[list[Attempt], FallbackContext]:
        """The attempts for `model` and the fallback context (policy, routing state, the
        outbound route of each attempt for the caller's key `key_id`) to send them with; 403
        first when the caller's key (`grant`) may not use the model. A conversation `identity`
        puts the attempt that last answered it first while the plan holds it (session affinity)."""
        if grant is not None and grant.allowed_models:
            self.check_model(grant, model)
        table = self.routes.snapshot()
        served = self.subscriptions.served  # e.g. Copilot's *-codex models speak Responses
        attempts = [served(attempt) for attempt in plan_attempts(model, table, self.state)]
        if identity is not None and self.affinity is not None:
            attempts = self.affinity.order((identity, key_id, model), attempts)
        context = FallbackContext(
            self.state,
            retries=table.policy.retries,
            max_attempts=table.policy.max_attempts,
            client_gone=client_gone or _never,
        )
        proxies = self.proxies
        if proxies is not None and not proxies.idle:
            combo = model if model in table.combos else None
            context.route_for = lambda attempt, url: proxies.route_for(
                attempt.spec.id, url, combo, key_id
            )
        return attempts, context

    def send(
        self,
        model: str,
        trace: RequestTrace,
        build: BuildCall,
        new_reader: NewReader | None = None,
        client_gone: ClientGone | None = None,
        check_plan: CheckPlan | None = None,
        grant=None,
        identity: str | None = None,
    ):
        """Plan `model` and send until answered; the attempt chain lands in `trace` either way.
        `check_plan(attempts)` may refuse the plan (raise) before anything is sent."""
        attempts, context = self.plan(model, client_gone, grant, trace.api_key_id, identity)
        if check_plan is not None:
            check_plan(attempts)
        self.accounting.reserve(trace, attempts)
        trace.attempt_chain = context.chain
        if self.tracer is not None:
            trace.call_times = context.call_times = []
        try:
            answer = send_until_answered(self.client, attempts, build, new_reader, context=context)
        except GatewayError:
            if context.chain:  # the row names the last provider tried and counts every call
                last = context.chain[-1]
                trace.provider, trace.model = last["provider"], last["model"]
                trace.attempts = len(context.chain)
            raise
        note_attempt(trace, answer)
        if identity is not None and self.affinity is not None:
            self.affinity.answered((identity, trace.api_key_id, model), answer.attempt)
        return answer

    def record(self, trace: RequestTrace) -> None:
        """Queue the usage row (with its cost, settling the key's budget); feed the provider's
        latency telemetry (time to the first token for a stream, the whole answer otherwise)."""
        row = trace.to_row()
        self.accounting.finish(trace, row)
        if trace.capture is not None:
            row["_log"] = trace.capture.as_row()
        watching = self.monitor.watching  # the live monitor: one read while nobody watches
        if watching or self.tracer is not None:
            self.usage.storable(row)  # they show the row as it is saved
        self.usage.submit(row)  # cleaned on the writer thread otherwise
        if watching:
            self.monitor.publish(row)
        if self.tracer is not None:  # OTEL_EXPORTER_OTLP_ENDPOINT (omniroute/tracing)
            self.tracer.record(trace, row)
        if trace.provider is not None and trace.served_from is None:
            latency = row["ttft_ms"] if trace.stream and row["ttft_ms"] else row["latency_ms"]
            self.telemetry.add(trace.provider, latency, trace.status < 400)

    def handle(self, call: ClientCall) -> Reply:
        if self.replay is not None:  # an answer given again, or the call below (replay/gate.py)
            return self.replay.handle(call, self)
        return self.answer(call)

    def translation_of(self, call: ClientCall) -> Translation:
        """The client's request read (a bad body is a 400), with the AI policy it goes under."""
        translation = Translation(call)
        if self.ai_policy is not None:
            combos = self.routes.snapshot().combos  # a combo may have its own prompt
            translation.policy = policy_for_model(
                self.ai_policy.snapshot(), combos, translation.model
            )
        return translation

    def answer(self, call: ClientCall, prepared: Translation | None = None) -> Reply:
        """The client's call answered by the providers (`prepared`: its request, already read)."""
        trace = client_trace(call)
        if self.request_logs:
            trace.capture = Capture(call.raw, call.headers)
        try:
            translation = prepared or self.translation_of(call)
            trace.requested_model, trace.stream = translation.model, translation.stream
            translation.drops = request_drops(trace)
            trace.max_tokens = translation.max_output_tokens()
            affinity = self.affinity
            identity = (
                None
                if affinity is None
                else affinity_identity(affinity, call.headers, translation.body)
            )
            send = partial(
                self.send,
                translation.model,
                trace,
                self.subscriptions.build(translation.upstream_request),
                self._reader_factory(translation) if translation.stream else None,
                call.client_gone,
                check_plan=refuse_sign_in_plan,
                grant=call.grant,
                identity=identity,
            )
            progress = (
                meter_for(call.headers, call.wire_format, trace, self.progress_seconds)
                if translation.stream
                else None
            )
            if translation.stream and self.keepalive is not None:
                pending = self.keepalive.start(send, call.wire_format)
                if not pending.done_within_interval():
                    relay = kept_alive(
                        pending,
                        lambda answer: self._relay(translation, answer, trace, progress),
                        partial(self._failed_in_band, translation, trace),
                        partial(self._abandoned, trace),
                        progress,
                    )
                    body = captured(relay, trace.capture)
                    return Reply(200, body, dict(SSE_HEADERS), trace=trace)
                answer = pending.outcome()
            else:
                answer = send()
        except GatewayError as error:
            return self.error_reply(call.wire_format, trace, error)
        if translation.stream:
            relay = captured(self._relay(translation, answer, trace, progress), trace.capture)
            return Reply(200, relay, {**SSE_HEADERS, **explain_headers(answer)}, trace=trace)
        return self._complete(translation, answer, trace)

    def _relay(
        self,
        translation: Translation,
        answer: Answer,
        trace: RequestTrace,
        progress: ProgressMeter | None = None,
    ):
        sink = self._sink(translation, answer.attempt)
        relay = relay_stream(answer, trace, sink, self.record)
        return relay if progress is None else with_progress(relay, progress)

    def _failed_in_band(self, translation: Translation, trace: RequestTrace, error) -> bytes:
        """A failure after the stream was committed: recorded, and the client's error event."""
        trace.fail(error.status, error.message)
        self.record(trace)
        client_format = translation.call.wire_format
        return TranslatingSink(client_format, translation.stream_request()).error(error)

    def _abandoned(self, trace: RequestTrace, sent: Future) -> None:
        """A send whose client left before it was answered: close the answer, record 499."""
        if sent.exception() is None:
            answer = sent.result()
            note_attempt(trace, answer)
            answer.response.close()
        trace.fail(CLIENT_CLOSED_STATUS, "client closed the connection")
        self.record(trace)

    @staticmethod
    def _reader_factory(translation: Translation) -> NewReader:
        def new_reader(attempt: Attempt) -> StreamReader:
            if translation.is_passthrough(attempt):
                return RawEventReader()
            translation.canonical()  # the client's encoder needs the parsed request
            return DecodingReader(attempt.spec.wire_format)

        return new_reader

    @staticmethod
    def _sink(translation: Translation, attempt: Attempt):
        if translation.is_passthrough(attempt):
            strip = attempt.spec.stream_usage_option and not translation.include_usage
            return PassthroughSink(
                attempt.spec.wire_format,
                translation.stream_request(),
                strip,
                echo=translation.echoed_model(attempt),
            )
        return TranslatingSink(translation.call.wire_format, translation.canonical())

    def _complete(self, translation: Translation, answer: Answer, trace: RequestTrace) -> Reply:
        return self.answer_reply(
            translation.call.wire_format,
            answer,
            trace,
            translation.client_answer,
            answer.attempt.spec.wire_format,
        )

    def answer_reply(
        self,
        client_format: str,
        answer: Answer,
        trace: RequestTrace,
        client_answer: ClientAnswer,
        kind: str,
    ) -> Reply:
        """Read a non-streamed answer whole, turn it into the client's with `client_answer`
        (attempt, payload, raw) → (body, usage), record it, and reply; a broken or malformed
        answer is a 502 in the client's format."""
        provider = answer.attempt.spec.id
        try:
            raw = answer.response.read_all()
        except Exception as exc:
            error = network_error(exc, provider, "reading the answer")
            return self.error_reply(client_format, trace, error)
        finally:
            answer.response.close()
        try:
            body, usage = client_answer(answer.attempt, json.loads(raw), raw)
        except (ValueError, TypeError, AttributeError, KeyError):
            error = UpstreamUnreachableError(
                f"provider '{provider}' answered with something that is not a valid "
                f"{kind} response",
                provider=provider,
            )
            return self.error_reply(client_format, trace, error)
        trace.mark_first_token()
        trace.set_usage(usage)
        if trace.capture is not None:
            trace.capture.add(body)
        self.record(trace)
        headers = {"Content-Type": "application/json", **explain_headers(answer)}
        return Reply(200, body, headers, trace=trace)

    def error_reply(self, wire_format: str, trace: RequestTrace, error: GatewayError) -> Reply:
        trace.fail(error.status, error.message)
        reply = Reply.json(error.status, FORMATS[wire_format].error_body(error), error.headers)
        reply.trace = trace
        if trace.capture is not None:
            trace.capture.add(reply.whole_body)
        self.record(trace)
        return reply

    def count_tokens(self, call: ClientCall) -> Reply:
        """A client's token count (Anthropic's count_tokens, Gemini's countTokens), refused (403)
        like a chat call when the caller's key may not use the model: the provider's own count
        when it has a counting endpoint (see proxy.token_count), otherwise the documented
        estimate (marked `x-omniroute-estimate`); in the client's format (`client_count`)."""
        trace = client_trace(call)  # for the access line only: a count is no usage
        try:
            translation = Translation(call)
            trace.requested_model = translation.model
            translation.drops = request_drops(trace)
            attempt = self.plan(translation.model, grant=call.grant)[0][0]
            trace.provider = attempt.spec.id
            counted = provider_count(
                self.client, translation, attempt, prepare=self.subscriptions.prepare
            )
            if counted is not None:
                trace.attempts = 1
                reply = Reply.json(200, client_count(call.wire_format, counted))
            else:
                estimate = estimate_input_tokens(translation.canonical())
                answer = client_count(call.wire_format, {"input_tokens": estimate})
                reply = Reply.json(200, answer, {"x-omniroute-estimate": "true"})
        except GatewayError as error:
            trace.fail(error.status, error.message)
            body = FORMATS[call.wire_format].error_body(error)
            reply = Reply.json(error.status, body, error.headers)
        reply.trace = trace
        return reply


def client_count(wire_format: str, counted: dict) -> dict:
    """A count (Anthropic count_tokens' answer) as the client's format answers a count."""
    shape = FORMATS[wire_format].count_answer
    return counted if shape is None else shape(counted["input_tokens"])


def client_trace(call: ClientCall) -> RequestTrace:
    """The trace of a client's call, with the request id its log lines carry."""
    trace = RequestTrace(
        endpoint=call.endpoint,
        format_in=call.wire_format,
        api_key_id=call.api_key_id,
        request_bytes=len(call.raw),
        requested_model=call.model,  # when the URL names it; else read with the body
        client_headers=call.headers,
    )
    trace.request_id = unique_hex()
    return trace


def note_attempt(trace: RequestTrace, answer: Answer) -> None:
    """Write down which provider, account and model answered, and after how many tries."""
    attempt = answer.attempt
    trace.provider, trace.model = attempt.spec.id, attempt.model
    trace.connection_id = attempt.connection.id
    trace.format_out = attempt.spec.wire_format
    trace.attempts = answer.tried


class Replay(Protocol):
    """Answers given again instead of calling a provider (replay/gate.py ReplayGate)."""

    def handle(self, call: ClientCall, pipeline: Pipeline) -> Reply: ...

    def invalidate(self) -> None: ...

    def stats(self) -> dict[str, dict[str, Any]]: ...


class _CatalogPrices:
    """The catalog's prices alone (a pipeline built without the user's price table)."""

    table = PricingTable()

    def snapshot(self) -> PricingTable:
        return self.table


def _any_model(grant, model: str) -> None:
    return None


def _never() -> bool:
    return False


def explain_headers(answer: Answer) -> dict[str, str]:
    """Which provider and model answered, and how many attempts failed before it did."""
    return {
        "X-OmniRoute-Provider": answer.attempt.spec.id,
        "X-OmniRoute-Model": answer.attempt.model,
        "X-OmniRoute-Fallback-Attempts": str(answer.tried - 1),
    }
