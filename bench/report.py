"""The side-by-side table (direct | gateway | added or ratio | target | PASS/MISS) and the JSON.

Targets are shown, never asserted: a MISS is a finding to read, not a failure of the run.
"""

from __future__ import annotations

import json
import os

from bench.config import TARGETS
from bench.table import Row, at_most, count, get, minus, ms, num, plus_ms, render, verdict

FOREIGN_CPU_WARNING = 0.10
PATHS = ("direct", "gateway")


def _both(results: dict, section: str, *keys) -> tuple:
    return tuple(get(results, section, path, *keys) for path in PATHS)


def _added(results: dict, section: str, *keys) -> tuple:
    direct, gateway = _both(results, section, *keys)
    return direct, gateway, minus(gateway, direct)


def _wrk_errors(results: dict, path: str) -> int | None:
    run = get(results, "throughput", path)
    return None if not run else run.get("non_2xx", 0) + run.get("socket_errors", 0)


def _latency_rows(r: dict) -> list[Row]:
    rows = []
    for number, pct in (("1", "p50"), (" ", "p99")):
        limit = TARGETS[f"added_latency_{pct}_ms"]
        d, g, a = _added(r, "latency", "latency", pct)
        label = f"{number} latency {pct} @ {get(r, 'meta', 'latency_rate')} req/s, non-stream"
        rows.append((label, ms(d), ms(g), plus_ms(a), f"added <= {limit:g} ms", at_most(a, limit)))
    return rows


def _throughput_rows(r: dict) -> list[Row]:
    d, g = _both(r, "throughput", "rps")
    ratio = None if not d or g is None else g / d
    floor = TARGETS["throughput_rps"]
    cpu_d, cpu_g = _both(r, "throughput", "server_cpu_ms_per_request")
    per_core = get(r, "throughput", "gateway", "rps_per_server_core")
    return [
        (
            "2 max throughput (wrk -t2 -c64 10 s)",
            num(d, "{:.0f}", " /s"),
            num(g, "{:.0f}", " /s"),
            num(ratio, "x{:.2f}"),
            f">= {floor:g} req/s",
            verdict(None if g is None else g >= floor),
        ),
        ("  wrk non-2xx + socket errors", *(count(_wrk_errors(r, p)) for p in PATHS), "", "", ""),
        (
            "  server CPU per request (upstream|gateway)",
            num(cpu_d, "{:.3f}", " ms"),
            num(cpu_g, "{:.3f}", " ms"),
            num(per_core, "{:.0f} /s/core"),
            "(info)",
            "",
        ),
    ]


def _streaming_rows(r: dict) -> list[Row]:
    limit = TARGETS["added_ttfb_p50_ms"]
    d, g, a = _added(r, "streaming", "ttfb", "p50")
    rows = [
        (
            "3 stream first event p50",
            ms(d),
            ms(g),
            plus_ms(a),
            f"added <= {limit:g} ms",
            at_most(a, limit),
        )
    ]
    added = get(r, "streaming", "gateway", "added_chunk_delay") or {}
    limit = TARGETS["added_chunk_delay_p99_ms"]
    rows.append(
        (
            "  per-chunk added delay p50 (paired streams)",
            "",
            "",
            plus_ms(added.get("p50")),
            "(info)",
            "",
        )
    )
    rows.append(
        (
            "  per-chunk added delay p99 (paired streams)",
            "",
            "",
            plus_ms(added.get("p99")),
            f"added <= {limit:g} ms",
            at_most(added.get("p99"), limit),
        )
    )
    held = get(r, "streaming", "gateway", "held_back")
    measured = get(r, "streaming", "gateway", "chunks_measured") or "n/a"
    rows.append(
        (
            f"  chunks held back by the gateway (of {measured})",
            "",
            count(held),
            "",
            "0",
            at_most(held, TARGETS["held_back_chunks"]),
        )
    )
    rows.append(
        ("  stream errors", *(count(v) for v in _both(r, "streaming", "errors_total")), "", "", "")
    )
    return rows


def _hold_rows(r: dict) -> list[Row]:
    n = get(r, "meta", "hold_streams")
    d, g = _both(r, "hold", "errors_total")
    rows = [
        (
            f"4 {n} concurrent 5 s streams: errors",
            count(d),
            count(g),
            "",
            "0 errors",
            at_most(g, TARGETS["hold_errors"]),
        )
    ]
    rows.append(
        (
            "  peak streams open at once",
            *(count(v) for v in _both(r, "hold", "peak_open")),
            "",
            "",
            "",
        )
    )
    cpu = _both(r, "hold", "server_cpu_ms_per_stream")
    rows.append(
        (
            "  server CPU per stream (upstream|gateway)",
            *(num(v, unit=" ms") for v in cpu),
            "",
            "(info)",
            "",
        )
    )
    d, g, a = _added(r, "hold", "first_event", "p50")
    rows.append(("  first event p50 while ramping up", ms(d), ms(g), plus_ms(a), "(info)", ""))
    return rows


