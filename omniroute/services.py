"""Services: the long-lived parts of one running gateway, built once by create_app()."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .proxy.pipeline import Pipeline
from .proxy.upstream import UpstreamClient
from .resilience.lockout import Lockout
from .store.connection_cache import ConnectionCache
from .store.secret_box import SecretBox
from .usage.writer import UsageWriter


@dataclass
class Services:
    settings: dict[str, Any]
    database: Any
    box: SecretBox
    connections: ConnectionCache
    upstream: UpstreamClient
    usage: UsageWriter
    pipeline: Pipeline
    login_lockout: Lockout
    require_api_key: bool
    started_at: float = field(default_factory=time.time)

    def close(self) -> None:
        """Flush pending usage rows and release connections (graceful shutdown)."""
        self.usage.stop()
        self.upstream.close()
        if hasattr(self.database, "close_all"):
            self.database.close_all()


def listens_beyond_loopback(hostname: str) -> bool:
    return hostname not in {"127.0.0.1", "localhost", "::1"} and not hostname.startswith("127.")
