"""Stream scenarios of the load generator: paired timing streams, and many streams held at once.

Paired streams: every 1/rate seconds one stream starts on each target (direct and gateway, or
direct, passthrough and translated) at the same instant, so all see the same moment of the
upstream's event loop and of the machine. For each comparison (subject vs reference, from the
spec's "compare"; gateway vs direct by default), per group of streams and per event k ≥ 1, the
subject's added per-chunk delay is
    (subject_k − subject_0) − (reference_k − reference_0),
which cancels the upstream's timer drift and any stall of this client. An event counts as held
back when it arrived bunched with the previous one (gap < interval / 4) on the subject while the
reference stream of the same group had no such bunching. With "alternate", every other group
starts its streams in reverse order, so no target is always first in a shared server's queue.
When the spec lists the expected "texts", streams of different wire formats are matched by their
text deltas (event k is the k-th piece of text) instead of by event count, and each stream must
carry exactly those pieces.
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


def stream_problem(result: StreamResult, spec: dict) -> str | None:
    """Why a stream counts as an error, or None when it is whole (spec: "texts" or "events")."""
    if result.status != 200:
        return f"status {result.status}"
    if result.error_events:
        return "in-band error event"
    if not result.done:
        return "last event not [DONE] / message_stop"
    if "texts" in spec:
        if result.texts != spec["texts"]:
            return f"{len(result.texts)} text deltas, not the {len(spec['texts'])} scripted"
    elif len(result.event_s) != spec["events"]:
        return f"{len(result.event_s)} events, expected {spec['events']}"
    return None


async def one_stream(pool: Pool, request: bytes, errors: Counter, spec: dict):
    """One stream on a pooled connection: its StreamResult, or None (counted in `errors`)."""
    connection, reusable = None, False
    try:
        connection = await asyncio.wait_for(pool.get(), STREAM_TIMEOUT_SECONDS)
        result = await asyncio.wait_for(
            read_stream(connection, request, texts="texts" in spec), STREAM_TIMEOUT_SECONDS
        )
        reusable = result.keep_alive and (result.done or result.status != 200)
    except Exception as exc:
        errors[error_kind(exc)] += 1
        return None
    finally:
        if connection is not None:
            pool.put(connection, reusable)
    problem = stream_problem(result, spec)
    if problem:
        errors[problem] += 1
        return None
    return result


def timeline(result: StreamResult, by_text: bool) -> list[float]:
    """The arrival times a pair is matched on: every data event, or only the text deltas."""
    return result.text_s if by_text else result.event_s


def pair_figures(reference: list[float], subject: list[float], interval: float):
    """(added delay of each event k >= 1, events held back) for one pair of streams."""
    added, held_back = [], 0
    for k in range(1, len(subject)):
        added.append((subject[k] - subject[0]) - (reference[k] - reference[0]))
        bunched_subject = subject[k] - subject[k - 1] < interval / 4
        bunched_reference = reference[k] - reference[k - 1] < interval / 4
        held_back += bunched_subject and not bunched_reference
    return added, held_back


async def paired_streams(spec: dict) -> dict:
    names = [target["name"] for target in spec["targets"]]
    compare = spec.get("compare", {"gateway": "direct"})  # subject -> reference
    by_text = "texts" in spec
    pools = [Pool(target["port"]) for target in spec["targets"]]
    requests = [
        build_post(target["port"], target.get("path", spec.get("path")), target["body"].encode())
        for target in spec["targets"]
    ]
    errors = {name: Counter() for name in names}
    interval, rate = spec["interval"], spec["rate"]
    warmup = int(rate * spec["warmup"])
    total = warmup + int(rate * spec["seconds"])
    start = time.perf_counter() + START_DELAY_SECONDS
    members = list(zip(pools, requests, names, strict=True))
    groups = []
    for index in range(total):
        delay = start + index / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        order = members[::-1] if spec.get("alternate") and index % 2 else members
        started = {
            name: asyncio.create_task(one_stream(pool, request, errors[name], spec))
            for pool, request, name in order
        }
        groups.append([started[name] for name in names])
    tasks = [task for group in groups for task in group]
    _, pending = await asyncio.wait(tasks, timeout=STREAM_TIMEOUT_SECONDS + 5)
    for task in pending:
        task.cancel()
    for pool in pools:
        pool.close()
    kinds = ("ttfb", "head", "first_text") if by_text else ("ttfb", "head")
    samples = {name: {kind: [] for kind in kinds} for name in names}
    added = {subject: [] for subject in compare}
    held_back = dict.fromkeys(compare, 0)
    measured = 0
    for group in groups[warmup:]:
        if any(task in pending for task in group):
            continue
        streams = {name: task.result() for name, task in zip(names, group, strict=True)}
        for name, result in streams.items():
            if result is not None:
                samples[name]["ttfb"].append(result.event_s[0])
                samples[name]["head"].append(result.head_s)
                if by_text:
                    samples[name]["first_text"].append(result.text_s[0])
        for subject, reference in compare.items():
            if streams[subject] is not None and streams[reference] is not None:
                pair_added, pair_held = pair_figures(
                    timeline(streams[reference], by_text),
                    timeline(streams[subject], by_text),
                    interval,
                )
                added[subject] += pair_added
                held_back[subject] += pair_held
        measured += all(stream is not None for stream in streams.values())
    result = {
        name: {
            **{kind: summarize_seconds(values) for kind, values in samples[name].items()},
            "errors": dict(errors[name]),
            "errors_total": sum(errors[name].values()),
        }
        for name in names
    }
    for subject in compare:
        result[subject]["added_chunk_delay"] = summarize_seconds(added[subject])
        result[subject]["held_back"] = held_back[subject]
        result[subject]["chunks_measured"] = len(added[subject])
    result.update(pairs=total, pairs_measured=measured, unfinished=len(pending))
    if "compare" in spec:
        result["compared"] = compare
    return result


async def held_streams(spec: dict) -> dict:
    port, count = spec["port"], spec["streams"]
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
            result = await asyncio.wait_for(
                read_stream(connection, request, on_head, texts="texts" in spec), timeout
            )
        except Exception as exc:
            errors[error_kind(exc)] += 1
            return
        finally:
            if opened:
                state["open"] -= 1
            if connection is not None:
                connection.close()
        problem = stream_problem(result, spec)
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
