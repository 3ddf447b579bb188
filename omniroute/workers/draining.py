"""A worker's serving loop that can stop without failing a request.

On SIGTERM (or SIGINT) the worker drains instead of stopping at once:

1. it stops accepting (closes its copy of the shared listening socket; the other workers keep
   theirs, and a connection waiting in the kernel's backlog is taken by one of them);
2. every answer it still sends carries `Connection: close`, so a client on a kept-alive
   connection opens its next request elsewhere instead of sending it to a closing worker;
3. a connection idle for IDLE_CLOSE_SECONDS is closed; a request or stream in progress runs to
   its end (the loop keeps writing what the request threads produce);
4. once no connection is left (or WORKER_GRACE_SECONDS have passed) it shuts down like a single
   process does: the request threads end and the usage writer saves every queued row.
"""

from __future__ import annotations

import os
import signal
import threading
import time

from flask import Flask
from waitress import wasyncore
from waitress.channel import HTTPChannel

from ..serving import shutdown, startup_line

LOOP_SECONDS = 0.2  # how often the loop looks at the stop flag and the idle connections
IDLE_CLOSE_SECONDS = 1.0  # a draining worker closes a kept-alive connection idle this long


def closing_when_draining(channel_class: type[HTTPChannel], draining: threading.Event):
    """`channel_class` whose answers carry `Connection: close` once `draining` is set."""

    class DrainingTask(channel_class.task_class):  # type: ignore[name-defined]
        def build_response_header(self):
            if draining.is_set() and not self.close_on_finish:
                self.set_close_on_finish()
            return super().build_response_header()

    return type("DrainingChannel", (channel_class,), {"task_class": DrainingTask})


def serve_until_drained(app: Flask, server, grace_seconds: float) -> None:
    """Serve until SIGTERM or SIGINT, then drain (see the module docstring) and shut down."""
    draining = threading.Event()

    def stop(_signum, _frame):
        draining.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # a reload is the supervisor's, not ours
    server.channel_class = closing_when_draining(server.channel_class, draining)
    print(f"{startup_line(app, server)} (worker {os.getpid()})", flush=True)
    try:
        while not draining.is_set():
            _loop_once(server)
        wasyncore.dispatcher.close(server)  # stop accepting; the wake-up trigger stays open
        deadline = time.monotonic() + grace_seconds
        while _open_channels(server) and time.monotonic() < deadline:
            _close_idle(server, time.time() - IDLE_CLOSE_SECONDS)
            _loop_once(server)
    finally:
        shutdown(app, server)


def _loop_once(server) -> None:
    wasyncore.loop(timeout=LOOP_SECONDS, map=server._map, use_poll=True, count=1)


def _open_channels(server) -> list[HTTPChannel]:
    return [item for item in list(server._map.values()) if isinstance(item, HTTPChannel)]


def _close_idle(server, idle_since: float) -> None:
    """Close the connections with no request in progress and nothing left to send since
    `idle_since` (the loop closes a channel marked `will_close` on its next turn)."""
    for channel in _open_channels(server):
        idle = not channel.requests and channel.request is None and not channel.total_outbufs_len
        if idle and channel.last_activity <= idle_since:
            channel.will_close = True
