"""RequestTrace: what one /v1 request did, gathered as it runs and turned into a usage row."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..store.models import utcnow


@dataclass
class RequestTrace:
    endpoint: str
    api_key_id: int | None = None
    stream: bool = False
    requested_model: str | None = None
    provider: str | None = None
    connection_id: int | None = None
    model: str | None = None
    status: int = 200
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error: str | None = None
    ttft_ms: float | None = None
    created_at: object = field(default_factory=utcnow)
    started: float = field(default_factory=time.perf_counter)

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000.0

    def mark_first_token(self) -> None:
        if self.ttft_ms is None:
            self.ttft_ms = self.elapsed_ms()

    def fail(self, status: int, message: str) -> None:
        self.status = status
        self.error = message[:1000]

    def set_tokens(self, tokens: tuple[int, int] | None) -> None:
        if tokens is not None:
            self.prompt_tokens, self.completion_tokens = tokens

    def to_row(self) -> dict:
        return {
            "created_at": self.created_at,
            "endpoint": self.endpoint,
            "api_key_id": self.api_key_id,
            "provider": self.provider,
            "connection_id": self.connection_id,
            "requested_model": self.requested_model,
            "model": self.model,
            "status": self.status,
            "stream": self.stream,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "latency_ms": round(self.elapsed_ms(), 3),
            "ttft_ms": None if self.ttft_ms is None else round(self.ttft_ms, 3),
            "error": self.error,
        }
