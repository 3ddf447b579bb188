"""ResilienceSettings: breaker profiles, per-account rate limits and backoff, as one value.

Stored as JSON under the `resilience` app setting, edited in Settings → Resilience or with
`PATCH /api/resilience`, and applied to the running state at once (never read per request).

API shape (camelCase):
  {"profiles": {"subscription"|"api-key"|"local":
                  {"failureThreshold", "windowSeconds", "cooldownSeconds"}},
   "rateLimits": {"requestsPerMinute", "minGapMs", "maxConcurrent", "maxWaitMs",
                  "tiers": [tiers the limits apply to]},
   "backoff": {"baseSeconds", "factor", "capSeconds"}}
Rate limits apply by default to subscription accounts only: providers ban bursts on those,
while API-key and local accounts usually allow far more than 60 requests a minute.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from ..providers.spec import TIERS
from .breakers import DEFAULT_PROFILES, BreakerProfile
from .rate_limits import RateLimits


@dataclass(frozen=True)
class Backoff:
    base_seconds: float = 5.0
    factor: float = 2.0
    cap_seconds: float = 300.0

    def seconds(self, level: int) -> float:
        """The rest after the `level`-th failure in a row (level ≥ 1)."""
        return min(self.cap_seconds, self.base_seconds * self.factor ** max(0, level - 1))


@dataclass(frozen=True)
class ResilienceSettings:
    profiles: dict[str, BreakerProfile] = field(default_factory=lambda: dict(DEFAULT_PROFILES))
    rate_limits: RateLimits = field(default_factory=RateLimits)
    limited_tiers: tuple[str, ...] = ("subscription",)
    backoff: Backoff = field(default_factory=Backoff)


# camelCase name → (field, type, minimum, maximum)
PROFILE_FIELDS = {
    "failureThreshold": ("failure_threshold", int, 1, 1000),
    "windowSeconds": ("window_seconds", float, 1, 86400),
    "cooldownSeconds": ("cooldown_seconds", float, 1, 86400),
}
RATE_FIELDS = {
    "requestsPerMinute": ("requests_per_minute", int, 1, 100000),
    "minGapMs": ("min_gap_ms", int, 0, 60000),
    "maxConcurrent": ("max_concurrent", int, 1, 10000),
    "maxWaitMs": ("max_wait_ms", int, 0, 120000),
}
BACKOFF_FIELDS = {
    "baseSeconds": ("base_seconds", float, 0, 3600),
    "factor": ("factor", float, 1, 10),
    "capSeconds": ("cap_seconds", float, 0, 86400),
}


def _api(value, fields: dict) -> dict:
    return {name: getattr(value, spec[0]) for name, spec in fields.items()}


def settings_as_api(settings: ResilienceSettings) -> dict:
    return {
        "profiles": {name: _api(p, PROFILE_FIELDS) for name, p in settings.profiles.items()},
        "rateLimits": {
            **_api(settings.rate_limits, RATE_FIELDS),
            "tiers": list(settings.limited_tiers),
        },
        "backoff": _api(settings.backoff, BACKOFF_FIELDS),
    }


def _changed(value, changes, fields: dict, where: str):
    if not isinstance(changes, dict):
        raise ValueError(where, "must be an object")
    updates = {}
    for name, new in changes.items():
        if name not in fields:
            raise ValueError(f"{where}.{name}", "unknown setting")
        attribute, kind, low, high = fields[name]
        number = isinstance(new, int | float) and not isinstance(new, bool)
        if not number or (kind is int and isinstance(new, float) and not new.is_integer()):
            raise ValueError(
                f"{where}.{name}", "must be a number" if kind is float else "must be a whole number"
            )
        if not low <= new <= high:
            raise ValueError(f"{where}.{name}", f"must be between {low} and {high}")
        updates[attribute] = kind(new)
    return replace(value, **updates)


def _section(changes: dict, name: str) -> dict:
    """One section of a change (absent: no change); anything but an object is refused."""
    value = changes.get(name, {})
    if not isinstance(value, dict):
        raise ValueError(name, "must be an object")
    return value


def apply_api_changes(settings: ResilienceSettings, changes: dict) -> ResilienceSettings:
    """The settings with `changes` applied; ValueError(field path, message) for a bad value."""
    unknown = sorted(set(changes) - {"profiles", "rateLimits", "backoff"})
    if unknown:
        raise ValueError(unknown[0], "unknown setting (known: profiles, rateLimits, backoff)")
    profiles = dict(settings.profiles)
    for name, profile_changes in _section(changes, "profiles").items():
        if name not in profiles:
            raise ValueError(f"profiles.{name}", f"unknown profile (known: {', '.join(profiles)})")
        profiles[name] = _changed(
            profiles[name], profile_changes, PROFILE_FIELDS, f"profiles.{name}"
        )
    rate_changes = dict(_section(changes, "rateLimits"))
    tiers = rate_changes.pop("tiers", settings.limited_tiers)
    if not isinstance(tiers, list | tuple) or any(
        not isinstance(tier, str) or tier not in TIERS for tier in tiers
    ):
        raise ValueError("rateLimits.tiers", f"must be a list of: {', '.join(TIERS)}")
    rate_limits = _changed(settings.rate_limits, rate_changes, RATE_FIELDS, "rateLimits")
    backoff = _changed(settings.backoff, _section(changes, "backoff"), BACKOFF_FIELDS, "backoff")
    return ResilienceSettings(profiles, rate_limits, tuple(dict.fromkeys(tiers)), backoff)


def settings_to_json(settings: ResilienceSettings) -> str:
    return json.dumps(settings_as_api(settings), sort_keys=True)


def settings_from_json(text: str | None) -> ResilienceSettings:
    """Stored settings; anything unreadable falls back to the defaults (never fails start-up)."""
    defaults = ResilienceSettings()
    try:
        stored = json.loads(text) if text else {}
        return apply_api_changes(defaults, stored if isinstance(stored, dict) else {})
    except ValueError:
        return defaults
