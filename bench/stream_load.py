"""Stream scenarios of the load generator: paired timing streams, and many streams held at once.

Paired streams: every 1/rate seconds one stream starts on each target (direct and gateway) at
the same instant, so both see the same moment of the upstream's event loop and of the machine.
Per pair and per event k ≥ 1, the gateway's added per-chunk delay is
    (gateway_k − gateway_0) − (direct_k − direct_0),
which cancels the upstream's timer drift and any stall of this client. An event counts as held
back when it arrived bunched with the previous one (gap < interval / 4) through the gateway
while the direct stream of the same pair had no such bunching.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from bench.http_client import (
    Connection,
    Pool,
    ProtocolError,
    StreamResult,
    build_post,
    read_stream,
)
from bench.stats import summarize_seconds

STREAM_TIMEOUT_SECONDS = 10.0
START_DELAY_SECONDS = 0.05


def error_kind(exc: BaseException) -> str:
    if isinstance(exc, ProtocolError):
        return f"ProtocolError: {exc}"
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


async def one_stream(pool: Pool, request: bytes, errors: Counter, events: int):
    """One stream on a pooled connection: its StreamResult, or None (counted in `errors`)."""
    connection, reusable = None, False
    try:
        connection = await asyncio.wait_for(pool.get(), STREAM_TIMEOUT_SECONDS)
        result = await asyncio.wait_for(read_stream(connection, request), STREAM_TIMEOUT_SECONDS)
        reusable = result.keep_alive and (result.done or result.status != 200)
    except Exception as exc:
        errors[error_kind(exc)] += 1
        return None
    finally:
        if connection is not None:
            pool.put(connection, reusable)
    problem = stream_problem(result, events)
    if problem:
        errors[problem] += 1
        return None
    return result


def pair_figures(direct: list[float], gateway: list[float], interval: float):
    """(added delay of each event k >= 1, events held back) for one pair of streams."""
    added, held_back = [], 0
    for k in range(1, len(gateway)):
        added.append((gateway[k] - gateway[0]) - (direct[k] - direct[0]))
        bunched_gateway = gateway[k] - gateway[k - 1] < interval / 4
        bunched_direct = direct[k] - direct[k - 1] < interval / 4
        held_back += bunched_gateway and not bunched_direct
    return added, held_back


async def paired_streams(spec: dict) -> dict:
    names = [target["name"] for target in spec["targets"]]
    assert names == ["direct", "gateway"], names
    pools = [Pool(target["port"]) for target in spec["targets"]]
    requests = [
        build_post(target["port"], spec["path"], target["body"].encode())
        for target in spec["targets"]
    ]
    errors = {name: Counter() for name in names}
    events, interval, rate = spec["events"], spec["interval"], spec["rate"]
    warmup = int(rate * spec["warmup"])
    total = warmup + int(rate * spec["seconds"])
    start = time.perf_counter() + START_DELAY_SECONDS
    pairs = []
    for index in range(total):
        delay = start + index / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        pairs.append(
            [
                asyncio.create_task(one_stream(pool, request, errors[name], events))
                for pool, request, name in zip(pools, requests, names, strict=True)
            ]
        )
    tasks = [task for pair in pairs for task in pair]
    _, pending = await asyncio.wait(tasks, timeout=STREAM_TIMEOUT_SECONDS + 5)
    for task in pending:
        task.cancel()
    for pool in pools:
        pool.close()
    ttfb = {name: [] for name in names}
    heads = {name: [] for name in names}
    added, held_back, measured = [], 0, 0
    for direct_task, gateway_task in pairs[warmup:]:
        if direct_task in pending or gateway_task in pending:
            continue
        direct, gateway = direct_task.result(), gateway_task.result()
        for name, result in (("direct", direct), ("gateway", gateway)):
            if result is not None:
                ttfb[name].append(result.event_s[0])
                heads[name].append(result.head_s)
        if direct is not None and gateway is not None:
            pair_added, pair_held = pair_figures(direct.event_s, gateway.event_s, interval)
            added += pair_added
            held_back += pair_held
            measured += 1
    result = {
        name: {
            "ttfb": summarize_seconds(ttfb[name]),
            "head": summarize_seconds(heads[name]),
            "errors": dict(errors[name]),
            "errors_total": sum(errors[name].values()),
        }
        for name in names
    }
    result["gateway"]["added_chunk_delay"] = summarize_seconds(added)
    result["gateway"]["held_back"] = held_back
    result["gateway"]["chunks_measured"] = len(added)
    result.update(pairs=total, pairs_measured=measured, unfinished=len(pending))
    return result


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
