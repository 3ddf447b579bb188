"""The live monitor: finished requests handed over by the pipeline, for whoever is watching.

`Pipeline.record` reads `monitor.watching` (a plain attribute) and calls `publish(row)` only when
it is true, so the proxy pays one attribute read per request while nobody watches. While someone
does, each usage row becomes an event (with a sequence number) in a bounded ring of recent
events and in every subscriber's bounded queue; a slow subscriber loses its oldest events, never
blocks the request that published them. The number of subscribers is capped: each one is an
open SSE connection holding a waitress thread.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
from collections import deque

RING_SIZE = 500
QUEUE_SIZE = 200
MAX_SUBSCRIBERS = 16
EVENT_FIELDS = (
    "endpoint",
    "format_in",
    "format_out",
    "provider",
    "connection_id",
    "requested_model",
    "model",
    "status",
    "stream",
    "prompt_tokens",
    "completion_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
    "attempts",
    "latency_ms",
    "ttft_ms",
    "error",
    "request_id",
    "cost_usd",
)


def event_from_row(row: dict, seq: int) -> dict:
    """A monitor event: the usage row's fields, its attempt chain as a list, and `seq`."""
    event = {name: row.get(name) for name in EVENT_FIELDS}
    created = row.get("created_at")
    event["seq"] = seq
    event["time"] = created.isoformat() if isinstance(created, dt.datetime) else str(created)
    try:
        chain = json.loads(row["attempt_chain"]) if row.get("attempt_chain") else []
    except ValueError:
        chain = []
    event["attempt_chain"] = chain if isinstance(chain, list) else []
    return event


class Subscription:
    """One watcher's bounded queue: `get` waits for events; overflow drops the oldest."""

    def __init__(self, size: int = QUEUE_SIZE):
        self._events: deque = deque(maxlen=size)
        self._ready = threading.Condition()
        self.closed = False
        self.dropped = 0

    def put(self, event: dict) -> None:
        with self._ready:
            if len(self._events) == self._events.maxlen:
                self.dropped += 1
            self._events.append(event)
            self._ready.notify()

    def get(self, timeout: float) -> list[dict]:
        """Every pending event (oldest first), waiting up to `timeout` for the first."""
        with self._ready:
            if not self._events and not self.closed:
                self._ready.wait(timeout)
            events = list(self._events)
            self._events.clear()
            return events

    def close(self) -> None:
        with self._ready:
            self.closed = True
            self._ready.notify_all()


class LiveMonitor:
    def __init__(self, ring_size: int = RING_SIZE, max_subscribers: int = MAX_SUBSCRIBERS):
        self._lock = threading.Lock()
        self._ring: deque = deque(maxlen=ring_size)
        self._subscribers: list[Subscription] = []
        self._seq = itertools.count(1)
        self.max_subscribers = max_subscribers
        self.watching = False  # read without the lock on every request: keep it a plain bool

    def publish(self, row: dict) -> dict:
        event = event_from_row(row, next(self._seq))
        with self._lock:
            self._ring.append(event)
            subscribers = list(self._subscribers)
        for subscription in subscribers:
            subscription.put(event)
        return event

    def subscribe(self) -> Subscription | None:
        """A new subscription, or None when MAX_SUBSCRIBERS are already watching."""
        with self._lock:
            if len(self._subscribers) >= self.max_subscribers:
                return None
            subscription = Subscription()
            self._subscribers.append(subscription)
            self.watching = True
            return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subscription.close()
        with self._lock:
            if subscription in self._subscribers:
                self._subscribers.remove(subscription)
            self.watching = bool(self._subscribers)

    def close(self) -> None:
        """End every subscription (their feeds return): at shutdown."""
        with self._lock:
            subscribers, self._subscribers = self._subscribers, []
            self.watching = False
        for subscription in subscribers:
            subscription.close()

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def recent(self, limit: int = 50) -> list[dict]:
        """The latest events, newest first."""
        with self._lock:
            return list(self._ring)[-limit:][::-1]

    def find(self, seq: int) -> dict | None:
        with self._lock:
            return next((event for event in self._ring if event["seq"] == seq), None)
