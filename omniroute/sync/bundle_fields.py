"""Small field checks for the configuration bundle's sections; each failure is a BundleError
naming the field by its path in the bundle (`combos[1].targets[0].model`)."""

from __future__ import annotations

import math
from typing import Any

from .bundle_errors import BundleError

MAX_TEXT = 200


def items_of(bundle: dict, section: str) -> list[dict]:
    """The section's list of objects."""
    items = bundle.get(section)
    if not isinstance(items, list):
        raise BundleError(section, "must be a list")
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise BundleError(f"{section}[{index}]", "must be an object")
    return items


def text(item: dict, name: str, where: str, *, optional: bool = False, limit=MAX_TEXT) -> Any:
    value = item.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value or len(value) > limit:
        raise BundleError(f"{where}.{name}", f"must be a string of 1 to {limit} characters")
    return value


def flag(item: dict, name: str, where: str) -> bool:
    value = item.get(name)
    if not isinstance(value, bool):
        raise BundleError(f"{where}.{name}", "must be true or false")
    return value


def whole(item: dict, name: str, where: str, low: int, high: int) -> int:
    value = item.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BundleError(f"{where}.{name}", f"must be a whole number from {low} to {high}")
    return value


def price(item: dict, name: str, where: str, *, optional: bool = False) -> float | None:
    value = item.get(name)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BundleError(f"{where}.{name}", "must be a number")
    if value < 0:
        raise BundleError(f"{where}.{name}", "must not be negative")
    return float(value)


def unique(keys: list, section: str, what: str) -> None:
    seen: set = set()
    for index, key in enumerate(keys):
        if key in seen:
            raise BundleError(f"{section}[{index}]", f"repeats the {what} {key!r}")
        seen.add(key)
