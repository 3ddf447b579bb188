"""Storable usage rows: every value cleaned to what its column can hold before the row is saved.

One bad value must not cost a batch of rows (the writer saves a batch in one transaction), so
`make_storable` fixes a usage row, and the request log riding on it (`_log`), in place:

- a string column's text is cut to the column's `max_length` (read from the peewee models, so
  the limits live in one place); in a name column (model, provider, endpoint…) lone
  surrogates and every control character become U+FFFD; in a long text column (error, attempt
  chain, bodies) lone surrogates and NUL do, and the text is otherwise kept as it was;
- an integer column holds an int in 0 … 2^31−1 (PostgreSQL's INTEGER): NaN, infinities,
  negative numbers and anything that is not a number become 0, huge numbers the maximum;
- a float column holds a finite float (NaN and infinities become 0, or NULL where allowed);
- a boolean column holds a bool, a time column a naive UTC datetime;
- a column that refuses NULL and has a default in the model gets the default when the row
  lacks it (a batch is inserted with the union of its rows' keys).

Keys that are not columns are left alone: the database refuses them and the writer dead-letters
the row. The common row (short ASCII text, small counts) passes each check on its fast path.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable

from peewee import AutoField, BooleanField, CharField, DateTimeField, FloatField, IntegerField

from ..clock import utcnow
from .models import RequestLog, UsageRecord

INT_MAX = 2**31 - 1  # INTEGER on PostgreSQL; SQLite's is wider
FLOAT_EXACT = 2**53  # an int a float column takes as it is
REPLACEMENT = "\ufffd"
_NOT_IN_NAMES = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_NOT_IN_TEXT = re.compile(r"[\x00\ud800-\udfff]")

Cleaner = Callable[[object], object]


def _name_cleaner(max_length: int) -> Cleaner:
    def clean(value):
        if (
            type(value) is str
            and len(value) <= max_length
            and value.isascii()
            and value.isprintable()
        ):
            return value
        text = value if isinstance(value, str) else str(value)
        return _NOT_IN_NAMES.sub(REPLACEMENT, text[:max_length])

    return clean


def _clean_text(value):
    if isinstance(value, str) and "\x00" not in value:
        if value.isascii():
            return value
        try:
            value.encode("utf-8")  # a C-speed check for lone surrogates in long text
            return value
        except UnicodeEncodeError:
            pass
    return _NOT_IN_TEXT.sub(REPLACEMENT, value if isinstance(value, str) else str(value))


def _clean_count(value):
    if type(value) is int and 0 <= value <= INT_MAX:
        return value
    try:
        number = value if isinstance(value, int) else float(value)
    except (TypeError, ValueError, OverflowError):
        return 0
    if number != number or number <= 0:  # NaN compares unequal to itself
        return 0
    return INT_MAX if number >= INT_MAX else int(number)


def _float_cleaner(nullable: bool) -> Cleaner:
    fallback = None if nullable else 0.0

    def clean(value):
        if type(value) is float and math.isfinite(value):
            return value
        if type(value) is int and -FLOAT_EXACT <= value <= FLOAT_EXACT:
            return value
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            return fallback
        return number if math.isfinite(number) else fallback

    return clean


def _clean_flag(value):
    if type(value) is bool:
        return value
    try:
        return bool(value)
    except Exception:  # an object whose truth cannot be told
        return False


def _clean_moment(value):
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return utcnow()


def _cleaner_for(field) -> Cleaner | None:
    if isinstance(field, AutoField):
        return None
    if isinstance(field, CharField):
        return _name_cleaner(field.max_length)
    if isinstance(field, BooleanField):
        return _clean_flag
    if isinstance(field, IntegerField):
        return _clean_count
    if isinstance(field, FloatField):
        return _float_cleaner(field.null)
    if isinstance(field, DateTimeField):
        return _clean_moment
    return _clean_text  # TextField: no length limit


def cleaners_of(model) -> dict[str, Cleaner]:
    """Column name → the function that makes a value storable in it."""
    cleaners = {name: _cleaner_for(field) for name, field in model._meta.fields.items()}
    return {name: cleaner for name, cleaner in cleaners.items() if cleaner is not None}


def defaults_of(model) -> dict[str, object]:
    """Column name → the model's default, for the columns that refuse NULL and have one."""
    return {
        name: field.default
        for name, field in model._meta.fields.items()
        if not field.null and field.default is not None and not isinstance(field, AutoField)
    }


USAGE_CLEANERS = cleaners_of(UsageRecord)
USAGE_DEFAULTS = defaults_of(UsageRecord)
LOG_CLEANERS = cleaners_of(RequestLog)


def _clean_columns(row: dict, cleaners: dict[str, Cleaner]) -> None:
    changed = {}
    for name, value in row.items():
        clean = cleaners.get(name)
        if clean is not None and value is not None:
            fixed = clean(value)
            if fixed is not value:
                changed[name] = fixed
    if changed:
        row.update(changed)


def make_storable(row: dict) -> dict:
    """Clean `row` (a usage row, maybe carrying its request log as `_log`) in place; returns it."""
    for name, default in USAGE_DEFAULTS.items():
        if row.get(name) is None:  # missing or NULL: the column's default (NULL is refused)
            row[name] = default() if callable(default) else default
    _clean_columns(row, USAGE_CLEANERS)
    entry = row.get("_log")
    if isinstance(entry, dict):
        _clean_columns(entry, LOG_CLEANERS)
    return row
