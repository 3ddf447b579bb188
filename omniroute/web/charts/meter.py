"""A budget meter: a bar of what was spent against a limit, with a mark at the warning level.
Its class says the state: `meter-ok`, `meter-warn` (past the warning) or `meter-over`."""

from __future__ import annotations

from flask_babel import format_percent
from flask_babel import gettext as _
from markupsafe import Markup

from .svg import NumberFormat, coordinate, frame, plain_number

WIDTH, HEIGHT = 200.0, 10.0


def budget_meter(
    spent: float, limit: float, warn_percent: float, name: str, fmt: NumberFormat = plain_number
) -> Markup:
    """`spent` of `limit` (a zero limit counts as spent in full)."""
    used = spent / limit if limit > 0 else 1.0
    state = "over" if used >= 1 else ("warn" if used * 100 >= warn_percent else "ok")
    fill = coordinate(WIDTH * min(1.0, max(0.0, used)))
    mark = coordinate(WIDTH * min(100.0, max(0.0, warn_percent)) / 100)
    body = (
        f'<rect class="meter-track" width="{coordinate(WIDTH)}" height="{coordinate(HEIGHT)}"'
        f' rx="3"/><rect class="meter-fill meter-{state}" width="{fill}"'
        f' height="{coordinate(HEIGHT)}" rx="3"/>'
        f'<line class="meter-mark" x1="{mark}" x2="{mark}" y1="0" y2="{coordinate(HEIGHT)}"/>'
    )
    label = _(
        "%(name)s: %(spent)s of %(limit)s spent (%(percent)s); warning at %(warn)s.",
        name=name,
        spent=fmt(spent),
        limit=fmt(limit),
        percent=format_percent(used),
        warn=format_percent(warn_percent / 100),
    )
    return frame("meter", WIDTH, HEIGHT, label, body, f"meter-{state}")
