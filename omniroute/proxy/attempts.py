"""Send a request to the planned attempts in order until one answers; decide before streaming.

The fallback rules, one per failure (README "Fallback rules" says the same for users):

- 429: the account rests for the provider's hint (Retry-After, x-ratelimit-reset*, Gemini
  retryDelay, "reset after 2h30m" texts; without one the account's exponential backoff, see
  resilience/state.py) for that model; next.
- 401, 402, 403 (and Gemini's 400 API_KEY_INVALID): the account's key is refused; the whole
  account rests (its hint or backoff) and is not asked again for any model; next.
- 408, 500, 502, 503, 504, 529 and connection errors are transient: the same target is tried
  again up to `retries` times with exponential backoff (BACKOFF_SECONDS doubling), then next.
  A 503 that says when to come back (Retry-After or another hint) is not retried: that model
  on the account rests for the hint instead.
- Other 5xx and timeouts (a timed-out call is not repeated): next.
- 400/413/422 saying the prompt exceeds the context window: next target whose model has a larger
  context (targets of the same or a known smaller context are skipped).
- 404 (the model is not served there): next target with a different model.
- Any other 4xx is caused by the request itself: stop and return it.
- The client went away: stop at once (nothing is sent on its behalf any more).
A subscription provider's refusal says what it is about (the call's AnswerCheck reads it):
- the account's plan window is spent (Claude's 5-hour or weekly window rejected, Codex's
  `usage_limit_reached`): the whole account rests until the window resets (the latest of
  Retry-After and the resets) and is not asked again; next. The provider is not failing, so
  its breaker does not count it;
- one model is at capacity: that model on that account rests, as for any 429; next;
- the request is not entitled (e.g. "Usage credits are required for fast mode"): stop and
  return it; nothing rests, because every account would refuse it.
A signed-in account that cannot be called now (it must sign in again, or its token cannot be
renewed at the moment) is skipped when its call is built; when nothing else could be called,
the answer is 503 saying why.
Before each call, the provider's circuit breaker must let it through (an open breaker, or a
half-open one whose single probe is out, skips the attempt) and the account's rate limit must
grant a slot (waiting in its bounded queue up to the limit's max wait; otherwise the attempt is
skipped). Every call's outcome feeds the breaker; a success clears the account's backoff.
Every upstream call counts toward `max_attempts`. Fallback happens only here, before the first
byte reaches the client: for a stream, the first whole event (keep-alive comments do not count)
must arrive within the read timeout of the headers before the attempt is chosen, so a stream
that breaks, ends or stays silent before its first event still falls back (as a 502/504).
A request is built before its call is admitted, so one that cannot be built takes no rate-limit
slot and no breaker probe; a call that ends in an unexpected error gives its probe back. When
the last failure is a 429, Retry-After is the earliest moment one of the tried accounts is free
again; when nothing could be called at all, the answer is 429 (rate limits) or 503 (open
breakers) with Retry-After.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import (
    GatewayError,
    RateLimitedError,
    ServiceUnavailableError,
    UpstreamError,
    UpstreamStatusError,
    UpstreamTimeoutError,
    UpstreamUnreachableError,
)
from ..formats.registry import PROVIDER_FORMATS
from ..formats.sse import SSESplitter, event_fields
from ..resilience.reset_hints import cooldown_seconds, is_context_overflow
from ..resilience.settings import Backoff
from ..routing.plan import Attempt
from ..routing.state import RoutingState
from .callbacks import BuildCall, ClientGone, NewReader, StreamReader
from .transport import ProxyRoute, Transport, UpstreamResponse, network_error
from .transport.route import with_own_ca_bundle
from .upstream_call import (
    ACCOUNT_SCOPE,
    REQUEST_SCOPE,
    AccountUnavailable,
    AnswerCheck,
    UpstreamCall,
    send_call,
)

BACKOFF_SECONDS = 0.25
ACCOUNT_STATUSES = frozenset({401, 402, 403})
REFUSED_KEY_CODES = frozenset({"API_KEY_INVALID"})  # Gemini answers a bad key with a 400
TRANSIENT_STATUSES = frozenset({408, 500, 502, 503, 504, 529})
# how the breaker counts a refusal about one account or one request: like a refused key, the
# provider answered (it is not failing)
SCOPED_REFUSAL_OUTCOME = 403
FALLBACK_STATUSES = ACCOUNT_STATUSES | {408, 429} | frozenset(range(500, 600))
CLIENT_CLOSED_STATUS = 499


class ClientGoneError(GatewayError):
    status = CLIENT_CLOSED_STATUS
    type = "client_closed"
    code = "client_closed"


@dataclass
class Answer:
    attempt: Attempt
    response: UpstreamResponse
    reader: StreamReader | None = None
    first_items: list[Any] = field(default_factory=list)
    tried: int = 1


@dataclass
class FallbackContext:
    """What the fallback loop needs beyond the attempts, and what it writes down."""

    state: RoutingState | None = None
    retries: int = 0
    max_attempts: int = 10
    client_gone: ClientGone = lambda: False
    chain: list[dict] = field(default_factory=list)  # one entry per upstream call
    # the outbound route of each attempt's call (its API key's, combo's, provider's proxy);
    # None: the transport chooses
    route_for: Callable[[Attempt, str], ProxyRoute | None] | None = None
    # with tracing on (RequestTrace.call_times): each call's start, end and account id
    call_times: list[tuple[float, float, int | None]] | None = None

    def note(self, attempt: Attempt, started: float, status: int, error: str | None = None):
        if self.call_times is not None:
            self.call_times.append((started, time.perf_counter(), attempt.connection.id))
        entry = {
            "provider": attempt.spec.id,
            "account": attempt.connection.name,
            "model": attempt.model,
            "status": status,
            "ms": round((time.perf_counter() - started) * 1000.0, 1),
        }
        if error:
            entry["error"] = error[:200]
        self.chain.append(entry)


def send_until_answered(
    client: Transport,
    attempts: Sequence[Attempt],
    build: BuildCall,
    new_reader: NewReader | None = None,
    timeout: tuple[float, float] | None = None,
    context: FallbackContext | None = None,
) -> Answer:
    """The first attempt that answers; `new_reader` (for streams) makes each attempt's reader."""
    context = context or FallbackContext(max_attempts=max(1, len(attempts)))
    run = _Run(context)
    read_timeout = (timeout or client.timeout)[1]
    for attempt in attempts:
        if run.skips(attempt):
            continue
        try:
            request = build(attempt)  # before admit: one that cannot be built takes no slot
        except AccountUnavailable as unavailable:
            run.unavailable.append(unavailable)
            continue
        if context.route_for is not None:
            configured = context.route_for(attempt, request.url)
            request = replace(request, route=with_own_ca_bundle(configured, request.route))
        for retry in range(context.retries + 1):
            run.before_call(retry)
            admitted, permit = run.admit(attempt)
            if not admitted:
                break
            run.calls += 1
            started = time.perf_counter()
            try:
                answer = _try_once(
                    client, attempt, request, new_reader, timeout, permit, read_timeout
                )
            except UpstreamError as error:
                if not run.after_failure(attempt, error, started, retry):
                    break
                continue
            except BaseException:
                run.abandoned(attempt)
                raise
            context.note(attempt, started, answer.response.status_code)
            run.succeeded(attempt, answer.response)
            answer.tried = run.calls
            return answer
    raise run.final_error()


