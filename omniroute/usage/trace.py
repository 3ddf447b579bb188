"""RequestTrace: what one /v1 request did, gathered as it runs and turned into a usage row."""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass, field
from typing import Any

from ..clock import utcnow
from ..formats.canonical import Usage
from .request_log import Capture


@dataclass
class RequestTrace:
    endpoint: str
    format_in: str | None = None
    format_out: str | None = None
    api_key_id: int | None = None
    stream: bool = False
    requested_model: str | None = None
    provider: str | None = None
    connection_id: int | None = None
    model: str | None = None
    status: int = 200
    usage: Usage = field(default_factory=Usage)
    error: str | None = None
    ttft_ms: float | None = None
    attempts: int = 0
    attempt_chain: list[dict] = field(default_factory=list)  # each upstream call, in order
    request_bytes: int = 0
    max_tokens: int | None = None  # the client's cap on the answer (for a budget reservation)
    output_chars: int = 0  # text streamed to the client (for an estimate when usage is missing)
    estimated: bool = False
    reserved_usd: float | None = None  # held against the key's budget until the request ends
    capture: Capture | None = None  # when request logs are on
    # names the request in the log lines; in the usage row only with a capture, whose request
    # log it links to
    request_id: str | None = None
    # answered from memory ("cache", "idempotent": omniroute/replay/) instead of a provider:
    # the row costs nothing and notes the original answer's cost as saved (list_cost_usd)
    served_from: str | None = None
    saved_usd: float = 0.0
    created_at: object = field(default_factory=utcnow)
    started: float = field(default_factory=time.perf_counter)
    client_headers: Any = None  # the client's headers (tracing reads its W3C traceparent)
    # with tracing on: each upstream call's (start, end of its answer's headers or failure,
    # account id) on the perf_counter clock, in the attempt chain's order; None: tracing off
    call_times: list[tuple[float, float, int | None]] | None = None

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000.0

    def mark_first_token(self) -> None:
        if self.ttft_ms is None:
            self.ttft_ms = self.elapsed_ms()

    def fail(self, status: int, message: str) -> None:
        self.status = status
        self.error = message[:1000]

    def set_usage(self, usage: Usage | None) -> None:
        if usage is not None:
            self.usage = usage

    def merge_usage(self, usage: Usage) -> None:
        """Take every count the new report has (streams report input first, output last)."""
        self.usage = dataclasses.replace(
            self.usage,
            **{
                f.name: getattr(usage, f.name)
                for f in dataclasses.fields(Usage)
                if getattr(usage, f.name)
            },
        )

    def to_row(self) -> dict:
        return {
            "created_at": self.created_at,
            "endpoint": self.endpoint,
            "format_in": self.format_in,
            "format_out": self.format_out,
            "api_key_id": self.api_key_id,
            "provider": self.provider,
            "connection_id": self.connection_id,
            "requested_model": self.requested_model,
            "model": self.model,
            "status": self.status,
            "stream": self.stream,
            "prompt_tokens": self.usage.input_tokens,
            "completion_tokens": self.usage.output_tokens,
            "cache_read_tokens": self.usage.cache_read_tokens,
            "cache_write_tokens": self.usage.cache_write_tokens,
            "reasoning_tokens": self.usage.reasoning_tokens,
            "attempts": self.attempts,
            "attempt_chain": json.dumps(self.attempt_chain) if self.attempt_chain else None,
            "estimated": self.estimated,
            "request_id": self.request_id if self.capture is not None else None,
            "latency_ms": round(self.elapsed_ms(), 3),
            "ttft_ms": None if self.ttft_ms is None else round(self.ttft_ms, 3),
            "error": self.error,
            "served_from": self.served_from,
        }
