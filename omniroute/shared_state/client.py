"""The Redis connection: short timeouts, a key prefix, and the start-up check.

`connect(settings)` returns None without REDIS_URL. With it, Redis must answer a PING at
start-up, or start-up stops with a SettingsError naming REDIS_URL (the URL itself, which may
hold a password, is never shown). At run time every call has REDIS_TIMEOUT_MS to answer; a
failure raises `SharedStateUnavailable` (redis-py's ConnectionError/TimeoutError) and each
caller applies its own failure policy. `health()` tells the Health page whether Redis answered
the last call and how many calls failed.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from ..settings import SettingsError

log = logging.getLogger(__name__)

KEY_PREFIX = "omniroute:"
SharedStateUnavailable = (redis.ConnectionError, redis.TimeoutError)
QUIET_SECONDS = (
    1.0  # a Redis that failed is asked again after this (each caller's policy meanwhile)
)
OUTAGE_WARNING = (
    "Redis is not answering: budgets refuse requests, rate limits hold this process's share, "
    "idempotency is skipped, round-robin and affinity are per process"
)


class SharedRedis:
    """One client (a thread-safe connection pool) plus what the Health page shows about it."""

    def __init__(self, client: redis.Redis, timeout_ms: int):
        self._client = client
        self._quiet_until = 0.0  # after a failure, calls fail at once until then
        self.timeout_ms = timeout_ms
        self.failures = 0
        self.last_error = ""
        self._lock = threading.Lock()

    @property
    def client(self) -> redis.Redis:
        """The client; raises at once (no timeout paid) for QUIET_SECONDS after a failure."""
        self.check()
        return self._client

    def check(self) -> None:
        if self._quiet_until and time.monotonic() < self._quiet_until:
            raise redis.ConnectionError("Redis failed moments ago; not asked again yet")

    def run(self, script: Any, keys: list[str], args: list[Any]) -> Any:
        """Run a registered Lua script (scripts.py) under the same quiet period as `client`."""
        self.check()
        result = script(keys=keys, args=args)
        self.succeeded()
        return result

    @staticmethod
    def key(*parts: object) -> str:
        return KEY_PREFIX + ":".join(str(part) for part in parts)

    def failed(self, error: Exception, doing: str) -> None:
        """Count a failed call and log it (once per streak, so an outage does not flood)."""
        with self._lock:
            self._quiet_until = time.monotonic() + QUIET_SECONDS
            self.failures += 1
            first = not self.last_error
            self.last_error = f"{doing}: {error.__class__.__name__}"
        if first:
            log.warning("Redis is not answering (%s); applying the failure policy", doing)

    def succeeded(self) -> None:
        if self.last_error:
            with self._lock:
                self.last_error = ""
            log.info("Redis answers again")

    def health(self) -> dict[str, Any]:
        """For the Health report: does Redis answer, and what follows while it does not."""
        return {
            "backend": "redis",
            "ok": not self.last_error,
            "failures": self.failures,
            "lastError": self.last_error,
            "warning": OUTAGE_WARNING if self.last_error else "",
        }

    def close(self) -> None:
        self._client.close()


def connect(settings: dict[str, Any]) -> SharedRedis | None:
    """The shared client for REDIS_URL (None when unset); SettingsError when unreachable."""
    url = settings.get("REDIS_URL") or ""
    if not url:
        return None
    timeout = settings["REDIS_TIMEOUT_MS"] / 1000.0
    client = redis.Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=30,
        retry=Retry(NoBackoff(), 0),  # the caller's failure policy answers at once
        max_connections=max(16, int(settings.get("THREADS") or 16) + 8),
    )
    try:
        client.ping()
    except (redis.RedisError, OSError) as error:
        client.close()
        raise SettingsError(
            f"REDIS_URL is set but Redis does not answer ({error.__class__.__name__}: "
            f"{_without_url(error)}); start Redis or unset REDIS_URL"
        ) from None
    return SharedRedis(client, settings["REDIS_TIMEOUT_MS"])


def _without_url(error: Exception) -> str:
    """The error's text without anything after '@' (a URL's password stays out of messages)."""
    text = str(error).split("@")[-1]
    return text[:200]
