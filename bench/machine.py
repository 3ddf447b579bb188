"""How busy and how fast the machine was while the benchmark ran.

The figures are only comparable when nothing else competes for the CPUs (the machine has two
cores; the gateway, the fake upstream and the load generator already share them). `CpuAccount`
reads the machine's busy time from /proc/stat and subtracts what this process and its waited-for
children used (getrusage), leaving the share taken by other processes. On a virtual machine the
host's load is invisible there, so `cpu_speed_ms()` also times a fixed piece of Python work:
when it is slow, every CPU-bound figure of the run is slow with it.
"""

from __future__ import annotations

import json
import os
import resource
import time
from dataclasses import dataclass


def machine_busy_seconds() -> tuple[float, float]:
    """(busy CPU-seconds, wall CPU-seconds) summed over all CPUs since boot."""
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [int(value) for value in handle.readline().split()[1:]]
    hertz = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # user nice system idle iowait irq softirq steal
    return (total - idle) / hertz, total / hertz


def own_cpu_seconds() -> float:
    """CPU time of this process plus its terminated, waited-for children."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


@dataclass
class CpuAccount:
    busy: float
    total: float
    own: float

    @classmethod
    def now(cls) -> CpuAccount:
        busy, total = machine_busy_seconds()
        return cls(busy, total, own_cpu_seconds())

    def foreign_share_since(self, start: CpuAccount) -> float:
        """Share (0..1) of all CPU capacity used by other processes between `start` and now."""
        capacity = self.total - start.total
        if capacity <= 0:
            return 0.0
        foreign = (self.busy - start.busy) - (self.own - start.own)
        return max(0.0, min(1.0, foreign / capacity))


def foreign_load_now(seconds: float = 1.0) -> float:
    """Share of CPU capacity other processes use over the next `seconds` (this one sleeps)."""
    start = CpuAccount.now()
    time.sleep(seconds)
    return CpuAccount.now().foreign_share_since(start)


def _fixed_work() -> int:
    encoded = {str(i): json.dumps({"i": i, "text": "x" * (i % 50)}) for i in range(20_000)}
    return len(encoded)


def cpu_speed_ms(repeats: int = 5) -> float:
    """CPU time of a fixed piece of Python work, best of `repeats` (lower is faster)."""
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        _fixed_work()
        best = min(best, time.process_time() - started)
    return round(best * 1000, 1)
