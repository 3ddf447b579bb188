"""The load generator, run as its own process: `python -m bench.loadgen < spec.json`.

Scenarios (the spec's "scenario"):
- rate:    non-streaming requests at a fixed rate (open loop: sends never wait for answers);
           latency from writing the request to its last byte, on pooled keep-alive connections.
           It takes several targets (direct, gateway) and alternates between them in blocks of
           `block` seconds, so a burst of load from other processes hits both paths alike.
- streams: pairs of streams (one direct, one through the gateway), or groups of one per target,
           started together at a fixed rate; see bench.stream_load.
- hold:    N streams opened over a short ramp and held at once; see bench.stream_load.
The spec comes on stdin (request bodies of 50 KB and more do not fit one command-line argument);
the result is one JSON object on stdout.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

from bench import config
from bench.http_client import Pool, build_post, post
from bench.stats import summarize_seconds
from bench.stream_load import error_kind, held_streams, paired_streams

REQUEST_TIMEOUT_SECONDS = 10.0
START_DELAY_SECONDS = 0.05


@dataclass
class Target:
    """One path under test and what was measured on it."""

    name: str
    pool: Pool
    request: bytes
    sent: int = 0
    ok: int = 0
    errors: Counter = field(default_factory=Counter)
    samples: dict[str, list[float]] = field(default_factory=dict)

    @classmethod
    def from_spec(cls, spec: dict, path: str) -> Target:
        return cls(
            spec["name"], Pool(spec["port"]), build_post(spec["port"], path, spec["body"].encode())
        )

    def add(self, name: str, value: float) -> None:
        self.samples.setdefault(name, []).append(value)

    def summary(self) -> dict:
        result = {
            "sent": self.sent,
            "ok": self.ok,
            "errors": dict(self.errors),
            "connections_opened": self.pool.opened,
        }
        for name, values in self.samples.items():
            result[name] = summarize_seconds(values)
        return result


async def interleaved(spec: dict, run_one) -> dict:
    """Start requests at spec["rate"] per second, alternating targets every spec["block"] s.

    The first spec["warmup"] seconds of each target are not measured. `run_one(target,
    measured)` does one request. Returns each target's summary and the schedule lag.
    """
    targets = [Target.from_spec(t, spec["path"]) for t in spec["targets"]]
    rate, block = spec["rate"], spec["block"]
    warmup_until = spec["warmup"] * len(targets)
    total = int(rate * (spec["warmup"] + spec["seconds"]) * len(targets))
    tasks, lags = [], []
    start = time.perf_counter() + START_DELAY_SECONDS
    for index in range(total):
        offset = index / rate
        target = targets[int(offset / block) % len(targets)]
        delay = start + offset - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        lags.append(time.perf_counter() - start - offset)
        target.sent += 1
        tasks.append(asyncio.create_task(run_one(target, offset >= warmup_until)))
    pending = set()
    if tasks:
        _, pending = await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT_SECONDS + 5)
    for task in pending:
        task.cancel()
    result = {}
    for target in targets:
        target.pool.close()
        result[target.name] = target.summary()
    result["unfinished"] = len(pending)
    result["schedule_lag"] = summarize_seconds(lags)
    return result


async def fixed_rate(spec: dict) -> dict:
    async def one(target: Target, measured: bool) -> None:
        try:
            status, elapsed = await asyncio.wait_for(
                post(target.pool, target.request), REQUEST_TIMEOUT_SECONDS
            )
        except Exception as exc:
            target.errors[error_kind(exc)] += 1
            return
        if status != 200:
            target.errors[f"status {status}"] += 1
            return
        target.ok += 1
        if measured:
            target.add("latency", elapsed)

    return await interleaved(spec, one)


SCENARIOS = {"rate": fixed_rate, "streams": paired_streams, "hold": held_streams}


def main() -> int:
    config.raise_nofile_limit()
    spec = json.load(sys.stdin)
    result = asyncio.run(SCENARIOS[spec["scenario"]](spec))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
