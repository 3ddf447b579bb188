"""How a setting's raw environment value becomes the value OmniRoute uses (settings.py).

Each parser takes the raw string and returns the value, or raises ValueError saying what was
expected; settings.py names the variable in the message it stops start-up with.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable
from urllib.parse import urlparse


def parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def parse_optional_bool(raw: str) -> bool | None:
    if raw.strip().lower() in {"", "auto"}:
        return None
    return parse_bool(raw)


def int_between(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        value = int(raw.strip())
        if not low <= value <= high:
            raise ValueError(f"expected a whole number from {low} to {high}")
        return value

    return parse


def float_between(low: float, high: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        value = float(raw.strip())
        if not low <= value <= high:
            raise ValueError(f"expected a number from {low} to {high}")
        return value

    return parse


def parse_text(raw: str) -> str:
    return raw


def parse_path(raw: str) -> str:
    return os.path.abspath(os.path.expanduser(raw.strip()))


def parse_http_url(raw: str) -> str:
    parsed = urlparse(raw.strip())
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise ValueError("expected an http:// or https:// URL")
    return raw.strip().rstrip("/")


def parse_optional_http_url(raw: str) -> str:
    """An http(s) URL, or "" (off) when blank."""
    return parse_http_url(raw) if raw.strip() else ""


def parse_database_url(raw: str) -> str:
    scheme = urlparse(raw.strip()).scheme
    if scheme not in {"sqlite", "postgresql", "postgres"}:
        raise ValueError("expected sqlite:///path or postgresql://user:pass@host:port/db")
    return raw.strip()


def parse_redis_url(raw: str) -> str:
    """A Redis URL (redis://, rediss:// or unix://), or "" (off) when blank."""
    value = raw.strip()
    if value and urlparse(value).scheme not in {"redis", "rediss", "unix"}:
        raise ValueError("expected redis://[:password@]host:port/db, rediss://… or unix://path")
    return value


def parse_trusted_proxy(raw: str) -> str | None:
    """An IP address in the form waitress compares with the peer's (`::1`, not `0::1`), or `*`."""
    value = raw.strip()
    if value in {"", "*"}:
        return value or None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise ValueError("expected the proxy's IP address (such as 127.0.0.1) or *") from None


def one_of(*choices: str) -> Callable[[str], str]:
    """A parser accepting one of `choices` in any letter case (the value as spelt there)."""

    def parse(raw: str) -> str:
        by_key = {choice.lower(): choice for choice in choices}
        value = by_key.get(raw.strip().lower())
        if value is None:
            raise ValueError(f"expected one of {', '.join(choices)}")
        return value

    return parse


def parse_secret(raw: str) -> str:
    if len(raw) < 16:
        raise ValueError("expected at least 16 characters")
    return raw


def parse_cpu_pinning(raw: str) -> str | tuple[int, ...]:
    """`auto`, `off`, or CPU numbers as Linux lists them (`2`, `2,3`, `0-3`), in that order."""
    value = raw.strip().lower()
    if value in {"auto", "off"}:
        return value
    cpus: list[int] = []
    try:
        for part in value.split(","):
            first, dash, last = part.strip().partition("-")
            low, high = int(first), int(last) if dash else int(first)
            if low < 0 or high < low:
                raise ValueError
            cpus.extend(cpu for cpu in range(low, high + 1) if cpu not in cpus)
    except ValueError:
        raise ValueError("expected auto, off, or CPU numbers such as 1 or 0,2 or 0-3") from None
    return tuple(cpus)
