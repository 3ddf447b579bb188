"""The routed session of the sign-in, token renewal and quota calls (sessions.py), made when the
first such call needs it: its module imports requests (about 5 MB with urllib3), which a worker
that only proxies the client API never needs."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .resolve import ProxyResolver

if TYPE_CHECKING:
    import requests


class RoutedSessionMaker:
    """Called by each call that needs the session; makes it once."""

    def __init__(self, resolver: ProxyResolver, owners: Sequence[tuple[str, str]]) -> None:
        self.resolver = resolver
        self.owners = list(owners)
        self._session: requests.Session | None = None
        self._lock = threading.Lock()

    def __call__(self) -> requests.Session:
        with self._lock:
            if self._session is None:
                from .sessions import RoutedSession

                self._session = RoutedSession(self.resolver, self.owners)
            return self._session
