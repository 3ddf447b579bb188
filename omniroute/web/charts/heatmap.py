"""An activity heatmap: one square per day, a column per week (Monday on top), each shaded by
which quantile of the busy days its count falls in (five levels, 0 for an idle day)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup, escape

from .svg import NumberFormat, coordinate, frame, plain_number

CELL, GAP = 10.0, 2.0
LEVELS = 4  # shades for days with activity; 0 is an idle day


def quantile_levels(counts: Sequence[float]) -> list[int]:
    """Each count's shade: 0 when idle, else 1–4 by the quartile of the busy days it is in."""
    busy = sorted(c for c in counts if c > 0)
    if not busy:
        return [0] * len(counts)
    bounds = [busy[min(len(busy) - 1, len(busy) * q // LEVELS)] for q in range(1, LEVELS)]
    return [0 if c <= 0 else 1 + sum(c > bound for bound in bounds) for c in counts]


def activity_heatmap(
    days: Sequence[tuple[dt.date, float]], name: str, fmt: NumberFormat = plain_number
) -> Markup:
    """`days` [(day, count)] oldest first, consecutive; the label states the total, the busy
    days and the busiest one."""
    if not days:
        return frame("heatmap", CELL, CELL, _("%(name)s: no data yet.", name=name), "")
    first_monday = days[0][0] - dt.timedelta(days=days[0][0].weekday())
    levels = quantile_levels([count for _day, count in days])
    cells = []
    for (day, count), level in zip(days, levels, strict=True):
        column, row = (day - first_monday).days // 7, day.weekday()
        tip = escape(f"{format_date(day, 'medium')}: {fmt(count)}")
        cells.append(
            f'<rect class="heat-{level}" x="{coordinate(column * (CELL + GAP))}"'
            f' y="{coordinate(row * (CELL + GAP))}" width="{coordinate(CELL)}"'
            f' height="{coordinate(CELL)}" rx="2"><title>{tip}</title></rect>'
        )
    columns = (days[-1][0] - first_monday).days // 7 + 1
    busiest_day, busiest = max(days, key=lambda item: item[1])
    total = sum(count for _day, count in days)
    if total:
        label = _(
            "%(name)s over %(days)d days: %(total)s in total on %(active)d active days; "
            "the busiest was %(day)s with %(peak)s.",
            name=name,
            days=len(days),
            total=fmt(total),
            active=sum(1 for level in levels if level),
            day=format_date(busiest_day, "medium"),
            peak=fmt(busiest),
        )
    else:
        label = _("%(name)s over %(days)d days: none.", name=name, days=len(days))
    width = columns * (CELL + GAP) - GAP
    height = 7 * (CELL + GAP) - GAP
    return frame("heatmap", width, height, label, "".join(cells))
