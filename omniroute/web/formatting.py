"""Numbers, money, times and sizes on dashboard pages in the reader's locale (Babel through
flask-babel): 1,234.5 in English is 1.234,5 in German; 14:05 stays 14:05 but a date is written
the locale's way. One module serves every page; `install_formatting` offers each as a filter:

- `number(value, digits=0)`: grouped, with at most `digits` decimals ("1,234", "0.5");
- `thousands` / `decimal`: a whole count ("1,234"); `percent(fraction, digits=0)`: 0.42 → "42%";
- `ms(value)`: a duration in milliseconds ("1,250 ms"); `duration(seconds)`: "3 min 5 s";
- `size(bytes)`: "812 B", "185 KB", "12.4 MB";
- `money(amount)` / `usd(amount)`: US dollars ("$12.34", "12,34 $"), amounts below a cent with
  enough digits to be seen ("$0.000042"); `price(per_million)`: a price as a person types it;
- `stamp(moment)`: a date and time to the second; `clock(moment)`: the time of day only;
  `day(moment)`: the date only ("Dec 7, 2026"); `until(iso)`: how long until then ("5 h 10 min");
  `month_day` and `hour_minute` (Python only): a chart's short labels ("Dec 7", "14:00").

A moment is a datetime or an ISO text ("2026-12-07T14:05:09.123456", "…Z"). Times are stored as
naive UTC and shown in UTC (BABEL_DEFAULT_TIMEZONE).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

from babel.dates import format_skeleton
from babel.numbers import format_currency as babel_currency
from babel.numbers import format_percent as babel_percent
from flask import Flask
from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    format_time,
    get_locale,
)
from flask_babel import gettext as _

from ..clock import utcnow
from .time_spans import days_or_hours

CURRENCY = "USD"
SIGNIFICANT_BELOW_A_CENT = 2
NONE = "—"
SIZE_UNITS = (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10))

Moment = dt.datetime | dt.date | str | None


def number(value, digits: int = 0) -> str:
    """Grouped, with at most `digits` decimals; a value that is not a number is shown as is."""
    try:
        value = float(value or 0)
    except (TypeError, ValueError):
        return str(value)
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    return str(format_decimal(value, format=pattern))


def thousands(value) -> str:
    """A whole count: 1,234 (en), 1.234 (de)."""
    return number(value)


def percent(fraction, digits: int = 0) -> str:
    """A share (0–1) as a percentage in the user's locale: 42%, 42 %, 12.5%."""
    share = round(float(fraction or 0), digits + 2)  # the locale's pattern, `digits` at most
    return babel_percent(share, locale=get_locale() or "en", decimal_quantization=False)


def ms(value) -> str:
    return _("%(n)s ms", n=number(value))


def duration(seconds) -> str:
    """A span of time for people: 0.4 s, 12 s, 3 min 5 s, 2 h 4 min, 3 d 2 h."""
    if seconds is None:
        return NONE
    seconds = max(0.0, float(seconds))
    if seconds < 10 and not seconds.is_integer():
        return _("%(seconds)s s", seconds=number(seconds, 1))
    whole = math.ceil(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if long := days_or_hours(days, hours, minutes):
        return long
    if minutes:
        # whole minutes and seconds below 60 read alike in every locale
        return _("%(minutes)d min %(seconds)d s", minutes=minutes, seconds=secs)
    return _("%(seconds)s s", seconds=number(secs))


def size(count) -> str:
    """A byte count: 812 B, 185 KB, 12.4 MB, 1.2 GB."""
    if count is None:
        return NONE
    for unit, scale in SIZE_UNITS:
        if count >= scale:
            value = count / scale
            return _("%(n)s %(unit)s", n=number(value, 1 if value < 100 else 0), unit=unit)
    return _("%(n)s B", n=number(count))


def _currency_unquantized(amount: float) -> str:
    """USD with as many decimals as `amount` has (never fewer than the cents)."""
    return babel_currency(amount, CURRENCY, locale=get_locale() or "en", decimal_quantization=False)


def money(amount: float | None) -> str:
    """Cents, or two significant digits below a cent: $12.34, $0.0042."""
    amount = float(amount or 0.0)
    if amount == 0 or abs(amount) >= 0.01:
        return str(format_currency(amount, CURRENCY))
    return _currency_unquantized(float(f"{amount:.{SIGNIFICANT_BELOW_A_CENT}g}"))


def usd(amount) -> str:
    """Cents from a dollar up, else up to six decimals: $12.34, $0.0123, $0.000042."""
    amount = float(amount or 0.0)
    if amount == 0 or abs(amount) >= 1:
        return str(format_currency(amount, CURRENCY))
    return _currency_unquantized(round(amount, 6))


def price(value) -> str:
    """A price per 1M tokens as a person would type it, in the locale: 0.15, 3, 0.075."""
    return number(value, 6)


def as_typed(value) -> str:
    """A number for a form field (never localised: the browser reads it): 30.0 → "30"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def moment_of(value: Moment) -> dt.datetime | dt.date | None:
    """A datetime from an ISO text (naive UTC; an offset is converted to UTC), else as given."""
    if not isinstance(value, str):
        return value
    try:
        moment = dt.datetime.fromisoformat(value.strip().removesuffix("Z"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def stamp(moment: Moment) -> str:
    found = moment_of(moment)
    return NONE if found is None else str(format_datetime(found, "medium"))


def clock(moment: Moment) -> str:
    found = moment_of(moment)
    return NONE if found is None else str(format_time(found, "medium"))


def day(moment: Moment) -> str:
    found = moment_of(moment)
    return NONE if found is None else str(format_date(found, "medium"))


def month_day(moment: dt.date) -> str:
    """A chart's day label: "Dec 7" (en), "7. Dez." (de), "12月7日" (ja)."""
    return format_skeleton("MMMd", moment, locale=get_locale() or "en")


def hour_minute(moment: dt.datetime) -> str:
    """A chart's hour label, on the 24-hour clock the locale writes: "14:00"."""
    return format_skeleton("Hm", moment, locale=get_locale() or "en")


def until(moment: Moment) -> str:
    """How long until a time: "3 d 4 h", "5 h 10 min", "12 min"."""
    found = moment_of(moment)
    if not isinstance(found, dt.datetime):
        return NONE
    minutes = max(0, int((found - utcnow()).total_seconds() // 60))
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    return days_or_hours(days, hours, minutes) or _("%(minutes)d min", minutes=minutes)


FILTERS: dict[str, Callable[..., str]] = {
    "number": number,
    "thousands": thousands,
    "decimal": thousands,
    "percent": percent,
    "ms": ms,
    "duration": duration,
    "size": size,
    "money": money,
    "usd": usd,
    "price": price,
    "as_typed": as_typed,
    "stamp": stamp,
    "clock": clock,
    "day": day,
    "until": until,
}


def install_formatting(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
