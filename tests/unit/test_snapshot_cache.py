"""SnapshotCache keeps no stale result: a change that lands while a reload runs is loaded."""

from __future__ import annotations

import threading
from contextlib import nullcontext

from omniroute.store.snapshot_cache import SnapshotCache


class NoDatabase:
    """The cache only opens a connection around its loader; these loaders read no database."""

    def connection_context(self):
        return nullcontext()


def test_a_change_landing_during_the_load_is_loaded_again():
    stored = {"value": "old"}
    loads: list[str] = []
    cache: SnapshotCache[str] = SnapshotCache(NoDatabase(), lambda: load())

    def load() -> str:
        seen = stored["value"]
        loads.append(seen)
        if len(loads) == 1:  # the change lands (and is announced) while this load runs
            stored["value"] = "new"
            cache.invalidate()
        return seen

    assert cache.snapshot() == "new"
    assert loads == ["old", "new"]
    assert cache.snapshot() == "new"  # kept: no further load
    assert loads == ["old", "new"]


def test_invalidate_reloads_once_for_many_readers():
    stored = {"value": 1}
    loads = []
    gate = threading.Event()

    def load() -> int:
        loads.append(stored["value"])
        gate.wait(5)
        return stored["value"]

    cache: SnapshotCache[int] = SnapshotCache(NoDatabase(), load)
    results: list[int] = []
    readers = [threading.Thread(target=lambda: results.append(cache.snapshot())) for _ in range(8)]
    for reader in readers:
        reader.start()
    gate.set()
    for reader in readers:
        reader.join(5)
    assert results == [1] * 8
    assert len(loads) == 1  # the readers that waited took the one result
    stored["value"] = 2
    cache.invalidate()
    assert cache.snapshot() == 2
    assert len(loads) == 2
