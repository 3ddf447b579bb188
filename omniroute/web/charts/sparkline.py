"""A sparkline: a small line of hourly values (oldest first) with its highest and last points
marked. Hours without a value (None) leave a gap in the line."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from markupsafe import Markup

from .svg import NumberFormat, coordinate, frame, plain_number

WIDTH, HEIGHT, PAD = 120.0, 32.0, 3.0


def sparkline(
    values: Sequence[float | None], name: str, fmt: NumberFormat = plain_number
) -> Markup:
    """The line of `values` named `name`; its label states the lowest, highest and latest."""
    known = [v for v in values if v is not None]
    if not known:
        return frame("sparkline", WIDTH, HEIGHT, _("%(name)s: no data yet.", name=name), "")
    low, high = min(known), max(known)
    span = high - low
    step = (WIDTH - 2 * PAD) / max(1, len(values) - 1)

    def point(index: int, value: float) -> tuple[float, float]:
        share = (value - low) / span if span else 0.5
        return PAD + index * step, HEIGHT - PAD - share * (HEIGHT - 2 * PAD)

    path, drawing = [], False
    for index, value in enumerate(values):
        if value is None:
            drawing = False
            continue
        x, y = point(index, value)
        path.append(f"{'L' if drawing else 'M'}{coordinate(x)} {coordinate(y)}")
        drawing = True
    last_index = max(i for i, v in enumerate(values) if v is not None)
    peak_index = max(i for i, v in enumerate(values) if v == high)
    marks = "".join(
        f'<circle class="{css}" cx="{coordinate(x)}" cy="{coordinate(y)}" r="2.2"/>'
        for css, (x, y) in (
            ("spark-peak", point(peak_index, high)),
            ("spark-last", point(last_index, known[-1])),
        )
    )
    label = _(
        "%(name)s over the last %(count)d hours: lowest %(low)s, highest %(high)s, "
        "latest %(last)s.",
        name=name,
        count=len(values),
        low=fmt(low),
        high=fmt(high),
        last=fmt(known[-1]),
    )
    body = f'<path class="spark-line" d="{"".join(path)}"/>{marks}'
    return frame("sparkline", WIDTH, HEIGHT, label, body)