class _Run:
    """One request's way through its attempts: counts, skips, cooldowns, the last error."""

    def __init__(self, context: FallbackContext):
        self.context = context
        self.calls = 0
        self.last_error: UpstreamError | None = None
        self.min_context: int | None = None  # after an overflow: the context to exceed
        self.dead_models: set[tuple[str, str]] = set()
        self.refused_accounts: set = set()  # accounts whose key was refused during this run
        self.free_at: list[float] = []  # when each account rested by this run is free again
        self.limited: list[float] = []  # waits of accounts skipped for their rate limit
        self.blocked: list[float] = []  # waits of providers skipped for their open breaker
        self.unavailable: list[AccountUnavailable] = []  # signed-in accounts not callable now
        self.resilience = context.state.resilience if context.state is not None else None

    def skips(self, attempt: Attempt) -> bool:
        if (attempt.spec.id, attempt.model) in self.dead_models:
            return True
        if attempt.account in self.refused_accounts:
            return True
        if self.min_context is None:
            return False
        size = attempt.context_length
        return size is not None and size <= self.min_context

    def before_call(self, retry: int) -> None:
        if self.calls >= self.context.max_attempts:
            raise self.final_error()
        if retry:
            _sleep_unless_gone(BACKOFF_SECONDS * 2 ** (retry - 1), self.context.client_gone)
        if self.context.client_gone():
            raise ClientGoneError("the client closed the connection; no more attempts")

    def admit(self, attempt: Attempt) -> tuple[bool, object]:
        """(may call, rate-limit permit or None): the account's rate limit, then the breaker."""
        resilience = self.resilience
        if resilience is None:
            return True, None
        spec, permit = attempt.spec, None
        limits = resilience.limits_for(spec.tier)
        if limits is not None:
            permit = resilience.limiter.acquire(attempt.account, limits)
            if permit is None:
                self.limited.append(resilience.limiter.wait_estimate(attempt.account, limits))
                return False, None
        if not resilience.breakers.allow(spec.id, spec.tier):
            self.blocked.append(resilience.breakers.retry_in(spec.id))
            if permit is not None:
                permit.release()
            return False, None
        return True, permit

    def abandoned(self, attempt: Attempt) -> None:
        """A call let through ended without an outcome (an unexpected error): free the
        breaker's probe so the provider is not left waiting for it."""
        if self.resilience is not None:
            self.resilience.breakers.release(attempt.spec.id)

    def succeeded(self, attempt: Attempt, response: UpstreamResponse) -> None:
        if self.resilience is not None:
            self.resilience.breakers.record(
                attempt.spec.id, attempt.spec.tier, response.status_code
            )
            self.resilience.succeeded(attempt.account)
            self.resilience.limiter.learn(attempt.account, response.headers)

    def after_failure(self, attempt, error: UpstreamError, started: float, retry: int) -> bool:
        """Handle a failed call; True to try the same attempt again, False to move on.
        Raises the error when the rules say stop."""
        status = getattr(error, "upstream_status", error.status)
        self.context.note(attempt, started, status, error.message)
        self.last_error = error
        state = self.context.state
        if state is not None:
            state.note_failure(attempt.account)
        if self.resilience is not None:
            outcome = _breaker_outcome(error)
            self.resilience.breakers.record(attempt.spec.id, attempt.spec.tier, outcome)
        if not isinstance(error, UpstreamStatusError):
            transient = not isinstance(error, UpstreamTimeoutError)
            return transient and retry < self.context.retries
        if error.scope == REQUEST_SCOPE:
            raise error  # not entitled: every account would refuse it, none rests
        rested = self._rest(attempt, error)
        if status in TRANSIENT_STATUSES:
            return retry < self.context.retries and not rested
        if error.scope is not None or _refuses_key(error) or status == 429 or status >= 500:
            return False
        if is_context_overflow(status, error.message, error.code):
            self.dead_models.add((attempt.spec.id, attempt.model))
            size = attempt.context_length
            if size is not None:
                self.min_context = max(self.min_context or 0, size)
            return False
        if status == 404:
            self.dead_models.add((attempt.spec.id, attempt.model))
            return False
        raise error

    def _rest(self, attempt: Attempt, error: UpstreamStatusError) -> bool:
        """Rest the account (or one of its models) when the rules say so; True if it rests."""
        status, hint = error.upstream_status, error.retry_in
        if error.scope == ACCOUNT_SCOPE:  # its plan's window is spent: every model rests
            model = None
            self.refused_accounts.add(attempt.account)
        elif status == 429 or (status == 503 and hint is not None):
            model = attempt.model
        elif _refuses_key(error):
            model = None
            self.refused_accounts.add(attempt.account)
        else:
            return False
        if self.resilience is not None:
            seconds = self.resilience.rest(attempt.account, model, hint, error.message)
        else:
            seconds = Backoff().seconds(1) if hint is None else hint
        self.free_at.append(time.monotonic() + seconds)
        return True

    def final_error(self) -> GatewayError:
        error = self.last_error
        if error is None:
            return self._nothing_called()
        if error.status == 429 and self.free_at:
            wait = min(self.free_at) - time.monotonic()
            error.headers = {**error.headers, "Retry-After": str(max(1, math.ceil(wait)))}
        return error

    def _nothing_called(self) -> GatewayError:
        if self.limited:
            wait = str(max(1, math.ceil(min(self.limited))))
            return RateLimitedError(
                f"every account for this model is at its rate limit; retry in {wait} s",
                code="rate_limited",
                headers={"Retry-After": wait},
            )
        if self.blocked:
            wait = str(max(1, math.ceil(min(self.blocked))))
            return ServiceUnavailableError(
                f"the providers for this model are failing (circuit open); retry in {wait} s",
                code="circuit_open",
                headers={"Retry-After": wait},
            )
        if self.unavailable:
            return self.unavailable[0]
        raise AssertionError("plan_attempts never returns an empty plan")


