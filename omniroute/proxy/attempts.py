"""Send a request to the planned attempts in order until one answers; decide before streaming.

An attempt that fails in a way another account may not (network error, timeout, 429, 5xx, or
401/402/403 for that account's key) moves on to the next attempt; any other answer is final. For
a stream, the first whole event must arrive before the attempt is chosen, so a stream that breaks
before its first byte still falls back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import requests

from ..errors import UpstreamError, UpstreamStatusError
from ..formats.openai_chat import upstream_error_message
from ..formats.sse import SSESplitter
from ..routing.plan import Attempt
from .upstream import UpstreamClient, auth_headers, network_error

FALLBACK_STATUSES = frozenset({401, 402, 403, 408, 429}) | frozenset(range(500, 600))
READ_SIZE = 65536


@dataclass
class Answer:
    attempt: Attempt
    response: requests.Response
    first_events: list[bytes] = field(default_factory=list)
    splitter: SSESplitter | None = None
    tried: int = 1


def chat_url(attempt: Attempt) -> str:
    return (attempt.connection.base_url or attempt.spec.base_url) + "/chat/completions"


def send_until_answered(
    client: UpstreamClient,
    attempts: Sequence[Attempt],
    build_body: Callable[[Attempt], bytes],
    stream: bool,
    timeout: tuple[float, float] | None = None,
) -> Answer:
    last_error: UpstreamError | None = None
    for index, attempt in enumerate(attempts, start=1):
        try:
            answer = _try_once(client, attempt, build_body(attempt), stream, timeout)
        except UpstreamError as error:
            retryable = not isinstance(error, UpstreamStatusError) or (
                error.upstream_status in FALLBACK_STATUSES
            )
            last_error = error
            if retryable and index < len(attempts):
                continue
            raise
        answer.tried = index
        return answer
    assert last_error is not None
    raise last_error


def _try_once(
    client: UpstreamClient,
    attempt: Attempt,
    body: bytes,
    stream: bool,
    timeout: tuple[float, float] | None,
) -> Answer:
    provider = attempt.spec.id
    headers = {
        "Content-Type": "application/json",
        "Accept": "text/event-stream" if stream else "application/json",
        **auth_headers(attempt.spec, attempt.connection.api_key),
    }
    response = client.post(chat_url(attempt), body, headers, provider=provider, timeout=timeout)
    if response.status_code >= 400:
        raw = _read_small(response)
        message, kind, code = upstream_error_message(raw)
        raise UpstreamStatusError(
            f"{provider}: {message}",
            provider=provider,
            upstream_status=response.status_code,
            upstream_type=kind,
            upstream_code=code,
            headers=_retry_after(response),
        )
    answer = Answer(attempt, response)
    if stream:
        answer.splitter = SSESplitter()
        answer.first_events = read_first_events(response, answer.splitter, provider)
    return answer


def read_first_events(response: requests.Response, splitter: SSESplitter, provider: str) -> list:
    """Read until the first whole SSE event (or the end); a broken stream raises UpstreamError."""
    try:
        while True:
            chunk = response.raw.read1(READ_SIZE)
            if not chunk:
                tail = splitter.pending()
                return [tail] if tail.strip() else []
            events = splitter.feed(chunk)
            if events:
                return events
    except Exception as exc:
        response.close()
        raise network_error(exc, provider, "stream broke before it started") from exc


def _read_small(response: requests.Response, limit: int = 65536) -> bytes:
    try:
        return response.raw.read(limit, decode_content=True) or b""
    except Exception:
        return b""
    finally:
        response.close()


def _retry_after(response: requests.Response) -> dict[str, str]:
    value = response.headers.get("Retry-After")
    return {"Retry-After": value} if value else {}
