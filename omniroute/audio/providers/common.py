"""What every transcription provider module shares: the call's context, reading answers."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ...errors import UpstreamStatusError, UpstreamUnreachableError
from ...proxy.transport import Transport, UpstreamResponse, network_error
from ...proxy.upstream_call import auth_headers, upstream_url
from ...routing.plan import Attempt
from ..transcript import TranscriptionRequest


@dataclass
class ProviderCall:
    client: Transport
    attempt: Attempt
    request: TranscriptionRequest
    poll_interval: float = 0.5  # seconds between status polls (AssemblyAI)
    poll_timeout: float = 120.0  # seconds before a job that never finishes is given up
    sleep: Callable[[float], None] = field(default=time.sleep)

    @property
    def provider(self) -> str:
        return self.attempt.spec.id

    def url(self, path: str) -> str:
        return upstream_url(self.attempt, stream=False, path=path)

    def headers(self, **extra: str) -> dict[str, str]:
        return {**auth_headers(self.attempt.spec, self.attempt.connection.api_key), **extra}


def read_json(call: ProviderCall, response: UpstreamResponse, error_message) -> dict:
    """The JSON body of a 2xx answer; an error status becomes UpstreamStatusError with the
    message `error_message(payload_or_text)` finds in the body."""
    with response:
        try:
            raw = response.read_all()
        except Exception as exc:
            raise network_error(exc, call.provider, "reading the answer") from exc
    try:
        payload = json.loads(raw) if raw else {}
    except ValueError:
        payload = None
    if response.status_code >= 400:
        text = raw[:500].decode("utf-8", "replace").strip()
        message = (error_message(payload) if isinstance(payload, dict) else None) or text
        retry_after = response.headers.get("Retry-After")
        raise UpstreamStatusError(
            f"{call.provider}: {message or 'HTTP ' + str(response.status_code)}",
            provider=call.provider,
            upstream_status=response.status_code,
            headers={"Retry-After": retry_after} if retry_after else {},
        )
    if not isinstance(payload, dict):
        raise invalid_answer(call)
    return payload


def invalid_answer(call: ProviderCall) -> UpstreamUnreachableError:
    return UpstreamUnreachableError(
        f"provider '{call.provider}' answered with something that is not a valid "
        f"{call.attempt.spec.wire_format} transcription response",
        provider=call.provider,
    )


def seconds(value) -> float | None:
    return float(value) if isinstance(value, int | float) else None
