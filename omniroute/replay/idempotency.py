"""Request idempotency: a repeated request id gets the first answer instead of a second call.

A client names a request with `Idempotency-Key` (or `X-Request-Id`); the table keeps, per API
key and endpoint, the answer to the first request with that id for `window` seconds after it
ended. A request whose id is being answered waits for that answer (ten parallel duplicates make
one upstream call); one whose id was answered gets the answer as it was sent (status, headers,
bytes). A failed first call (status ≥ 400, or a stream that ended in an error) is dropped, not
kept: whoever waited makes its own call. Bounded in entries and bytes; thread-safe; `stats()`
counts replays (hits) and first calls (misses) for the Health card.

    claim(key) ─┬─ first ──► the caller answers, then keep(…) or drop(…)
                ├─ kept  ──► the earlier answer, to send again
                └─ wait  ──► wait(claim): the first's answer, or None (it failed)
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from .bounded_table import BoundedTable

KEY_HEADERS = ("Idempotency-Key", "X-Request-Id")


@dataclass(frozen=True)
class KeptReply:
    """The first answer to a request id, as its client received it, and what it cost."""

    status: int
    headers: dict[str, str]
    body: bytes
    provider: str | None = None
    model: str | None = None
    cost_usd: float = 0.0
    requested_model: str | None = None
    stream: bool = False


@dataclass
class Slot:
    """One request id: being answered (`done` not set), answered (`kept`), or dropped."""

    done: threading.Event = field(default_factory=threading.Event)
    kept: KeptReply | None = None
    kept_at: float = 0.0


@dataclass(frozen=True)
class Claim:
    key: Hashable
    slot: Slot
    first: bool  # this request makes the call (and must keep or drop the slot)
    kept: KeptReply | None = None  # an earlier answer, to replay now
    remote: bool = False  # another process answers it (REDIS_URL): wait() asks the shared store
    skipped: bool = False  # the shared store did not answer: handled by this process alone


def idempotency_key(headers) -> str | None:
    """The request id a client sent (`Idempotency-Key` first), or None."""
    if headers is None:
        return None
    for name in KEY_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


class IdempotencyTable(BoundedTable):
    def __init__(
        self,
        window_seconds: float,
        max_entries: int,
        max_bytes: int,
        clock: Callable[[], float] = time.monotonic,
    ):
        super().__init__(max_entries, max_bytes)
        self.window = window_seconds
        self._clock = clock
        self._slots: OrderedDict[Hashable, Slot] = OrderedDict()

    def __len__(self) -> int:
        return len(self._slots)

    def claim(self, key: Hashable) -> Claim:
        """What the request with id `key` does: answer first, replay a kept answer, or wait."""
        with self._lock:
            now = self._clock()
            self._drop_expired(now)
            slot = self._slots.get(key)
            if slot is not None and slot.kept is not None:
                if slot.kept_at + self.window > now:
                    self.hits += 1
                    return Claim(key, slot, first=False, kept=slot.kept)
                self._remove(key)
            elif slot is not None and not slot.done.is_set():
                return Claim(key, slot, first=False)
            slot = Slot()
            self._slots[key] = slot
            self.misses += 1
            self._shrink()
            return Claim(key, slot, first=True)

    def wait(self, claim: Claim, timeout: float) -> KeptReply | None:
        """The answer the first request with this id kept (None: it failed, or `timeout`)."""
        claim.slot.done.wait(timeout)
        kept = claim.slot.kept
        if kept is not None:
            with self._lock:
                self.hits += 1
        return kept

    def keep(self, claim: Claim, reply: KeptReply) -> None:
        """The first answer succeeded: keep it for repeats and hand it to whoever waits."""
        slot = claim.slot
        with self._lock:
            slot.kept, slot.kept_at = reply, self._clock()
            if self._slots.get(claim.key) is slot:
                if len(reply.body) > self.max_bytes:
                    self._slots.pop(claim.key)  # too big to keep; the waiters still get it
                else:
                    self._slots.move_to_end(claim.key)
                    self.bytes += len(reply.body)
                    self._shrink()
        slot.done.set()

    def drop(self, claim: Claim) -> None:
        """The first answer failed: forget the id, and let whoever waits make its own call."""
        with self._lock:
            if self._slots.get(claim.key) is claim.slot:
                self._remove(claim.key)
        claim.slot.done.set()

    def resize(self, window_seconds: float, max_entries: int, max_bytes: int) -> None:
        with self._lock:
            self.window, self.max_entries, self.max_bytes = (
                window_seconds,
                max_entries,
                max_bytes,
            )
            self._shrink()

    def _drop_expired(self, now: float) -> None:
        """Answered ids past the window, from the oldest (kept answers are in the order they
        ended; an id still being answered stops the sweep)."""
        while self._slots:
            key, slot = next(iter(self._slots.items()))
            if slot.kept is None or slot.kept_at + self.window > now:
                return
            self._remove(key)

    def _shrink(self) -> None:
        while self._slots and (len(self._slots) > self.max_entries or self.bytes > self.max_bytes):
            self._remove(next(iter(self._slots)))

    def _remove(self, key: Hashable) -> None:
        slot = self._slots.pop(key)
        if slot.kept is not None:
            self.bytes -= len(slot.kept.body)
