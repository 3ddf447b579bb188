"""Send a request to the planned attempts in order until one answers; decide before streaming.

An attempt that fails in a way another account may not (network error, timeout, 429, 5xx, or
401/402/403 for that account's key) moves on to the next attempt; any other answer is final. For
a stream, the first whole event must arrive before the attempt is chosen, so a stream that breaks
before its first byte still falls back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import UpstreamError, UpstreamStatusError
from ..formats.registry import FORMATS
from ..routing.plan import Attempt
from .endpoints import UpstreamRequest
from .upstream import UpstreamClient, UpstreamResponse, network_error

FALLBACK_STATUSES = frozenset({401, 402, 403, 408, 429}) | frozenset(range(500, 600))


class StreamReader:
    """Turns a provider's stream bytes into items: raw SSE events (passthrough) or canonical
    events (translation). `feed` returns what the bytes completed; `close` the remainder."""

    def feed(self, data: bytes) -> list[Any]:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> list[Any]:  # pragma: no cover - interface
        raise NotImplementedError


@dataclass
class Answer:
    attempt: Attempt
    response: UpstreamResponse
    reader: StreamReader | None = None
    first_items: list[Any] = field(default_factory=list)
    tried: int = 1


def send_until_answered(
    client: UpstreamClient,
    attempts: Sequence[Attempt],
    build: Callable[[Attempt], UpstreamRequest],
    new_reader: Callable[[Attempt], StreamReader] | None = None,
    timeout: tuple[float, float] | None = None,
) -> Answer:
    """The first attempt that answers; `new_reader` (for streams) makes each attempt's reader."""
    for index, attempt in enumerate(attempts, start=1):
        try:
            answer = _try_once(client, attempt, build(attempt), new_reader, timeout)
        except UpstreamError as error:
            retryable = not isinstance(error, UpstreamStatusError) or (
                error.upstream_status in FALLBACK_STATUSES
            )
            if retryable and index < len(attempts):
                continue
            raise
        answer.tried = index
        return answer
    raise AssertionError("plan_attempts never returns an empty plan")


def _try_once(client, attempt, request: UpstreamRequest, new_reader, timeout) -> Answer:
    provider = attempt.spec.id
    response = client.post(
        request.url, request.body, request.headers, provider=provider, timeout=timeout
    )
    if response.status_code >= 400:
        message, kind, code = FORMATS[request.wire_format].parse_error(_read_small(response))
        raise UpstreamStatusError(
            f"{provider}: {message}",
            provider=provider,
            upstream_status=response.status_code,
            upstream_type=kind,
            upstream_code=code,
            headers=_retry_after(response),
        )
    answer = Answer(attempt, response)
    if new_reader is not None:
        answer.reader = new_reader(attempt)
        answer.first_items = read_first_items(response, answer.reader, provider)
    return answer


def read_first_items(response: UpstreamResponse, reader: StreamReader, provider: str) -> list:
    """Read until the reader yields its first items (or the stream ends); a broken stream
    raises UpstreamError so the next attempt can be tried."""
    try:
        while True:
            chunk = response.read1()
            if not chunk:
                return reader.close()
            items = reader.feed(chunk)
            if items:
                return items
    except Exception as exc:
        response.close()
        raise network_error(exc, provider, "stream broke before it started") from exc


def _read_small(response: UpstreamResponse, limit: int = 65536) -> bytes:
    try:
        return response.read_all(limit)
    except Exception:
        return b""
    finally:
        response.close()


def _retry_after(response: UpstreamResponse) -> dict[str, str]:
    value = response.headers.get("Retry-After")
    return {"Retry-After": value} if value else {}
