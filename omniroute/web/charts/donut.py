"""A donut of shares (cost by provider, …): the largest parts each get a colour of the theme's
chart series, the rest is one "other" slice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import format_percent
from flask_babel import gettext as _
from markupsafe import Markup

from .svg import NumberFormat, coordinate, frame, plain_number

SERIES = 6  # --chart-1 … --chart-6
RADIUS, STROKE = 15.9155, 6.0  # a circumference of 100: dash lengths are percentages
SIZE = 2 * RADIUS + STROKE


@dataclass(frozen=True)
class Share:
    label: str
    value: float
    fraction: float  # of the whole, 0–1
    series: int  # 1–SERIES: the colour (--chart-<series>)


def shares_of(parts: Sequence[tuple[str, float]], limit: int = SERIES) -> list[Share]:
    """The parts with a positive value, largest first, as shares of their sum; past `limit`
    the smallest are summed as "Other"."""
    positive = sorted(((label, v) for label, v in parts if v > 0), key=lambda p: -p[1])
    if len(positive) > limit:
        rest = sum(v for _label, v in positive[limit - 1 :])
        positive = [*positive[: limit - 1], (str(_("Other")), rest)]
    total = sum(v for _label, v in positive)
    return [
        Share(label, value, value / total, index + 1)
        for index, (label, value) in enumerate(positive)
    ]


def donut(shares: Sequence[Share], name: str, fmt: NumberFormat = plain_number) -> Markup:
    """The shares as a ring; the label lists each with its amount and percentage."""
    center = coordinate(SIZE / 2)
    ring = (
        f'<circle class="donut-track" cx="{center}" cy="{center}" r="{RADIUS}"'
        f' stroke-width="{STROKE:g}" fill="none"/>'
    )
    if not shares:
        return frame("donut", SIZE, SIZE, _("%(name)s: nothing yet.", name=name), ring)
    slices, start = [], 0.0
    for share in shares:
        length = share.fraction * 100
        slices.append(
            f'<circle class="series-{share.series}" cx="{center}" cy="{center}" r="{RADIUS}"'
            f' fill="none" stroke-width="{STROKE:g}" stroke-dasharray="{length:.3f} '
            f'{100 - length:.3f}" stroke-dashoffset="{25 - start:.3f}"/>'
        )
        start += length
    parts = "; ".join(
        _(
            "%(label)s %(amount)s (%(percent)s)",
            label=share.label,
            amount=fmt(share.value),
            percent=format_percent(share.fraction),
        )
        for share in shares
    )
    label = _("%(name)s: %(parts)s.", name=name, parts=parts)
    return frame("donut", SIZE, SIZE, label, ring + "".join(slices))
