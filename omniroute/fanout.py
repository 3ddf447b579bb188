"""Fan-out: work the gateway does for many targets at once, on requests-futures' one pool.

Testing every account of a provider, testing every target of a combo, probing the local model
servers and running the translator's live bench all send several independent requests and wait
for all of them. They share one `FuturesSession` (its executor is a bounded thread pool whose
threads start only when work arrives), instead of a thread or a pool created per task:
- `get(url, timeout)` is a plain HTTP GET on the pool (the local-server probes), sent without
  environment proxies (only loopback and configured targets are ever fanned out to);
- `map(work, items)` runs `work(item)` for each item on the same pool and returns the results in
  the items' order (for calls that go through the gateway's own pipeline or transport).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import TypeVar

from requests_futures.sessions import FuturesSession

Item = TypeVar("Item")
Result = TypeVar("Result")
FANOUT_WORKERS = 8


class FanOut:
    def __init__(self, workers: int = FANOUT_WORKERS):
        self.session = FuturesSession(max_workers=workers)
        self.session.trust_env = False  # no proxy lookups from the environment per request

    def get(self, url: str, timeout: float) -> Future:
        """A GET on the pool; the future resolves to the `requests` response (or raises)."""
        return self.session.get(url, timeout=timeout, allow_redirects=False)

    def map(self, work: Callable[[Item], Result], items: Iterable[Item]) -> list[Result]:
        """`work(item)` for every item, run on the pool; the results in the items' order."""
        futures = [self.session.executor.submit(work, item) for item in items]
        return [future.result() for future in futures]

    def close(self) -> None:
        self.session.close()