def _breaker_outcome(error: UpstreamError) -> int | None:
    """What the provider's breaker counts for a failed call: its status (None: a timeout or a
    connection error), a refusal about one account or one request as the answer it is."""
    if not isinstance(error, UpstreamStatusError):
        return None
    if error.scope in (ACCOUNT_SCOPE, REQUEST_SCOPE):
        return SCOPED_REFUSAL_OUTCOME
    return error.upstream_status


def _refuses_key(error: UpstreamStatusError) -> bool:
    """The provider refused the account's key (or its billing), not the request."""
    if error.upstream_status in ACCOUNT_STATUSES:
        return True
    return error.upstream_status == 400 and error.code in REFUSED_KEY_CODES


def _sleep_unless_gone(seconds: float, client_gone: ClientGone) -> None:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0 and not client_gone():
        time.sleep(min(left, 0.05))


def _try_once(
    client: Transport,
    attempt: Attempt,
    request: UpstreamCall,
    new_reader: NewReader | None,
    timeout,
    permit,
    read_timeout: float,
) -> Answer:
    provider = attempt.spec.id
    try:
        response = send_call(client, request, provider=provider, timeout=timeout)
    except BaseException:
        if permit is not None:
            permit.release()
        raise
    if permit is not None:
        response.on_close(permit.release)  # a stream holds its slot until it ends
    deadline = time.monotonic() + read_timeout
    try:
        if request.check is not None:
            response = request.check.received(response, deadline)
        if response.status_code >= 400:
            raise status_error(response, request.wire_format, provider, request.check)
        answer = Answer(attempt, response)
        if new_reader is not None:
            answer.reader = new_reader(attempt)
            answer.first_items = read_first_items(response, answer.reader, provider, deadline)
        return answer
    except BaseException:
        response.close()
        raise


