"""SSE keep-alive comments while a streamed request waits for its provider's first event.

A streamed request is sent (with all its fallback) on a worker thread while the request's own
thread waits up to STREAM_KEEPALIVE_SECONDS for the outcome:
- an answer or an error within that time is replied to as always: status and X-OmniRoute-*
  headers are decided before streaming;
- a provider still silent after it commits the reply to 200 with SSE headers, and a
  `: keep-alive` comment goes out every interval until the outcome is known (to a Gemini client
  a blank line: Google's JS SDK, and Gemini CLI with it, takes `data:` lines from the start of
  what it has read and skips whitespace there, so a comment stalls it, while a blank line with
  no field is no event to any SSE reader). The answer's events then follow; a failure
  (fallback goes on behind the comments as before) becomes the in-band error event of the
  client's format, as for a stream that breaks midway.
A client that asked for progress events (proxy/progress.py) gets them in place of the
comments, one each progress interval. A client that hangs up while it waits stops the fallback
(the send checks for it between attempts); the outcome is closed and recorded (status 499) when
it arrives.

Workers are daemon threads, reused while busy and ended after a minute idle: a process may exit
while one still waits on a provider, as the request threads themselves may.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, wait
from typing import Any, Protocol

from ..errors import GatewayError, internal_error

log = logging.getLogger(__name__)

KEEPALIVE_COMMENT = b": keep-alive\n\n"
KEEPALIVE_BY_FORMAT = {"gemini": b"\n"}  # the formats whose clients cannot take a comment
IDLE_WORKER_SECONDS = 60.0


class Beat(Protocol):
    """Events that stand in for the keep-alive comments (proxy/progress.py's ProgressMeter)."""

    interval: float

    def event(self) -> bytes: ...


class SendPool:
    """Runs callables on reusable daemon threads, one thread per call in progress."""

    def __init__(self, idle_seconds: float = IDLE_WORKER_SECONDS):
        self._tasks: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0  # workers free to take the next task
        self._idle_seconds = idle_seconds

    def submit(self, work: Callable[[], Any]) -> Future:
        future: Future = Future()
        with self._lock:
            self._tasks.put((future, work))
            if self._idle:
                self._idle -= 1  # an idle worker takes it
                return future
        threading.Thread(target=self._serve, name="omniroute-send", daemon=True).start()
        return future

    def _serve(self) -> None:
        while True:
            try:
                future, work = self._tasks.get(timeout=self._idle_seconds)
            except queue.Empty:
                with self._lock:
                    if self._tasks.empty():
                        self._idle -= 1
                        return
                continue
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(work())
                except BaseException as exc:  # handed to the waiting request as it is
                    future.set_exception(exc)
            with self._lock:
                self._idle += 1


class PendingSend:
    """One send running on a worker: its outcome, or keep-alive comments while it runs."""

    def __init__(self, future: Future, interval: float, keepalive: bytes = KEEPALIVE_COMMENT):
        self.future = future
        self.interval = interval
        self.keepalive = keepalive

    def done_within_interval(self) -> bool:
        return bool(wait([self.future], self.interval).done)

    def outcome(self) -> Any:
        """The send's result (it raises what the send raised); call once it is done."""
        return self.future.result()

    def keepalives(self, progress: Beat | None = None) -> Iterator[bytes]:
        """A comment now (it sends the reply's headers), then one each interval the send is
        still running; with `progress`, its events instead, one each of its intervals."""
        if progress is None:
            yield self.keepalive
            while not self.done_within_interval():
                yield self.keepalive
            return
        yield progress.event()
        step = min(self.interval, progress.interval)
        while not wait([self.future], step).done:
            yield progress.event()

    def when_done(self, callback: Callable[[Future], None]) -> None:
        self.future.add_done_callback(callback)


class StreamKeepalive:
    """Starts streamed sends on the pool; `interval` seconds between keep-alive comments."""

    def __init__(self, interval: float, pool: SendPool | None = None):
        self.interval = interval
        self.pool = pool or SendPool()

    def start(self, send: Callable[[], Any], wire_format: str | None = None) -> PendingSend:
        """Start `send`; its keep-alives are those a `wire_format` client takes."""
        keepalive = KEEPALIVE_BY_FORMAT.get(wire_format or "", KEEPALIVE_COMMENT)
        return PendingSend(self.pool.submit(send), self.interval, keepalive)


def kept_alive(
    pending: PendingSend,
    answered: Callable[[Any], Iterable[bytes]],
    failed: Callable[[GatewayError], bytes],
    abandoned: Callable[[Future], None],
    progress: Beat | None = None,
) -> Iterator[bytes]:
    """The committed stream: keep-alive comments (or `progress` events) until the send is over,
    then the chunks of `answered(answer)` or the one of `failed(error)`. A client that hangs up
    meanwhile leaves `abandoned(send)` to run once the send is over."""
    try:
        yield from pending.keepalives(progress)
    except GeneratorExit:
        pending.when_done(abandoned)
        raise
    try:
        answer = pending.outcome()
    except GatewayError as error:
        yield failed(error)
        return
    except Exception as exc:
        log.error("unexpected error while sending a streamed request", exc_info=exc)
        yield failed(internal_error(exc))
        return
    yield from answered(answer)
