"""Read an upstream's hints about how long an account must rest, and spot context overflows.

`cooldown_seconds` returns seconds until the account may be tried again, or None without a hint.
The first source that yields a value wins:

1. `retry-after-ms` (milliseconds), then `Retry-After` (delta seconds, possibly decimal, or a
   date: HTTP-date or RFC 3339).
2. A Gemini error body (a JSON object, or a list wrapping one) with a `google.rpc.RetryInfo`
   detail whose `retryDelay` is a duration such as "37s".
3. Rate-limit reset headers: OpenAI `x-ratelimit-reset-{requests,tokens}`, generic
   `x-ratelimit-reset`, Anthropic `anthropic-ratelimit-{requests,tokens,input-tokens,
   output-tokens}-reset`. A value is plain seconds, a Go-style duration ("6m0s"), a Unix epoch
   (seconds above 1e9, milliseconds above 1e12), an RFC 3339 timestamp or an HTTP-date. When a
   dimension's matching `remaining` header is 0, the largest reset among exhausted dimensions wins;
   otherwise the largest reset present.
4. Phrases in `message`, then in the body text: "retry in", "retry after", "try again in",
   "reset(s) after/in", "wait" followed by a duration ("2h30m", "37.5s", "2 minutes").

Header names match case-insensitively. Results are clamped to [0, 7 days]; 0.0 is a hint.
Unparseable values are skipped; nothing raises.

`is_context_overflow` is True only for 400/413/422 whose code is a context-length code or whose
message says the prompt exceeds the model's context window.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

MAX_COOLDOWN = 7 * 86400.0

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}
_UNIT = (
    r"(?:hours?|hrs?|h|minutes?|mins?|milliseconds?|msecs?|ms|m|seconds?|secs?|s"
    r"|microseconds?|us|µs|nanoseconds?|ns)(?![a-z])"
)
_AMOUNT = r"(?:\d+(?:\.\d+)?|\.\d+)\s*"
_PART = re.compile(f"({_AMOUNT})({_UNIT})", re.IGNORECASE)
_DURATION = f"{_AMOUNT}{_UNIT}(?:[\\s,]*(?:and\\s+)?{_AMOUNT}{_UNIT})*"
_FULL_DURATION = re.compile(f"\\s*{_DURATION}\\s*", re.IGNORECASE)
_PHRASE = re.compile(
    r"(?:(?:retry|try\s+again|resets?)\s+(?:after|in)|wait(?:\s+for)?)\s+(" + _DURATION + ")",
    re.IGNORECASE,
)

_RESET_HEADERS: tuple[tuple[str, str], ...] = (
    ("x-ratelimit-reset-requests", "x-ratelimit-remaining-requests"),
    ("x-ratelimit-reset-tokens", "x-ratelimit-remaining-tokens"),
    ("x-ratelimit-reset", "x-ratelimit-remaining"),
    *(
        (f"anthropic-ratelimit-{kind}-reset", f"anthropic-ratelimit-{kind}-remaining")
        for kind in ("requests", "tokens", "input-tokens", "output-tokens")
    ),
)

_OVERFLOW_STATUSES = frozenset({400, 413, 422})
_OVERFLOW_CODES = frozenset({"context_length_exceeded", "model_max_prompt_tokens_exceeded"})
_OVERFLOW_MESSAGE = re.compile(
    r"maximum context length|context[ _]length[ _](?:is\s+)?exceeded|context window"
    r"|prompt is too long|input is too long|exceeds the maximum number of tokens"
    r"|(?:input|prompt) token count.{0,80}?exceeds|too many tokens"
    r"|reduce the length of the messages",
    re.IGNORECASE | re.DOTALL,
)


def cooldown_seconds(
    headers: Mapping[str, str], body: bytes | str | None, message: str | None, now: float
) -> float | None:
    """Seconds until the account may be tried again, from the provider's hints.

    None when there is no hint.
    """
    lowered = _lowercase(headers)
    text = _body_text(body)
    sources: tuple[Callable[[], float | None], ...] = (
        lambda: _retry_after(lowered, now),
        lambda: _gemini_retry_delay(text),
        lambda: _rate_limit_reset(lowered, now),
        lambda: _phrase_delay(message) if message else None,
        lambda: _phrase_delay(text),
    )
    for source in sources:
        seconds = source()
        if seconds is not None:
            return min(max(seconds, 0.0), MAX_COOLDOWN)
    return None


def is_context_overflow(status: int, message: str | None, code: str | None) -> bool:
    """True when a 400/413/422 answer says the prompt exceeds the model's context window."""
    if status not in _OVERFLOW_STATUSES:
        return False
    if code and code.strip().lower() in _OVERFLOW_CODES:
        return True
    return bool(message and _OVERFLOW_MESSAGE.search(message))


