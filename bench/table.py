"""The table style of the report: cell formatters, verdicts and the column renderer.

Shared by the main table (bench.report) and the translated-paths table (bench.translated):
numbers are right-aligned, the figure, target and verdict columns left-aligned; a value that
was not measured shows as "n/a".
"""

from __future__ import annotations

import math

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


def render(header: Row, rows: list[Row]) -> str:
    """Header, a rule, then the rows; the last two columns (target, verdict) left-aligned."""
    rows = [header, *rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    numeric = range(1, len(header) - 2)
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
