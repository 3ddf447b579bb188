"""The fake upstream as its own process: `python -m bench.upstream_server`.

Starts tests.fake_upstream.FakeUpstream on 127.0.0.1 with record=False (no request bodies kept),
scripts the benchmark's stream models and the accounts of the routing-paths and fault-mix
scenarios, prints `READY <port>` on stdout and serves until SIGTERM (or the parent dies, or
MAX_LIFETIME_SECONDS pass).

The fake's rules answer every matching request alike (or the first N). The fault mix needs an
account that fails now and then, so `CyclingUpstream` adds cycles: a (model, API key) pair
answers its behaviours in turn, None meaning "as the rules say".
"""

from __future__ import annotations

import collections
import itertools
import signal
import sys
import time
from collections.abc import Sequence

from bench import config, fault_mix, routing_paths
from tests.fake_upstream import Behavior, FakeUpstream

MAX_LIFETIME_SECONDS = 900


class CyclingUpstream(FakeUpstream):
    """FakeUpstream whose (model, API key) pairs may answer a cycle of behaviours."""

    def __init__(self, **options):
        super().__init__(**options)
        self.cycles: dict[tuple[str, str], itertools.cycle] = {}

    def add_cycle(self, behaviors: Sequence[Behavior | None], model: str, api_key: str) -> None:
        self.cycles[(model, api_key)] = itertools.cycle(behaviors)

    def _behavior_for(self, model: str | None, api_key: str | None) -> Behavior | None:
        cycle = self.cycles.get((model, api_key))
        behavior = None if cycle is None else next(cycle)  # one event-loop thread: no lock
        return behavior or super()._behavior_for(model, api_key)


def scripted_upstream() -> CyclingUpstream:
    upstream = CyclingUpstream(host=config.HOST, port=0, record=False)
    # FakeUpstream appends every streamed chunk to stream_log even with record=False; bound it so
    # the upstream's own memory stays flat during the run.
    upstream.stream_log = collections.deque(maxlen=1000)
    # Lenient: the bench measures the gateway, and the bodies it sends are checked by the tests;
    # validating each one here would only spend the CPU the gateway and the direct calls share.
    upstream.strict = False
    upstream.add(
        Behavior(
            chunks=config.stream_texts("tok", config.STREAM_PIECES),
            chunk_interval=config.STREAM_INTERVAL,
        ),
        model=config.STREAM_MODEL,
    )
    upstream.add(
        Behavior(
            chunks=config.stream_texts("hold", config.HOLD_PIECES),
            chunk_interval=config.HOLD_INTERVAL,
        ),
        model=config.HOLD_MODEL,
    )
    routing_paths.script_upstream(upstream)
    fault_mix.script_upstream(upstream)
    return upstream


def main() -> int:
    config.raise_nofile_limit()
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    upstream = scripted_upstream().start()
    print(f"READY {upstream.port}", flush=True)
    deadline = time.monotonic() + MAX_LIFETIME_SECONDS
    while not stopping and time.monotonic() < deadline:
        time.sleep(0.2)
    upstream.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
