"""Sign-ins in progress, kept on the server: `state` → provider, PKCE verifier, redirect URI,
flow and device data. The browser only ever carries `state`; every answer is checked against it
(unknown, expired or another provider's state is a FlowError saying so). A sign-in expires ten
minutes after it started; at most `capacity` are kept (the oldest is dropped first).

Each state has a status the dashboard polls: pending → done (with the connection it created)
or failed (with the reason). One caller at a time completes a sign-in: `claim` marks it busy
(a second paste or poll of the same state waits its turn instead of spending the code twice),
and `release`, `finish` or `fail` ends the claim.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .pkce import new_state

TTL_SECONDS = 600.0
CAPACITY = 200
STATUSES = ("pending", "done", "failed")


class FlowError(ValueError):
    """A sign-in answer that cannot be accepted. `code`: unknown_state, expired,
    wrong_provider, busy or finished."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class PendingSignIn:
    state: str
    provider: str  # OAuthProvider.id
    flow: str  # paste | loopback | device
    created: float
    verifier: str = ""
    redirect_uri: str = ""
    device: Mapping[str, Any] = field(default_factory=dict)  # device codes, interval, next poll


@dataclass(frozen=True)
class SignInStatus:
    state: str
    provider: str
    flow: str
    status: str  # one of STATUSES
    expires_at: float
    connection_id: int | None = None
    reason: str = ""


@dataclass
class _Record:
    sign_in: PendingSignIn
    status: str = "pending"
    connection_id: int | None = None
    reason: str = ""
    busy: bool = False


class SignInFlows:
    """The server-side table of sign-ins in progress (thread-safe)."""

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        ttl: float = TTL_SECONDS,
        capacity: int = CAPACITY,
    ):
        self._clock = clock
        self.ttl = ttl
        self.capacity = capacity
        self._records: OrderedDict[str, _Record] = OrderedDict()
        self._lock = threading.Lock()

    def begin(
        self,
        provider: str,
        flow: str,
        *,
        verifier: str = "",
        redirect_uri: str = "",
        device: Mapping[str, Any] | None = None,
        state: str | None = None,
    ) -> PendingSignIn:
        """Record a new sign-in under a fresh (or the given) state."""
        sign_in = PendingSignIn(
            state=state or new_state(),
            provider=provider,
            flow=flow,
            created=self._clock(),
            verifier=verifier,
            redirect_uri=redirect_uri,
            device=dict(device or {}),
        )
        with self._lock:
            self._forget_old()
            while len(self._records) >= self.capacity:
                self._records.popitem(last=False)
            self._records[sign_in.state] = _Record(sign_in)
        return sign_in

    def pending(self, state: str, provider: str) -> PendingSignIn:
        """The sign-in waiting under `state` for `provider` (FlowError otherwise)."""
        with self._lock:
            return self._pending_record(state, provider).sign_in

    def claim(self, state: str, provider: str) -> PendingSignIn:
        """Take the sign-in to complete it; FlowError("busy") while another caller holds it."""
        with self._lock:
            record = self._pending_record(state, provider)
            if record.busy:
                raise FlowError("busy", "this sign-in is being completed already")
            record.busy = True
            return record.sign_in

    def release(self, state: str, device: Mapping[str, Any] | None = None) -> None:
        """End a claim without completing the sign-in, keeping new device data if given."""
        with self._lock:
            record = self._records.get(state)
            if record is None:
                return
            record.busy = False
            if device is not None:
                record.sign_in = replace(record.sign_in, device=dict(device))

    def finish(self, state: str, connection_id: int) -> SignInStatus:
        return self._close(state, "done", connection_id=connection_id)

    def fail(self, state: str, reason: str) -> SignInStatus:
        return self._close(state, "failed", reason=reason)

    def status(self, state: str, provider: str) -> SignInStatus:
        """Where the sign-in stands; an expired pending one reads as failed."""
        with self._lock:
            record = self._known_record(state, provider)
            if record.status == "pending" and self._expired(record):
                record.status, record.reason = "failed", self._expired_message()
            return self._status_of(record)

    def remaining(self, sign_in: PendingSignIn) -> float:
        """Seconds until the sign-in expires (0 when it has)."""
        return max(0.0, sign_in.created + self.ttl - self._clock())

    # -- inside the lock -----------------------------------------------------------------
    def _known_record(self, state: str, provider: str) -> _Record:
        record = self._records.get(state or "")
        if record is None:
            raise FlowError("unknown_state", "no sign-in was started with this state (or it ended)")
        if record.sign_in.provider != provider:
            raise FlowError("wrong_provider", "this state belongs to another provider's sign-in")
        return record

    def _pending_record(self, state: str, provider: str) -> _Record:
        record = self._known_record(state, provider)
        if record.status != "pending":
            raise FlowError("finished", f"this sign-in has already ended ({record.status})")
        if self._expired(record):
            record.status, record.reason = "failed", self._expired_message()
            raise FlowError("expired", self._expired_message())
        return record

    def _close(self, state: str, status: str, **outcome: Any) -> SignInStatus:
        with self._lock:
            record = self._records.get(state)
            if record is None:
                raise FlowError("unknown_state", "no sign-in was started with this state")
            record.status, record.busy = status, False
            record.connection_id = outcome.get("connection_id")
            record.reason = outcome.get("reason", "")
            return self._status_of(record)

    def _expired(self, record: _Record) -> bool:
        return self._clock() >= record.sign_in.created + self.ttl

    def _forget_old(self) -> None:
        """Drop sign-ins whose status nobody needs any more (twice the lifetime)."""
        horizon = self._clock() - 2 * self.ttl
        for state in [s for s, r in self._records.items() if r.sign_in.created < horizon]:
            del self._records[state]

    def _status_of(self, record: _Record) -> SignInStatus:
        sign_in = record.sign_in
        return SignInStatus(
            state=sign_in.state,
            provider=sign_in.provider,
            flow=sign_in.flow,
            status=record.status,
            expires_at=sign_in.created + self.ttl,
            connection_id=record.connection_id,
            reason=record.reason,
        )

    def _expired_message(self) -> str:
        return f"this sign-in expired after {self.ttl / 60:g} minutes: start it again"
