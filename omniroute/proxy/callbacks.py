"""The pipeline's callbacks, typed: what proxy/pipeline.py and proxy/attempts.py are handed.

- BuildCall: an attempt's upstream call (Translation.upstream_request, a media request's);
- NewReader: the reader of a streamed attempt's answer (a StreamReader);
- CheckPlan: may refuse the planned attempts before anything is sent;
- CheckModel: may refuse a model the caller's API key cannot use;
- ClientGone: whether the client has hung up;
- ClientAnswer: a provider's non-streamed answer turned into the client's;
- SpanRecorder: makes a recorded request's trace spans (omniroute/tracing's RequestTracer).
"""

from __future__ import annotations

from typing import Any, Protocol

from ..formats.canonical import Usage
from ..routing.plan import Attempt
from ..usage.trace import RequestTrace
from .transport.route import ProxyRoute
from .upstream_call import UpstreamCall


class StreamReader(Protocol):
    """Turns a provider's stream bytes into items: raw SSE events (passthrough) or canonical
    events (translation). `feed` returns what the bytes completed; `close` the remainder."""

    def feed(self, data: bytes) -> list[Any]: ...

    def close(self) -> list[Any]: ...


class BuildCall(Protocol):
    """An attempt's upstream call; a GatewayError when it cannot be built (nothing is sent)."""

    def __call__(self, attempt: Attempt, /) -> UpstreamCall: ...


class NewReader(Protocol):
    """The reader of a streamed attempt's answer."""

    def __call__(self, attempt: Attempt, /) -> StreamReader: ...


class CheckPlan(Protocol):
    """Refuses a plan (raises a GatewayError) before anything is sent, or lets it go."""

    def __call__(self, attempts: list[Attempt], /) -> None: ...


class CheckModel(Protocol):
    """Refuses (raises a GatewayError) a model the caller's API key (`grant`) may not use."""

    def __call__(self, grant: Any, model: str, /) -> None: ...


class ClientGone(Protocol):
    """True once the client has hung up."""

    def __call__(self) -> bool: ...


class ClientAnswer(Protocol):
    """The client's body and usage from a provider's non-streamed answer (parsed, and raw);
    ValueError, TypeError, AttributeError or KeyError for an answer it cannot read."""

    def __call__(self, attempt: Attempt, payload: Any, raw: bytes, /) -> tuple[bytes, Usage]: ...


class RouteResolver(Protocol):
    """The outbound proxies (proxies/resolve.py ProxyResolver): the route of a call to `url`
    for a provider, a combo and an API key (None: direct); `idle` while none is configured."""

    idle: bool

    def route_for(
        self, provider: str, url: str, combo: str | None = None, key_id: int | None = None
    ) -> ProxyRoute | None: ...


class SpanRecorder(Protocol):
    """Makes the trace spans of a request from its trace and usage row, once it is recorded."""

    def record(self, trace: RequestTrace, row: dict) -> None: ...

    def flush(self) -> bool: ...

    def close(self) -> None: ...
