"""The spans of one client request, made when its usage row is recorded.

Everything is known by then: when the request started (RequestTrace.started), each upstream
call's provider, model, status and error (the attempt chain) with its start, end and account
(RequestTrace.call_times), and the row's tokens and cost. Times on the request's perf_counter
clock become wall-clock nanoseconds against one reading of both clocks, so the spans of a
request line up with each other exactly.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from opentelemetry import trace as otel
from opentelemetry.context import Context
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from ..usage.trace import RequestTrace
from ..version import __version__

CLIENT_CONTEXT_HEADERS = ("traceparent", "tracestate")
UPSTREAM_SPAN = "upstream.call"
PROPAGATOR = TraceContextTextMapPropagator()

Attributes = dict[str, Any]
# an attempt chain's entry and the call's (start, end of its headers or failure, account id)
Call = tuple[Mapping[str, Any], tuple[float, float, int | None]]


class RequestTracer:
    """Turns a recorded request into its spans (see the package's docstring for their shape)."""

    def __init__(self, provider: TracerProvider):
        self.provider = provider
        self.tracer = provider.get_tracer("omniroute", __version__)

    def record(self, trace: RequestTrace, row: Mapping[str, Any]) -> None:
        clock = _WallClock()
        server = self.tracer.start_span(
            trace.endpoint,
            context=client_context(trace.client_headers),
            kind=SpanKind.SERVER,
            attributes=request_attributes(trace, row),
            start_time=clock.wall(trace.started),
        )
        if trace.status >= 500:
            server.set_status(Status(StatusCode.ERROR, trace.error))
        inside = otel.set_span_in_context(server)
        calls = list(zip(trace.attempt_chain, trace.call_times or (), strict=False))
        for index, call in enumerate(calls):
            self._called(inside, clock, call)
            if index + 1 < len(calls):
                self._moved_on(inside, clock, call, calls[index + 1])
        server.end(end_time=clock.now_ns)

    def _called(self, inside: Context, clock: _WallClock, call: Call) -> None:
        """One upstream call; the one that answered lasts until the request ends."""
        step, (started, noted, account_id) = call
        answered = step["status"] < 400
        span = self.tracer.start_span(
            UPSTREAM_SPAN,
            context=inside,
            kind=SpanKind.CLIENT,
            attributes=call_attributes(step, account_id, (noted - started) * 1000.0, answered),
            start_time=clock.wall(started),
        )
        if not answered:
            span.set_status(Status(StatusCode.ERROR, step.get("error")))
        span.end(end_time=clock.now_ns if answered else clock.wall(noted))

    def _moved_on(self, inside: Context, clock: _WallClock, failed: Call, following: Call) -> None:
        """The decision between two upstream calls: the same target again, or the next one."""
        (step, (_, noted, account_id)), (nxt, (started, _, next_account)) = failed, following
        same = (step["provider"], step["model"], account_id) == (
            nxt["provider"],
            nxt["model"],
            next_account,
        )
        attributes = _present(
            {
                "omniroute.fallback.reason_status": step["status"],
                "omniroute.fallback.reason": step.get("error"),
                "omniroute.fallback.from_provider": step["provider"],
                "omniroute.fallback.from_model": step["model"],
                "omniroute.fallback.from_account_id": account_id,
                "omniroute.fallback.to_provider": nxt["provider"],
                "omniroute.fallback.to_model": nxt["model"],
                "omniroute.fallback.to_account_id": next_account,
            }
        )
        span = self.tracer.start_span(
            "retry" if same else "fallback",
            context=inside,
            attributes=attributes,
            start_time=clock.wall(noted),
        )
        span.end(end_time=max(clock.wall(started), clock.wall(noted)))

    def flush(self, timeout_millis: int = 10_000) -> bool:
        """Send every finished span now (tests, and before a worker exits)."""
        return self.provider.force_flush(timeout_millis)

    def close(self) -> None:
        """Send what is pending and stop the exporter's thread."""
        self.provider.shutdown()


def client_context(headers: Any) -> Context | None:
    """The client's trace (W3C `traceparent`/`tracestate`) to continue; None: a new trace."""
    if headers is None:
        return None
    carrier = {name: headers.get(name) for name in CLIENT_CONTEXT_HEADERS}
    carrier = {name: value for name, value in carrier.items() if value}
    return PROPAGATOR.extract(carrier) if carrier else None


def request_attributes(trace: RequestTrace, row: Mapping[str, Any]) -> Attributes:
    """The client request's span: what was asked, who answered, the outcome, tokens and cost."""
    return _present(
        {
            "omniroute.endpoint": trace.endpoint,
            "omniroute.format_in": trace.format_in,
            "omniroute.format_out": trace.format_out,
            "omniroute.stream": trace.stream,
            "omniroute.api_key_id": trace.api_key_id,
            "gen_ai.request.model": trace.requested_model,
            "gen_ai.response.model": trace.model,
            "gen_ai.provider.name": trace.provider,
            "http.response.status_code": trace.status,
            "omniroute.attempts": trace.attempts,
            "gen_ai.usage.input_tokens": row.get("prompt_tokens"),
            "gen_ai.usage.output_tokens": row.get("completion_tokens"),
            "omniroute.usage.cache_read_tokens": row.get("cache_read_tokens"),
            "omniroute.usage.cache_write_tokens": row.get("cache_write_tokens"),
            "omniroute.usage.reasoning_tokens": row.get("reasoning_tokens"),
            "omniroute.cost_usd": row.get("cost_usd"),
            "omniroute.cache_hit": trace.served_from == "cache",
            "omniroute.served_from": trace.served_from,
            "omniroute.ttft_ms": row.get("ttft_ms"),
            "error.type": None if trace.status < 400 else str(trace.status),
        }
    )


def call_attributes(
    step: Mapping[str, Any], account_id: int | None, first_byte_ms: float, answered: bool
) -> Attributes:
    """One upstream call's span (the account by its id: a key never appears in a span)."""
    return _present(
        {
            "gen_ai.provider.name": step["provider"],
            "omniroute.account_id": account_id,
            "gen_ai.request.model": step["model"],
            "http.response.status_code": step["status"],
            "omniroute.latency_ms": step["ms"],
            # an answer's headers (its first event for a stream): when the call was chosen
            "omniroute.ttfb_ms": round(first_byte_ms, 1) if answered else None,
            "error.type": None if answered else str(step["status"]),
        }
    )


def _present(attributes: Attributes) -> Attributes:
    """The attributes that have a value (OpenTelemetry refuses None)."""
    return {name: value for name, value in attributes.items() if value is not None}


class _WallClock:
    """perf_counter readings as wall-clock nanoseconds, against one reading of both clocks."""

    def __init__(self) -> None:
        self.now_perf = time.perf_counter()
        self.now_ns = time.time_ns()

    def wall(self, perf: float) -> int:
        return self.now_ns - int((self.now_perf - perf) * 1e9)
