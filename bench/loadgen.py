"""The load generator, run as its own process: `python -m bench.loadgen '<json spec>'`.

Scenarios (the spec's "scenario"):
- rate:    non-streaming requests at a fixed rate (open loop: sends never wait for answers),
           latency from writing the request to its last byte, on pooled keep-alive connections.
- streams: streams started at a fixed rate; time to first event and each event's lateness
           against the upstream's script, and events that arrived bunched (held back).
- hold:    N streams opened over a short ramp and held at once; errors and peak concurrency.
It prints one JSON object on stdout.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter

from bench import config
from bench.http_client import Connection, Pool, StreamResult, build_post, post, read_stream
from bench.stats import summarize_seconds

REQUEST_TIMEOUT_SECONDS = 10.0
START_DELAY_SECONDS = 0.05


def error_kind(exc: BaseException) -> str:
    return type(exc).__name__


def stream_problem(result: StreamResult, events: int) -> str | None:
    """Why a stream counts as an error, or None when it is whole."""
    if result.status != 200:
        return f"status {result.status}"
    if result.error_events:
        return "in-band error event"
    if not result.done:
        return "no [DONE]"
    if len(result.event_s) != events:
        return f"{len(result.event_s)} events, expected {events}"
    return None


async def run_on_schedule(rate: float, total: int, start_one) -> tuple[list[float], int]:
    """Start `total` tasks at `rate` per second: (each start's lateness in s, tasks unfinished)."""
    tasks, lags = [], []
    start = time.perf_counter() + START_DELAY_SECONDS
    for index in range(total):
        scheduled = start + index / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        lags.append(time.perf_counter() - scheduled)
        tasks.append(asyncio.create_task(start_one(index)))
    pending = set()
    if tasks:
        _, pending = await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT_SECONDS + 5)
    for task in pending:
        task.cancel()
    return lags, len(pending)


async def fixed_rate(spec: dict) -> dict:
    pool = Pool(spec["port"])
    request = build_post(spec["port"], spec["path"], spec["body"].encode())
    rate = spec["rate"]
    warmup = int(rate * spec["warmup"])
    total = warmup + int(rate * spec["seconds"])
    latencies: list[float] = []
    errors: Counter = Counter()

    async def one(index: int) -> None:
        try:
            status, elapsed = await asyncio.wait_for(post(pool, request), REQUEST_TIMEOUT_SECONDS)
        except Exception as exc:
            errors[error_kind(exc)] += 1
            return
        if status != 200:
            errors[f"status {status}"] += 1
        elif index >= warmup:
            latencies.append(elapsed)

    started = time.perf_counter()
    lags, unfinished = await run_on_schedule(rate, total, one)
    if unfinished:
        errors["unfinished"] += unfinished
    wall = time.perf_counter() - started
    pool.close()
    return {
        "sent": total,
        "measured": len(latencies),
        "achieved_rate": round(total / wall, 1),
        "connections_opened": pool.opened,
        "latency": summarize_seconds(latencies),
        "schedule_lag": summarize_seconds(lags),
        "errors": dict(errors),
    }


async def timed_streams(spec: dict) -> dict:
    pool = Pool(spec["port"])
    request = build_post(spec["port"], spec["path"], spec["body"].encode())
    rate, interval, events = spec["rate"], spec["interval"], spec["events"]
    warmup = int(rate * spec["warmup"])
    total = warmup + int(rate * spec["seconds"])
    ttfb, heads, lateness = [], [], []
    held_back, ok = 0, 0
    errors: Counter = Counter()

    async def one(index: int) -> None:
        nonlocal held_back, ok
        connection = await pool.get()
        reusable = False
        try:
            result = await asyncio.wait_for(
                read_stream(connection, request), REQUEST_TIMEOUT_SECONDS
            )
            reusable = result.done or result.status != 200
        except Exception as exc:
            errors[error_kind(exc)] += 1
            return
        finally:
            pool.put(connection, reusable)
        problem = stream_problem(result, events)
        if problem:
            errors[problem] += 1
            return
        ok += 1
        if index < warmup:
            return
        times = result.event_s
        ttfb.append(times[0])
        heads.append(result.head_s)
        for k in range(1, events):
            lateness.append(times[k] - k * interval)
            if times[k] - times[k - 1] < interval / 4:
                held_back += 1

    lags, unfinished = await run_on_schedule(rate, total, one)
    if unfinished:
        errors["unfinished"] += unfinished
    pool.close()
    return {
        "streams": total,
        "ok": ok,
        "measured": len(ttfb),
        "ttfb": summarize_seconds(ttfb),
        "head": summarize_seconds(heads),
        "chunk_lateness": summarize_seconds(lateness),
        "chunks_measured": len(lateness),
        "held_back": held_back,
        "schedule_lag": summarize_seconds(lags),
        "errors": dict(errors),
    }


async def held_streams(spec: dict) -> dict:
    port, count, events = spec["port"], spec["streams"], spec["events"]
    request = build_post(port, spec["path"], spec["body"].encode())
    timeout = spec["timeout"]
    state = {"open": 0, "peak": 0, "all_open_s": None}
    first_events, durations = [], []
    errors: Counter = Counter()
    started = time.perf_counter()

    async def one(index: int) -> None:
        await asyncio.sleep(index * spec["ramp"] / count)
        opened = False

        def on_head() -> None:
            nonlocal opened
            opened = True
            state["open"] += 1
            state["peak"] = max(state["peak"], state["open"])
            if state["open"] == count and state["all_open_s"] is None:
                state["all_open_s"] = round(time.perf_counter() - started, 3)

        connection = None
        try:
            connection = await asyncio.wait_for(Connection.open(port), timeout)
            result = await asyncio.wait_for(read_stream(connection, request, on_head), timeout)
        except Exception as exc:
            errors[error_kind(exc)] += 1
            return
        finally:
            if opened:
                state["open"] -= 1
            if connection is not None:
                connection.close()
        problem = stream_problem(result, events)
        if problem:
            errors[problem] += 1
            return
        first_events.append(result.event_s[0])
        durations.append(result.event_s[-1])

    tasks = [asyncio.create_task(one(index)) for index in range(count)]
    _, pending = await asyncio.wait(tasks, timeout=spec["ramp"] + 2 * timeout)
    for task in pending:
        task.cancel()
    if pending:
        errors["unfinished"] += len(pending)
    return {
        "streams": count,
        "ok": len(durations),
        "errors_total": sum(errors.values()),
        "errors": dict(errors),
        "peak_open": state["peak"],
        "all_open_after_s": state["all_open_s"],
        "first_event": summarize_seconds(first_events),
        "duration": summarize_seconds(durations),
        "wall_s": round(time.perf_counter() - started, 3),
    }


SCENARIOS = {"rate": fixed_rate, "streams": timed_streams, "hold": held_streams}


def main() -> int:
    config.raise_nofile_limit()
    spec = json.loads(sys.argv[1])
    result = asyncio.run(SCENARIOS[spec["scenario"]](spec))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