def status_error(
    response: UpstreamResponse, wire_format: str, provider: str, check: AnswerCheck | None = None
):
    """The UpstreamStatusError for an error answer, with the provider's rest hint (and, for a
    subscription account, what the refusal is about: `check.refusal`)."""
    raw = _read_small(response)
    message, kind, code = PROVIDER_FORMATS[wire_format].parse_error(raw)
    error = UpstreamStatusError(
        f"{provider}: {message}",
        provider=provider,
        upstream_status=response.status_code,
        upstream_type=kind,
        upstream_code=code,
        headers=_retry_after(response),
    )
    error.retry_in = cooldown_seconds(response.headers, raw, message, time.time())
    if check is not None:
        refusal = check.refusal(response.status_code, response.headers, raw, message)
        if refusal is not None:
            error.scope = refusal.scope
            if refusal.rest_seconds is not None:
                error.retry_in = refusal.rest_seconds
    return error


def read_first_items(
    response: UpstreamResponse, reader: StreamReader, provider: str, deadline: float
) -> list:
    """Read until the first whole event (an SSE event that is not a keep-alive comment, or any
    item the reader decoded) gives the reader its first items, by `deadline` at the latest. A
    stream that breaks, ends or stays silent (but for comments) before its first event raises
    UpstreamError so the next attempt can be tried.
    """
    events = SSESplitter()
    items: list = []
    seen_event = False
    try:
        while True:
            chunk = response.read1_by(deadline)
            if not chunk:
                if seen_event or _is_event(events.pending()):
                    return items + reader.close()
                raise UpstreamUnreachableError(
                    f"provider '{provider}' ended its stream before the first event",
                    provider=provider,
                )
            fed = reader.feed(chunk)
            items += fed
            # a decoded item is an event whatever the framing (Bedrock's is binary, not SSE)
            decoded = any(not isinstance(item, bytes) for item in fed)
            seen_event = seen_event or decoded or any(_is_event(e) for e in events.feed(chunk))
            if seen_event and items:
                response.started()
                return items
    except UpstreamError:
        raise
    except Exception as exc:
        raise network_error(exc, provider, "before the stream's first event") from exc


def _is_event(raw: bytes) -> bool:
    """Does this SSE block carry an event (a data or event field), not just comments?"""
    name, data = event_fields(raw)
    return name is not None or bool(data.strip())


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
