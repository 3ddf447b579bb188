"""The live monitor across processes: the interface of translator.monitor.LiveMonitor, so the
translator's monitor shows requests served by any process.

A process with a watcher announces it (an event, repeated every ANNOUNCE_SECONDS); a process
that heard an announcement within WATCH_SECONDS turns `watching` on, so its pipeline hands it
each finished request, which it shows to its own watchers and publishes; the watching processes
add the published events to their ring and feeds (numbered in their own sequence). Nobody
watching anywhere: the pipeline still pays one attribute read per request, as before.
"""

from __future__ import annotations

import time

from ..translator.monitor import LiveMonitor, Subscription
from .events import SharedEvents

ANNOUNCE_SECONDS = 2.0
WATCH_SECONDS = 5.0


class SharedLiveMonitor(LiveMonitor):
    def __init__(self, events: SharedEvents):
        super().__init__()
        self.events = events
        self._watched_until = 0.0  # a watcher in another process was announced until then
        self._announced = 0.0
        events.on("monitor-watch", self._remote_watcher)
        events.on("monitor-event", self._remote_event)
        events.every_tick(self._announce)

    def publish(self, row: dict) -> dict:
        event = super().publish(row)
        if time.monotonic() < self._watched_until:
            self.events.publish("monitor-event", event={**event, "seq": None})
        elif not self.subscriber_count:
            self.watching = False  # the last remote watcher went away
        return event

    def subscribe(self) -> Subscription | None:
        subscription = super().subscribe()
        if subscription is not None:
            self._announced = 0.0
            self._announce()
        return subscription

    def _announce(self) -> None:
        now = time.monotonic()
        if self.subscriber_count and now - self._announced >= ANNOUNCE_SECONDS:
            self._announced = now
            self.events.publish("monitor-watch")

    def _remote_watcher(self, _event: dict) -> None:
        self._watched_until = time.monotonic() + WATCH_SECONDS
        self.watching = True

    def _remote_event(self, message: dict) -> None:
        if not self.subscriber_count:
            return
        event = dict(message["event"], seq=next(self._seq))
        with self._lock:
            self._ring.append(event)
            subscribers = list(self._subscribers)
        for subscription in subscribers:
            subscription.put(event)
