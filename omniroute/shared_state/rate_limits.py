"""Per-account rate limits shared through Redis: the same interface as
resilience.rate_limits.RateLimiter, exact across every process (one Lua script checks and
records a start atomically, on Redis's clock).

A permit is a member of the account's in-flight set with a lease (LEASE_SECONDS), so a process
that dies holding permits frees them when the lease ends. A request whose account is busy waits,
polling, no longer than `max_wait_ms`; the queue bound (`max_queue`) is per process.

Failure policy: when Redis does not answer, the limits fail OPEN at this process's share — an
in-process limiter with the limits divided by WEB_CONCURRENCY — until Redis answers again.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import os
import threading
import time
from collections.abc import Hashable, Mapping

from ..resilience.rate_limits import LEARNED_LIMIT_HEADERS, RateLimiter, RateLimits
from .client import SharedRedis, SharedStateUnavailable
from .scripts import RATE_ACQUIRE

LEASE_SECONDS = 600  # the longest a permit can outlive a process that died holding it
POLL_SECONDS = 0.02  # how often a waiting request asks again while every slot is taken


class SharedPermit:
    def __init__(self, limiter: SharedRateLimiter, account: Hashable, permit_id: str):
        self._limiter, self._account, self._id = limiter, account, permit_id
        self._released = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._limiter._release(self._account, self._id)


class SharedRateLimiter:
    def __init__(self, shared: SharedRedis, workers: int = 1):
        self.shared = shared
        self.workers = max(1, workers)
        self.fallback = RateLimiter()  # this process's share while Redis does not answer
        self._script = shared.client.register_script(RATE_ACQUIRE)
        self._ids = itertools.count()
        self._prefix = f"{os.getpid()}-{time.time_ns()}-"
        self._waiting: dict[Hashable, int] = {}
        self._accounts: set[Hashable] = set()
        self._lock = threading.Lock()

    def acquire(self, account: Hashable, limits: RateLimits):
        deadline = time.monotonic() + limits.max_wait_ms / 1000.0
        if not self._enter(account, limits):
            return None
        try:
            while True:
                permit_id = self._prefix + str(next(self._ids))
                try:
                    wait = self._run(account, limits, permit_id, peek=False)
                except SharedStateUnavailable as error:
                    self.shared.failed(error, "rate limit")
                    return self.fallback.acquire(account, self.share(limits))
                if wait == 0:
                    return SharedPermit(self, account, permit_id)
                left = deadline - time.monotonic()
                if left <= 0 or (wait != math.inf and wait > left):
                    return None
                time.sleep(min(POLL_SECONDS if wait == math.inf else wait, left))
        finally:
            with self._lock:
                self._waiting[account] -= 1

    def wait_estimate(self, account: Hashable, limits: RateLimits) -> float:
        try:
            wait = self._run(account, limits, "", peek=True)
        except SharedStateUnavailable as error:
            self.shared.failed(error, "rate limit")
            return self.fallback.wait_estimate(account, self.share(limits))
        return 1.0 if wait == math.inf else wait

    def learn(self, account: Hashable, headers: Mapping[str, str]) -> None:
        for name in LEARNED_LIMIT_HEADERS:
            value = headers.get(name)
            if value and value.strip().isdecimal() and int(value) > 0:
                self.fallback.learn(account, headers)
                try:
                    key = self._key(account, "meta")
                    known = self.shared.client.hget(key, "learned")
                    if known is None or int(value) < int(known):
                        self.shared.client.hset(key, "learned", int(value))
                except SharedStateUnavailable as error:
                    self.shared.failed(error, "rate limit")
                return

    def snapshot(self) -> dict[Hashable, dict]:
        """What every account this process has seen looks like across all processes."""
        with self._lock:
            accounts = sorted(self._accounts, key=str)
        result = self.fallback.snapshot()
        try:
            seconds, micros = self.shared.client.time()
            since = seconds + micros / 1e6 - 60
            with self.shared.client.pipeline(transaction=False) as pipe:
                for account in accounts:
                    pipe.zcard(self._key(account, "in_flight"))
                    pipe.zcount(self._key(account, "starts"), since, "+inf")
                    pipe.hget(self._key(account, "meta"), "learned")
                answers = pipe.execute()
        except SharedStateUnavailable as error:
            self.shared.failed(error, "rate limit")
            return result
        for index, account in enumerate(accounts):
            in_flight, last_minute, learned = answers[3 * index : 3 * index + 3]
            result[account] = {
                "inFlight": in_flight,
                "waiting": self._waiting.get(account, 0),
                "lastMinute": last_minute,
                "learnedRpm": int(learned) if learned else None,
            }
        return result

    def share(self, limits: RateLimits) -> RateLimits:
        """This process's share of `limits` while Redis does not answer."""
        return dataclasses.replace(
            limits,
            requests_per_minute=max(1, limits.requests_per_minute // self.workers),
            max_concurrent=max(1, limits.max_concurrent // self.workers),
        )

    def _enter(self, account: Hashable, limits: RateLimits) -> bool:
        with self._lock:
            self._accounts.add(account)
            waiting = self._waiting.get(account, 0)
            if waiting >= limits.max_queue:
                return False
            self._waiting[account] = waiting + 1
            return True

    def _run(self, account: Hashable, limits: RateLimits, permit_id: str, peek: bool) -> float:
        keys = [self._key(account, part) for part in ("starts", "in_flight", "meta")]
        args: list[int | str] = [limits.requests_per_minute, limits.min_gap_ms]
        args += [limits.max_concurrent, permit_id, LEASE_SECONDS, int(peek)]
        admitted, wait = self.shared.run(self._script, keys, args)
        if admitted:
            return 0.0
        seconds = float(wait)
        return math.inf if seconds < 0 else seconds

    def _release(self, account: Hashable, permit_id: str) -> None:
        try:
            self.shared.client.zrem(self._key(account, "in_flight"), permit_id)
        except SharedStateUnavailable as error:
            self.shared.failed(error, "rate limit")  # the lease frees the slot later

    def _key(self, account: Hashable, part: str) -> str:
        return self.shared.key("rate", account, part)
