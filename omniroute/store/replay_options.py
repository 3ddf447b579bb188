"""The response cache and idempotency options (Settings → AI), kept in the `app_settings` table.

`cache_enabled`: answers to deterministic requests (temperature 0) are served again from memory;
`cache_streams`: streamed requests are cached too (the stream assembled into one answer);
`ttl_seconds`, `max_entries`, `max_bytes`: how long an answer is kept and how many answers (and
bytes) the cache — and the idempotency table — hold at most; `idempotency_window_seconds`: how
long after a request carrying `Idempotency-Key` or `X-Request-Id` a repeat gets the first
answer (0 turns idempotency off). A missing or invalid stored value is its default.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any

from .app_settings import get_app_setting, set_app_setting

REPLAY_KEY = "replay"
MIB = 1024 * 1024


@dataclass(frozen=True)
class ReplayOptions:
    cache_enabled: bool = True
    cache_streams: bool = False
    ttl_seconds: float = 300.0
    max_entries: int = 1000
    max_bytes: int = 32 * MIB
    idempotency_window_seconds: float = 5.0


DEFAULT_REPLAY_OPTIONS = ReplayOptions()


def options_from_json(text: str | None) -> ReplayOptions:
    """The options a stored JSON text holds; each missing or invalid value is its default."""
    try:
        stored = json.loads(text or "{}")
    except ValueError:
        stored = {}
    if not isinstance(stored, dict):
        return DEFAULT_REPLAY_OPTIONS
    values: dict[str, Any] = {}
    for option in fields(ReplayOptions):
        value = stored.get(option.name)
        if _valid(value, getattr(DEFAULT_REPLAY_OPTIONS, option.name)):
            values[option.name] = value
    return ReplayOptions(**values)


def _valid(value: object, default: object) -> bool:
    """`value` has the default's kind: a bool for a switch, a non-negative number otherwise
    (an int where an int is expected)."""
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(default, int) and not isinstance(value, int):
        return False
    return 0 <= value < float("inf")


def options_to_json(options: ReplayOptions) -> str:
    return json.dumps(asdict(options))


def load_replay_options() -> ReplayOptions:
    return options_from_json(get_app_setting(REPLAY_KEY))


def save_replay_options(options: ReplayOptions) -> None:
    set_app_setting(REPLAY_KEY, options_to_json(options))
