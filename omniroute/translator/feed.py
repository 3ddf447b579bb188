"""The live monitor's server-sent events: one generator per open connection.

Each connection holds a waitress thread, so the generator sends a comment at once (so the
headers go out), a keep-alive comment after KEEPALIVE_SECONDS of quiet (a write is how waitress
notices a client that left), checks `client_gone` every TICK_SECONDS, and always unsubscribes
when it ends — because the client left, the monitor closed, or the server stops.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

from .monitor import LiveMonitor

KEEPALIVE_SECONDS = 15.0
TICK_SECONDS = 0.5
FILTER_KEYS = ("format", "provider", "model", "status")


def sse_event(name: str, data: str) -> bytes:
    """One SSE event; multi-line data is sent as several `data:` lines."""
    lines = "".join(f"data: {line}\n" for line in data.split("\n"))
    return f"event: {name}\n{lines}\n".encode()


def json_event(event: dict) -> bytes:
    return sse_event("request", json.dumps(event, ensure_ascii=False, default=str))


def matches(event: dict, filters: dict[str, str]) -> bool:
    """Filters: format (client format), provider, model (substring of requested or actual
    model), status ("ok" below 400, "error" from 400, or an exact code)."""
    if filters.get("format") and event.get("format_in") != filters["format"]:
        return False
    if filters.get("provider") and event.get("provider") != filters["provider"]:
        return False
    wanted = filters.get("model", "").lower()
    models = f"{event.get('requested_model') or ''} {event.get('model') or ''}".lower()
    if wanted and wanted not in models:
        return False
    return _status_matches(event.get("status") or 0, filters.get("status", ""))


def _status_matches(status: int, wanted: str) -> bool:
    if wanted == "ok":
        return status < 400
    if wanted == "error":
        return status >= 400
    return not wanted or str(status) == wanted


def feed(
    monitor: LiveMonitor,
    render: Callable[[dict], bytes],
    filters: dict[str, str],
    client_gone: Callable[[], bool] | None = None,
) -> Iterator[bytes]:
    """The SSE stream for one subscriber, rendering each matching event with `render`. It
    subscribes on its first step (a generator never started never subscribes, so never leaks
    a subscription) and ends at once with a `busy` event when too many watch already."""
    gone = client_gone or (lambda: False)
    subscription = monitor.subscribe()
    if subscription is None:
        yield sse_event("busy", "too many open monitors")
        return
    try:
        yield b": ok\n\n"
        quiet_since = time.monotonic()
        while not subscription.closed and not gone():
            events = [e for e in subscription.get(TICK_SECONDS) if matches(e, filters)]
            if events:
                yield b"".join(render(event) for event in events)
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= KEEPALIVE_SECONDS:
                yield b": keep-alive\n\n"
                quiet_since = time.monotonic()
    finally:
        monitor.unsubscribe(subscription)
