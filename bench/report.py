"""The side-by-side table (direct | gateway | added or ratio | target | PASS/MISS) and the JSON.

Targets are shown, never asserted: a MISS is a finding to read, not a failure of the run.
"""

from __future__ import annotations

import json
import math
import os

from bench.config import TARGETS


def _num(value, fmt: str = "{:.2f}", unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return fmt.format(value) + unit


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def _get(data: dict, *keys):
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _added(results: dict, section: str, *keys) -> tuple[float | None, float | None, float | None]:
    direct = _get(results, section, "direct", *keys)
    gateway = _get(results, section, "gateway", *keys)
    added = None if direct is None or gateway is None else gateway - direct
    return direct, gateway, added


def _at_most(value, limit) -> bool | None:
    return None if value is None else value <= limit


def build_rows(r: dict) -> list[tuple[str, str, str, str, str, str]]:
    t = TARGETS
    rows = []
    for pct, target in (("p50", t["added_latency_p50_ms"]), ("p99", t["added_latency_p99_ms"])):
        d, g, a = _added(r, "latency", "latency", pct)
        rows.append(
            (
                f"1 latency {pct} @ {_get(r, 'meta', 'latency_rate')} req/s, non-stream",
                _num(d, unit=" ms"),
                _num(g, unit=" ms"),
                _num(a, "{:+.2f}", " ms"),
                f"added <= {target:g} ms",
                _verdict(_at_most(a, target)),
            )
        )
    d, g = _get(r, "throughput", "direct", "rps"), _get(r, "throughput", "gateway", "rps")
    ratio = None if not d or g is None else g / d
    rows.append(
        (
            "2 max throughput (wrk -t2 -c64 10 s)",
            _num(d, "{:.0f}", " /s"),
            _num(g, "{:.0f}", " /s"),
            _num(ratio, "x{:.2f}"),
            f">= {t['throughput_rps']:g} req/s",
            _verdict(None if g is None else g >= t["throughput_rps"]),
        )
    )
    d, g = (_get(r, "throughput", p, "server_cpu_ms_per_request") for p in ("direct", "gateway"))
    rows.append(
        (
            "  server CPU per request (upstream|gateway)",
            _num(d, "{:.3f}", " ms"),
            _num(g, "{:.3f}", " ms"),
            _num(_get(r, "throughput", "gateway", "rps_per_server_core"), "{:.0f} /s/core"),
            "(info)",
            "",
        )
    )
    d, g, a = _added(r, "streaming", "ttfb", "p50")
    target = t["added_ttfb_p50_ms"]
    rows.append(
        (
            "3 stream first event p50",
            _num(d, unit=" ms"),
            _num(g, unit=" ms"),
            _num(a, "{:+.2f}", " ms"),
            f"added <= {target:g} ms",
            _verdict(_at_most(a, target)),
        )
    )
    for pct in ("p50", "p99"):
        d, g, a = _added(r, "streaming", "chunk_lateness", pct)
        limit = t["added_chunk_delay_p99_ms"]
        rows.append(
            (
                f"  per-chunk lateness {pct} (vs script)",
                _num(d, unit=" ms"),
                _num(g, unit=" ms"),
                _num(a, "{:+.2f}", " ms"),
                f"added <= {limit:g} ms" if pct == "p99" else "(info)",
                _verdict(_at_most(a, limit)) if pct == "p99" else "",
            )
        )
    d, g = (_get(r, "streaming", p, "held_back") for p in ("direct", "gateway"))
    rows.append(
        (
            f"  chunks held back (of {_get(r, 'streaming', 'gateway', 'chunks_measured')})",
            _num(d, "{:d}"),
            _num(g, "{:d}"),
            "",
            "0",
            _verdict(None if g is None else g <= t["held_back_chunks"]),
        )
    )
    d, g = (_get(r, "hold", p, "errors_total") for p in ("direct", "gateway"))
    n = _get(r, "meta", "hold_streams")
    rows.append(
        (
            f"4 {n} concurrent 5 s streams: errors",
            _num(d, "{:d}"),
            _num(g, "{:d}"),
            "",
            "0 errors",
            _verdict(None if g is None else g <= t["hold_errors"]),
        )
    )
    d, g = (_get(r, "hold", p, "peak_open") for p in ("direct", "gateway"))
    rows.append(("  peak streams open at once", _num(d, "{:d}"), _num(g, "{:d}"), "", "", ""))
    d, g, a = _added(r, "hold", "first_event", "p50")
    rows.append(
        (
            "  first event p50 while ramping up",
            _num(d, unit=" ms"),
            _num(g, unit=" ms"),
            _num(a, "{:+.2f}", " ms"),
            "(info)",
            "",
        )
    )
    idle, peak = _get(r, "rss", "idle_mb"), _get(r, "rss", "peak_mb")
    rows.append(
        (
            "5 gateway RSS idle",
            "",
            _num(idle, "{:.1f}", " MB"),
            "",
            f"<= {t['idle_rss_mb']:g} MB",
            _verdict(_at_most(idle, t["idle_rss_mb"])),
        )
    )
    rows.append(
        (
            f"  gateway RSS peak, {n} streams open",
            "",
            _num(peak, "{:.1f}", " MB"),
            _num(None if idle is None or peak is None else peak - idle, "{:+.1f}", " MB"),
            f"<= {t['peak_rss_mb']:g} MB",
            _verdict(_at_most(peak, t["peak_rss_mb"])),
        )
    )
    best = _get(r, "startup", "best_s")
    rows.append(
        (
            f"6 start-up to first /health (best of {_get(r, 'meta', 'startup_runs')})",
            "",
            _num(best, unit=" s"),
            "",
            f"<= {t['startup_s']:g} s",
            _verdict(_at_most(best, t["startup_s"])),
        )
    )
    return rows


def render_table(results: dict) -> str:
    header = ("figure", "direct", "gateway", "added/ratio", "target", "result")
    rows = [header, *build_rows(results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])]
        cells += [row[i].rjust(widths[i]) for i in (1, 2, 3)]
        cells += [row[4].ljust(widths[4]), row[5]]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("-" * len(lines[0]))
    return "\n".join(lines)


def render_meta(results: dict) -> str:
    meta = results.get("meta", {})
    return (
        f"OmniRoute benchmark  {meta.get('date')}  {meta.get('cpus')} CPUs  "
        f"Python {meta.get('python')}  waitress {meta.get('waitress')}  "
        f"gateway THREADS={meta.get('threads')} CONNECTION_LIMIT={meta.get('connection_limit')} "
        f"MAX_IN_FLIGHT={meta.get('max_in_flight')}"
    )


def write_json(results: dict, path: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=2, sort_keys=True)
        handle.write("\n")
