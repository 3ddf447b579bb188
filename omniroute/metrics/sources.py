"""What the /metrics gauges read at each scrape (metrics/live.py): the state the gateway already
keeps in memory. Apart from live.py so that building the services does not import
prometheus-client (metrics/registry.py loads it on first use)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..oauth.quota import QuotaBook
from ..resilience.state import ResilienceState
from ..routing.table import RoutingTable
from ..usage.writer import UsageWriter


class RoutingSnapshot(Protocol):
    def snapshot(self) -> RoutingTable: ...


class Admission(Protocol):
    """The client API's admission control (resilience/admission.py)."""

    in_flight: int
    refused: int


@dataclass
class LiveSources:
    resilience: ResilienceState
    routes: RoutingSnapshot
    quotas: QuotaBook
    usage: UsageWriter
    admission: Admission | None = None  # attached once the app has wrapped its client API
