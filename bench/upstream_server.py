"""The fake upstream as its own process: `python -m bench.upstream_server`.

Starts tests.fake_upstream.FakeUpstream on 127.0.0.1 with record=False (no request bodies kept),
scripts the benchmark's stream models, prints `READY <port>` on stdout and serves until SIGTERM
(or the parent dies, or MAX_LIFETIME_SECONDS pass).
"""

from __future__ import annotations

import collections
import signal
import sys
import time

from bench import config
from tests.fake_upstream import Behavior, FakeUpstream

MAX_LIFETIME_SECONDS = 900


def scripted_upstream() -> FakeUpstream:
    upstream = FakeUpstream(host=config.HOST, port=0, record=False)
    # FakeUpstream appends every streamed chunk to stream_log even with record=False; bound it so
    # the upstream's own memory stays flat during the run.
    upstream.stream_log = collections.deque(maxlen=1000)
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