def _resource_rows(r: dict) -> list[Row]:
    n = get(r, "meta", "hold_streams")
    idle, peak = get(r, "rss", "idle_mb"), get(r, "rss", "peak_mb")
    growth = None if idle is None or peak is None else peak - idle
    best, runs = get(r, "startup", "best_s"), get(r, "meta", "startup_runs")
    median, threads = get(r, "startup", "median_s"), get(r, "rss", "idle_threads")
    first_best = get(r, "startup", "first_start", "best_s")
    first_median = get(r, "startup", "first_start", "median_s")
    dashboard_mb = get(r, "rss", "idle_dashboard_mb")
    idle_mb, peak_mb, startup_s = (TARGETS[k] for k in ("idle_rss_mb", "peak_rss_mb", "startup_s"))
    return [
        (
            f"5 gateway RSS idle ({threads} threads), client API served",
            "",
            num(idle, "{:.1f}", " MB"),
            "",
            f"<= {idle_mb:g} MB",
            at_most(idle, idle_mb),
        ),
        (
            f"  gateway RSS peak, {n} streams open",
            "",
            num(peak, "{:.1f}", " MB"),
            num(growth, "{:+.1f}", " MB"),
            f"<= {peak_mb:g} MB",
            at_most(peak, peak_mb),
        ),
        (
            "  gateway RSS idle after its first dashboard page",
            "",
            num(dashboard_mb, "{:.1f}", " MB"),
            "",
            f"<= {idle_mb:g} MB",
            at_most(dashboard_mb, idle_mb),
        ),
        (
            f"6 restart to first /health (best of {runs})",
            "",
            num(best, unit=" s"),
            "",
            f"<= {startup_s:g} s",
            at_most(best, startup_s),
        ),
        (f"  restart, median of {runs}", "", num(median, unit=" s"), "", "(info)", ""),
        (
            f"  first start (fresh data dir), best of {runs}",
            "",
            num(first_best, unit=" s"),
            "",
            f"<= {startup_s:g} s",
            at_most(first_best, startup_s),
        ),
        (f"  first start, median of {runs}", "", num(first_median, unit=" s"), "", "(info)", ""),
    ]


def _worker_rows(r: dict) -> list[Row]:
    """Two workers on one port against the same upstream, beside the one-worker figures."""
    n = get(r, "two_workers", "workers")
    rows = []
    for pct in ("p50", "p99"):
        limit = TARGETS[f"added_latency_{pct}_ms"]
        d = get(r, "two_workers", "latency", "direct", "latency", pct)
        g = get(r, "two_workers", "latency", "gateway", "latency", pct)
        a = minus(g, d)
        label = f"7 {n} workers: latency {pct}" if pct == "p50" else f"  {n} workers: latency {pct}"
        rows.append((label, ms(d), ms(g), plus_ms(a), f"added <= {limit:g} ms", at_most(a, limit)))
    one = get(r, "throughput", "gateway", "rps")
    two = get(r, "two_workers", "throughput", "rps")
    scaling = None if not one or two is None else two / one
    rows.append(
        (
            f"  {n} workers: max throughput (wrk)",
            num(get(r, "throughput", "direct", "rps"), "{:.0f}", " /s"),
            num(two, "{:.0f}", " /s"),
            num(scaling, "x{:.2f} of 1"),
            "(info)",
            "",
        )
    )
    cpu = get(r, "two_workers", "throughput", "server_cpu_ms_per_request")
    per_request = num(cpu, "{:.3f}", " ms")
    rows.append((f"  {n} workers: CPU per request", "", per_request, "", "(info)", ""))
    return rows


def build_rows(results: dict) -> list[Row]:
    return [
        *_latency_rows(results),
        *_throughput_rows(results),
        *_streaming_rows(results),
        *_hold_rows(results),
        *_resource_rows(results),
        *_worker_rows(results),
    ]


def render_table(results: dict) -> str:
    header = ("figure", "direct", "gateway", "added/ratio", "target", "result")
    return render(header, build_rows(results))


def render_meta(results: dict) -> str:
    meta = results.get("meta", {})
    return (
        f"OmniRoute benchmark  {meta.get('revision')}  {meta.get('date')}  "
        f"{meta.get('cpus')} CPUs  Python {meta.get('python')}  waitress {meta.get('waitress')}\n"
        f"gateway: python app.py, THREADS={meta.get('threads')} "
        f"CONNECTION_LIMIT={meta.get('connection_limit')} MAX_IN_FLIGHT={meta.get('max_in_flight')}"
    )


def render_warnings(results: dict) -> str:
    meta = results.get("meta", {})
    before, during = meta.get("foreign_cpu_before", 0.0), meta.get("foreign_cpu_during", 0.0)
    lines = [
        f"Other processes used {before:.0%} of the CPUs just before the run and {during:.0%} "
        f"during it. CPU speed check (fixed Python work, lower is faster): "
        f"{meta.get('cpu_speed_ms_before')} ms before, {meta.get('cpu_speed_ms_after')} ms after."
    ]
    if max(before, during) > FOREIGN_CPU_WARNING:
        lines.append(
            "WARNING: the machine was busy with other work; latency and throughput figures are "
            "noisy. Rerun on a quiet machine before drawing conclusions."
        )
    if results.get("error"):
        lines.append(f"ERROR: the run stopped early: {results['error']}")
    return "\n".join(lines)


def write_json(results: dict, path: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=2, sort_keys=True)
        handle.write("\n")
