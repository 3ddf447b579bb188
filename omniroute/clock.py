"""The gateway's wall clock: naive UTC datetimes, as every table and usage row stores them."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """Now in UTC, without tzinfo (the form the database columns hold)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
