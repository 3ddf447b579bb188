"""Cooldowns (accounts resting) and lockouts (addresses locked out) shared through Redis: the
interfaces of resilience.cooldowns.Cooldowns and resilience.lockout.Lockout.

Each entry is stored under its own key expiring with it (`omniroute:cooldown:<account>:<model>`,
`omniroute:lock:<kind>:<address>`) and published; the other processes apply it to their
in-memory copy, which the hot path reads. A lift (`forget`, `clear`, `unlock`) travels the same
way. Failures that lead to a lockout are counted for all processes together (one counter per
address, for a window from its first failure); while Redis does not answer, per process.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Hashable

from ..resilience.cooldowns import Cooldowns
from ..resilience.lockout import Lockout
from .client import SharedRedis, SharedStateUnavailable
from .events import SharedEvents


class SharedCooldowns(Cooldowns):
    def __init__(
        self, shared: SharedRedis, events: SharedEvents, clock: Callable[[], float] = time.monotonic
    ):
        super().__init__(clock)
        self.shared, self.events = shared, events
        events.on("cool", self._apply)
        events.on("cool-forget", lambda e: Cooldowns.forget(self, e["account"]))
        events.on("cool-clear", lambda e: Cooldowns.clear(self))
        events.on_connect(self.load)

    def cool(self, account: Hashable, model: str | None, seconds: float, reason: str = "") -> None:
        super().cool(account, model, seconds, reason)
        entry = {"account": account, "model": model, "seconds": seconds, "reason": reason[:300]}
        try:
            self.shared.client.set(
                self._key(account, model), json.dumps(entry), px=max(1, int(seconds * 1000))
            )
        except SharedStateUnavailable as error:
            self.shared.failed(error, "cooldowns")
        self.events.publish("cool", **entry)

    def forget(self, account: Hashable) -> None:
        super().forget(account)
        self._delete(self.shared.key("cooldown", json.dumps(account), "*"))
        self.events.publish("cool-forget", account=account)

    def clear(self) -> None:
        super().clear()
        self._delete(self.shared.key("cooldown", "*"))
        self.events.publish("cool-clear")

    def load(self) -> None:
        client = self.shared.client
        for key in client.scan_iter(self.shared.key("cooldown", "*")):
            stored, left_ms = client.get(key), client.pttl(key)
            if stored and left_ms > 0:
                self._apply({**json.loads(stored), "seconds": left_ms / 1000})

    def _apply(self, entry: dict) -> None:
        """Another process's cooldown, in this process's copy (not stored or published again)."""
        Cooldowns.cool(self, entry["account"], entry["model"], entry["seconds"], entry["reason"])

    def _key(self, account: Hashable, model: str | None) -> str:
        return self.shared.key("cooldown", json.dumps(account), json.dumps(model))

    def _delete(self, pattern: str) -> None:
        try:
            keys = list(self.shared.client.scan_iter(pattern))
            if keys:
                self.shared.client.delete(*keys)
        except SharedStateUnavailable as error:
            self.shared.failed(error, "cooldowns")


class SharedLockout(Lockout):
    def __init__(self, shared: SharedRedis, events: SharedEvents, kind: str, local: Lockout):
        super().__init__(local.max_failures, local.window_seconds, local.lock_seconds, local._clock)
        self.shared, self.events, self.kind = shared, events, kind
        events.on(f"lock-{kind}", self._apply)
        events.on_connect(self.load)

    def record_failure(self, identifier: str) -> float:
        """Count the failure for every process (a window that starts at the first failure);
        the lock is taken by the process that counts the last one allowed."""
        try:
            name = self.shared.key("lock-failures", self.kind, identifier)
            with self.shared.client.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, int(self.window_seconds), nx=True)
                count, _ = pipe.execute()
        except SharedStateUnavailable as error:
            self.shared.failed(error, "lockouts")
            return self._locked_here(super().record_failure(identifier), identifier)
        if count < self.max_failures:
            return 0.0
        self._forget_failures(identifier)
        with self._lock:
            self._make_room(self._clock())
            self._locked_until[identifier] = self._clock() + self.lock_seconds
        return self._locked_here(self.lock_seconds, identifier)

    def _locked_here(self, seconds: float, identifier: str) -> float:
        """Store and announce a lock this process took (`seconds` 0: none was taken)."""
        if seconds:
            try:
                self.shared.client.set(self._key(identifier), "1", px=int(seconds * 1000))
            except SharedStateUnavailable as error:
                self.shared.failed(error, "lockouts")
            self.events.publish(f"lock-{self.kind}", identifier=identifier, seconds=seconds)
        return seconds

    def record_success(self, identifier: str) -> None:
        super().record_success(identifier)
        self._forget_failures(identifier)

    def unlock(self, identifier: str) -> None:
        super().unlock(identifier)
        self._forget_failures(identifier)
        try:
            self.shared.client.delete(self._key(identifier))
        except SharedStateUnavailable as error:
            self.shared.failed(error, "lockouts")
        self.events.publish(f"lock-{self.kind}", identifier=identifier, seconds=0)

    def load(self) -> None:
        prefix = self._key("")
        for key in self.shared.client.scan_iter(prefix + "*"):
            left_ms = self.shared.client.pttl(key)
            if left_ms > 0:
                self._apply({"identifier": key.decode()[len(prefix) :], "seconds": left_ms / 1000})

    def _apply(self, event: dict) -> None:
        identifier, seconds = event["identifier"], event["seconds"]
        if not seconds:
            Lockout.unlock(self, identifier)
            return
        with self._lock:
            self._make_room(self._clock())
            self._locked_until[identifier] = self._clock() + seconds

    def _forget_failures(self, identifier: str) -> None:
        try:
            self.shared.client.delete(self.shared.key("lock-failures", self.kind, identifier))
        except SharedStateUnavailable as error:
            self.shared.failed(error, "lockouts")

    def _key(self, identifier: str) -> str:
        return self.shared.key("lock", self.kind, identifier)
