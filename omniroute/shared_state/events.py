"""Change events between processes: one Redis pub/sub channel, one listener thread per process.

A process that changes shared state (a breaker opens, an account starts resting, an address is
locked out) writes it to Redis and publishes an event; every other process applies the event to
its in-memory copy, which the hot path reads without a round trip. Events carry the sender's id
so a process ignores its own. Delivery takes milliseconds; a process that starts later, or that
lost its subscription while Redis was away, reads the stored state instead (`on_connect`).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from .client import SharedRedis, SharedStateUnavailable

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]
RECONNECT_SECONDS = 0.5
TICK_SECONDS = 0.2


class SharedEvents:
    def __init__(self, shared: SharedRedis):
        self.shared = shared
        self.channel = shared.key("events")
        self.origin = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._handlers: dict[str, Handler] = {}
        self._on_connect: list[Callable[[], None]] = []
        self._ticks: list[Callable[[], None]] = []
        self._stopping = threading.Event()
        self._subscribed = threading.Event()
        self._thread: threading.Thread | None = None

    def on(self, kind: str, handler: Handler) -> None:
        self._handlers[kind] = handler

    def on_connect(self, load: Callable[[], None]) -> None:
        """`load()` runs at every (re)subscription: read what was stored while not listening."""
        self._on_connect.append(load)

    def every_tick(self, tick: Callable[[], None]) -> None:
        """`tick()` runs on the listener thread about every TICK_SECONDS (heartbeats)."""
        self._ticks.append(tick)

    def publish(self, kind: str, **payload: Any) -> None:
        message = json.dumps({"kind": kind, "origin": self.origin, **payload})
        try:
            self.shared.client.publish(self.channel, message)
        except SharedStateUnavailable as error:
            self.shared.failed(error, f"publish {kind}")

    def start(self, wait_seconds: float = 2.0) -> None:
        self._thread = threading.Thread(target=self._listen, name="shared-events", daemon=True)
        self._thread.start()
        self._subscribed.wait(wait_seconds)

    def close(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(2)

    def _listen(self) -> None:
        while not self._stopping.is_set():
            pubsub = self.shared.client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self.channel)
                for load in self._on_connect:
                    load()
                self._subscribed.set()
                while not self._stopping.is_set():
                    message = pubsub.get_message(timeout=TICK_SECONDS)
                    if message is not None:
                        self._dispatch(message["data"])
                    for tick in self._ticks:
                        tick()
            except SharedStateUnavailable as error:
                self.shared.failed(error, "events")
                time.sleep(RECONNECT_SECONDS)
            except Exception:  # e.g. a stored entry that cannot be read: try again later
                log.exception("could not read the shared state")
                time.sleep(RECONNECT_SECONDS)
            finally:
                pubsub.close()

    def _dispatch(self, data: bytes) -> None:
        """Apply one event; a bad one is logged and skipped (the subscription stays)."""
        try:
            event = json.loads(data)
            if event.get("origin") == self.origin:
                return
            handler = self._handlers.get(event.get("kind"))
            if handler is not None:
                handler(event)
        except Exception:
            log.exception("could not apply a shared-state event")
