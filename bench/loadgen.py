"""The load generator, run as its own process: `python -m bench.loadgen < spec.json`.

Scenarios (the spec's "scenario"):
- rate:    non-streaming requests at a fixed rate (open loop: sends never wait for answers);
           latency from writing the request to its last byte, on pooled keep-alive connections.
           It takes several targets (direct, gateway) and alternates between them in blocks of
           `block` seconds, so a burst of load from other processes hits both paths alike. A
           target with a "stream_body" sends it as every `stream_every`-th request (a stream
           counts as ok when it ends with [DONE] and carries no error event). The gateway's
           X-OmniRoute-Fallback-Attempts header is counted per value; with "split_by_fallback"
           the latency is also summarized per value (`latency_after_<n>_failed`).
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
from bench.http_client import Exchange, Pool, build_post, exchange
from bench.stats import summarize_seconds
from bench.stream_load import error_kind, held_streams, paired_streams

REQUEST_TIMEOUT_SECONDS = 10.0
START_DELAY_SECONDS = 0.05
FALLBACK_HEADER = b"x-omniroute-fallback-attempts"
STREAM_END = b"data: [DONE]"


@dataclass
class Target:
    """One path under test and what was measured on it."""

    name: str
    pool: Pool
    request: bytes
    stream_request: bytes | None = None
    stream_every: int = 0
    sent: int = 0
    picked: int = 0
    ok: int = 0
    streams: int = 0
    errors: Counter = field(default_factory=Counter)
    fallback_attempts: Counter = field(default_factory=Counter)
    samples: dict[str, list[float]] = field(default_factory=dict)

    @classmethod
    def from_spec(cls, spec: dict, path: str, stream_every: int = 0) -> Target:
        port = spec["port"]
        stream = spec.get("stream_body")
        return cls(
            spec["name"],
            Pool(port),
            build_post(port, path, spec["body"].encode()),
            None if stream is None else build_post(port, path, stream.encode()),
            stream_every if stream is not None else 0,
        )

    def next_request(self) -> tuple[bytes, bool]:
        """The next request to send, and whether it is a stream (every stream_every-th one)."""
        self.picked += 1
        if self.stream_every and self.picked % self.stream_every == 0:
            self.streams += 1
            return self.stream_request, True
        return self.request, False

    def add(self, name: str, value: float) -> None:
        self.samples.setdefault(name, []).append(value)

    def summary(self) -> dict:
        result = {
            "sent": self.sent,
            "ok": self.ok,
            "streams": self.streams,
            "errors": dict(self.errors),
            "connections_opened": self.pool.opened,
        }
        if self.fallback_attempts:
            result["fallback_attempts"] = dict(self.fallback_attempts)
        for name, values in self.samples.items():
            result[name] = summarize_seconds(values)
        return result


async def interleaved(spec: dict, run_one) -> dict:
    """Start requests at spec["rate"] per second, alternating targets every spec["block"] s.

    The first spec["warmup"] seconds of each target's own time are not measured (warmup plus
    seconds should be a whole number of blocks, so every target gets the same time). `run_one(
    target, measured)` does one request. Returns each target's summary and the schedule lag.
    """
    every = spec.get("stream_every", 0)
    targets = [Target.from_spec(t, spec["path"], every) for t in spec["targets"]]
    rate, block = spec["rate"], spec["block"]
    cycle = block * len(targets)
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
        own_time = (offset // cycle) * block + offset % block  # this target's time so far
        tasks.append(asyncio.create_task(run_one(target, own_time >= spec["warmup"])))
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


def answer_problem(answer: Exchange, stream: bool) -> str | None:
    """Why an answer counts as an error, or None when it is a whole 200."""
    if answer.status != 200:
        return f"status {answer.status}"
    if not stream:
        return None
    if b'"error"' in answer.body:
        return "in-band error event"
    if STREAM_END not in answer.body[-32:]:
        return "stream without [DONE]"
    return None


async def fixed_rate(spec: dict) -> dict:
    split = spec.get("split_by_fallback", False)

    async def one(target: Target, measured: bool) -> None:
        request, stream = target.next_request()
        try:
            answer = await asyncio.wait_for(exchange(target.pool, request), REQUEST_TIMEOUT_SECONDS)
        except Exception as exc:
            target.errors[error_kind(exc)] += 1
            return
        attempts = answer.headers.get(FALLBACK_HEADER)
        if attempts is not None:
            target.fallback_attempts[attempts.decode()] += 1
        problem = answer_problem(answer, stream)
        if problem is not None:
            target.errors[problem] += 1
            return
        target.ok += 1
        if measured:
            target.add("stream_latency" if stream else "latency", answer.elapsed)
            if split and attempts is not None and not stream:
                target.add(f"latency_after_{attempts.decode()}_failed", answer.elapsed)

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