def _lowercase(headers: Mapping[str, str]) -> dict[str, str]:
    lowered: dict[str, str] = {}
    for name, value in headers.items():
        lowered.setdefault(str(name).strip().lower(), str(value).strip())
    return lowered


def _body_text(body: bytes | str | None) -> str:
    if isinstance(body, bytes | bytearray):
        return bytes(body).decode("utf-8", errors="replace")
    return body or ""


def _number(value: str | None) -> float | None:
    if value is None or not _NUMBER.fullmatch(value.strip()):
        return None
    return float(value)


def _duration(value: str) -> float | None:
    if not _FULL_DURATION.fullmatch(value):
        return None
    total = 0.0
    for amount, unit in _PART.findall(value):
        total += float(amount) * _UNIT_SECONDS[_unit_key(unit.lower())]
    return total


def _unit_key(unit: str) -> str:
    if unit.startswith(("ms", "milli")):
        return "ms"
    if unit.startswith(("us", "µs", "micro")):
        return "us"
    return "ns" if unit.startswith(("ns", "nano")) else unit[0]


def _timestamp(value: str, now: float) -> float | None:
    for parse in (datetime.fromisoformat, parsedate_to_datetime):
        try:
            moment = parse(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp() - now
    return None


def _retry_after(headers: Mapping[str, str], now: float) -> float | None:
    millis = _number(headers.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000.0
    value = headers.get("retry-after")
    if not value:
        return None
    seconds = _number(value)
    return seconds if seconds is not None else _timestamp(value, now)


def _gemini_retry_delay(text: str) -> float | None:
    try:
        payload = json.loads(text) if text.lstrip()[:1] in ("{", "[") else None
    except (ValueError, RecursionError):
        return None
    for item in payload if isinstance(payload, list) else [payload]:
        error = item.get("error") if isinstance(item, dict) else None
        details = error.get("details") if isinstance(error, dict) else None
        for detail in details if isinstance(details, list) else []:
            seconds = _retry_info_delay(detail)
            if seconds is not None:
                return seconds
    return None


def _retry_info_delay(detail: object) -> float | None:
    if not isinstance(detail, dict):
        return None
    delay = detail.get("retryDelay")
    is_retry_info = str(detail.get("@type", "")).endswith("google.rpc.RetryInfo")
    return _duration(delay) if is_retry_info and isinstance(delay, str) else None


def _reset_value(value: str | None, now: float) -> float | None:
    if not value:
        return None
    number = _number(value)
    if number is not None:
        if number > 1e12:
            return number / 1000.0 - now
        return number - now if number > 1e9 else number
    seconds = _duration(value)
    return seconds if seconds is not None else _timestamp(value, now)


def _rate_limit_reset(headers: Mapping[str, str], now: float) -> float | None:
    found: list[tuple[float, bool]] = []
    for reset_name, remaining_name in _RESET_HEADERS:
        seconds = _reset_value(headers.get(reset_name), now)
        if seconds is not None:
            remaining = _number(headers.get(remaining_name))
            found.append((seconds, remaining is not None and remaining <= 0))
    exhausted = [seconds for seconds, empty in found if empty]
    candidates = exhausted or [seconds for seconds, _ in found]
    return max(candidates) if candidates else None


def _phrase_delay(text: str) -> float | None:
    for match in _PHRASE.finditer(text):
        seconds = _duration(match.group(1))
        if seconds is not None:
            return seconds
    return None
