"""Fan-out: work the gateway does for many targets at once, on requests-futures' one pool.

Testing every account of a provider, testing every target of a combo, probing the local model
servers and running the translator's live bench all send several independent requests and wait
for all of them. They share one bounded thread pool whose threads start only when work arrives
(requests-futures' `FuturesSession` runs its GETs on it), instead of a thread or a pool per task:
- `get(url, timeout)` is a plain HTTP GET on the pool (the local-server probes), sent without
  environment proxies (only loopback and configured targets are ever fanned out to);
- `map(work, items)` runs `work(item)` for each item on the same pool and returns the results in
  the items' order (for calls that go through the gateway's own pipeline or transport).
Other background work (saving a quota snapshot, a backup) is `submit`ted to the same pool. The
HTTP session, and with it requests, is made by the first GET, not at start.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # imported by the first work sent: requests costs a worker about 5 MB
    from requests_futures.sessions import FuturesSession

Item = TypeVar("Item")
Result = TypeVar("Result")
FANOUT_WORKERS = 8


class FanOut:
    def __init__(self, workers: int = FANOUT_WORKERS):
        self.executor = ThreadPoolExecutor(max_workers=workers)  # threads start with work
        self._session: FuturesSession | None = None
        self._lock = threading.Lock()

    @property
    def session(self) -> FuturesSession:
        """The HTTP session on the pool, made by the first GET sent through it."""
        with self._lock:
            if self._session is None:
                from requests_futures.sessions import FuturesSession

                self._session = FuturesSession(executor=self.executor)
                self._session.trust_env = False  # no proxy lookups from the environment
            return self._session

    def submit(self, work: Callable[..., Result], *args: Any) -> Future:
        """`work(*args)` on the pool (background saves, backups)."""
        return self.executor.submit(work, *args)

    def get(self, url: str, timeout: float) -> Future:
        """A GET on the pool; the future resolves to the `requests` response (or raises)."""
        return self.session.get(url, timeout=timeout, allow_redirects=False)

    def map(self, work: Callable[[Item], Result], items: Iterable[Item]) -> list[Result]:
        """`work(item)` for every item, run on the pool; the results in the items' order."""
        futures = [self.executor.submit(work, item) for item in items]
        return [future.result() for future in futures]

    def close(self) -> None:
        with self._lock:
            session, self._session = self._session, None
        if session is not None:
            session.close()  # its connections; the pool is ours to stop
        self.executor.shutdown()
