"""Who the pipeline tells about finished requests: the live monitor, behind a two-member protocol.

`Pipeline.record` reads `watching` on every request and calls `publish(row)` with the usage row
only while it is true, so nobody watching costs one attribute read. The dashboard's live monitor
(translator.monitor.LiveMonitor) is wired in by services.py; a pipeline built without one tells
nobody.
"""

from __future__ import annotations

from typing import Protocol


class RequestMonitor(Protocol):
    watching: bool

    def publish(self, row: dict) -> object: ...


class NobodyWatching:
    """The monitor of a pipeline that has none: never watching."""

    watching = False

    def publish(self, row: dict) -> None:
        return None
