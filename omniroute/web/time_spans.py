"""Spans of time as the dashboard says them: the part shared by every duration it shows."""

from __future__ import annotations

from flask_babel import gettext as _


def days_or_hours(days: int, hours: int, minutes: int) -> str | None:
    """ "3 d 2 h" or "2 h 4 min" for a span of an hour or more; None for a shorter one (each
    page says those at its own precision)."""
    if days:
        return _("%(days)d d %(hours)d h", days=days, hours=hours)
    if hours:
        return _("%(hours)d h %(minutes)d min", hours=hours, minutes=minutes)
    return None
