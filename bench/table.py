"""The table style of the report: cell formatters, verdicts and the column renderer.

Shared by the main table (bench.report) and the tables of bench.translated, bench.routing_paths
and bench.fault_mix: numbers are right-aligned, the figure, target and verdict columns
left-aligned; a value that was not measured shows as "n/a".
"""

from __future__ import annotations

import math
from collections.abc import Callable

Row = tuple[str, ...]


def num(value, fmt: str = "{:.2f}", unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return fmt.format(value) + unit


def ms(value) -> str:
    return num(value, unit=" ms")


def plus_ms(value) -> str:
    return num(value, "{:+.2f}", " ms")


def count(value) -> str:
    return num(value, "{:d}")


def distribution(counts: dict[str, int] | None) -> str:
    """{"0": 1388, "1": 12} → "0: 1388, 1: 12" (values in numeric order); "" when none."""
    if not counts:
        return ""
    return ", ".join(f"{value}: {counts[value]}" for value in sorted(counts, key=_as_number))


def _as_number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return float("inf")


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def at_most(value, limit) -> str:
    return verdict(None if value is None else value <= limit)


def get(data, *keys):
    """data[keys[0]][keys[1]]…, or None where a level is missing."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def minus(value, other):
    """value − other, or None when either is missing."""
    return None if value is None or other is None else value - other


def render(header: Row, rows: list[Row], left: int = 2) -> str:
    """Header, a rule, then the rows; the first column and the last `left` ones (target,
    verdict) left-aligned, the numbers between them right-aligned."""
    rows = [header, *rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    numeric = range(1, len(header) - left)
    lines = []
    for index, row in enumerate(rows):
        cells = [
            cell.rjust(width) if column in numeric else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("-" * len(lines[0]))
    return "\n".join(lines)


def versus_plain(
    results: dict,
    section: str,
    paths: tuple[tuple[str, str], ...],
    field: str,
    value_text: Callable[[object], str],
    added_text: Callable[[object], str],
) -> str:
    """The table of paths side by side with the `plain` one: each path's `field` and what it
    adds to the plain path's."""
    plain = get(results, section, "plain", field)
    rows: list[Row] = []
    for name, label in paths:
        value = get(results, section, name, field)
        added = None if value is None or plain is None or name == "plain" else value - plain
        rows.append((label, value_text(value), added_text(added)))
    return render(("path", "per request", "vs plain"), rows, left=0)
