"""Read what a subscription provider's usage endpoint answers into a QuotaSnapshot (quota.py).

Window names match those read from answers (quota_headers.py) where the window is the same, so
a card's bars keep their names whichever way they were read:

Claude (`GET /api/oauth/usage`): `{five_hour: {utilization, resets_at}, seven_day: {…},
seven_day_<model>: {…}, extra_usage: {…}}`; utilization is the percent used (0–100), resets_at
ISO 8601 (or null before the window starts). five_hour → "5h", seven_day → "7d",
seven_day_<model> → "7d_<model>" (a window of some models: it never exhausts the account);
extra_usage (credits beyond the plan) is not a window.

Codex (`GET /backend-api/wham/usage`): `{rate_limit: {limit_reached, primary_window:
{used_percent, limit_window_seconds, reset_after_seconds, reset_at}, secondary_window: {…}}}`;
a window is named by its length (18000 s → "5h", 604800 s → "7d"), else "primary"/"secondary".

GitHub Copilot (`GET /copilot_internal/user`): paid plans `quota_snapshots.{premium_interactions,
chat, completions}: {entitlement, remaining, percent_remaining, unlimited, overage_permitted}`
with `quota_reset_date` (`quota_reset_date_utc`); the free plan `monthly_quotas` (the month's
allowance) and `limited_user_quotas` (what REMAINS of it) per kind, with
`limited_user_reset_date`. Windows "premium_interactions", "chat", "completions"; an unlimited
kind has no window. Only a spent "chat" exhausts the account: spent premium requests refuse the
premium models alone.

Kiro (`GetUsageLimits`; its shape as Kiro's own client reads it, not verified against the live
service): `{usageBreakdownList: [{resourceType, currentUsage(WithPrecision),
usageLimit(WithPrecision), nextDateReset, freeTrialInfo: {freeTrialStatus,
currentUsage(WithPrecision), usageLimit(WithPrecision), freeTrialExpiry}}], nextDateReset,
subscriptionInfo: {subscriptionTitle}}`, dates in unix seconds. The credits (resourceType CREDIT
or AGENTIC_REQUEST) are the window "monthly", an active free trial "free_trial", any other
resource its lowercased type; the account is exhausted when every credit window is spent.

A value that does not parse is skipped; an answer that is not a JSON object is a ValueError.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .quota import QuotaSnapshot, QuotaWindow
from .quota_headers import window_name

AnswerReader = Callable[[Any, float], QuotaSnapshot]

CLAUDE_NAMES = {"five_hour": "5h", "seven_day": "7d"}
CLAUDE_MODEL_PREFIX = "seven_day_"
CLAUDE_NOT_WINDOWS = frozenset({"extra_usage"})
ACCOUNT_WINDOWS = frozenset({"5h", "7d"})  # Claude's windows that refuse the whole account
CODEX_POSITIONS = {"primary_window": "primary", "secondary_window": "secondary"}
COPILOT_KINDS = ("premium_interactions", "chat", "completions")
COPILOT_ACCOUNT_WINDOW = "chat"
KIRO_CREDITS = frozenset({"CREDIT", "AGENTIC_REQUEST"})
KIRO_MONTHLY, KIRO_FREE_TRIAL = "monthly", "free_trial"


def claude_usage(answer: Any, now: float) -> QuotaSnapshot:
    payload = _object(answer)
    windows = []
    for key, value in payload.items():
        if key in CLAUDE_NOT_WINDOWS or not isinstance(value, dict) or "utilization" not in value:
            continue
        name = CLAUDE_NAMES.get(key) or (
            "7d_" + key[len(CLAUDE_MODEL_PREFIX) :] if key.startswith(CLAUDE_MODEL_PREFIX) else key
        )
        used = _percent_used(value.get("utilization"))
        windows.append(
            QuotaWindow(name, used, _moment(value.get("resets_at")), used is not None and used >= 1)
        )
    spent = [w for w in windows if w.exhausted and w.name in ACCOUNT_WINDOWS]
    return _snapshot("claude-code", windows, now, spent)


def codex_usage(answer: Any, now: float) -> QuotaSnapshot:
    limits = _object(answer).get("rate_limit")
    limits = limits if isinstance(limits, dict) else {}
    windows = [
        window
        for key, position in CODEX_POSITIONS.items()
        if (window := _codex_window(limits.get(key), position, now)) is not None
    ]
    spent = [w for w in windows if w.exhausted]
    if limits.get("limit_reached") is True and not spent:
        spent = windows or [QuotaWindow("usage_limit", 1.0, None, True)]
    return _snapshot("codex", windows, now, spent)


def _codex_window(value: Any, position: str, now: float) -> QuotaWindow | None:
    if not isinstance(value, dict):
        return None
    used = _percent_used(value.get("used_percent"))
    resets_at = _moment(value.get("reset_at"))
    after = _number(value.get("reset_after_seconds"))
    if resets_at is None and after is not None:
        resets_at = now + max(after, 0.0)
    if used is None and resets_at is None:
        return None
    seconds = _number(value.get("limit_window_seconds"))
    named = seconds is not None and seconds >= 60 and seconds % 60 == 0
    name = window_name(int(seconds // 60)) if named and seconds is not None else position
    return QuotaWindow(name, used, resets_at, used is not None and used >= 1)


def copilot_usage(answer: Any, now: float) -> QuotaSnapshot:
    payload = _object(answer)
    snapshots = payload.get("quota_snapshots")
    if isinstance(snapshots, dict):
        resets_at = _moment(payload.get("quota_reset_date_utc") or payload.get("quota_reset_date"))
        windows = [
            window
            for kind in COPILOT_KINDS
            if (window := _copilot_paid(kind, snapshots.get(kind), resets_at)) is not None
        ]
    else:
        resets_at = _moment(payload.get("limited_user_reset_date"))
        allowance = _mapping(payload.get("monthly_quotas"))
        remaining = _mapping(payload.get("limited_user_quotas"))
        windows = [
            window
            for kind in COPILOT_KINDS
            if (window := _copilot_free(kind, allowance.get(kind), remaining.get(kind), resets_at))
            is not None
        ]
    spent = [w for w in windows if w.exhausted and w.name == COPILOT_ACCOUNT_WINDOW]
    return _snapshot("github-copilot", windows, now, spent)


def _copilot_paid(kind: str, value: Any, resets_at: float | None) -> QuotaWindow | None:
    if not isinstance(value, dict) or value.get("unlimited") is True:
        return None
    percent_left = _number(value.get("percent_remaining"))
    remaining = _number(value.get("remaining"))
    entitlement = _number(value.get("entitlement"))
    if percent_left is not None:
        used: float | None = _clamp(1.0 - percent_left / 100.0)
    elif remaining is not None and entitlement:
        used = _clamp(1.0 - remaining / entitlement)
    else:
        return None
    left = remaining if remaining is not None else percent_left
    spent = left is not None and left <= 0 and value.get("overage_permitted") is not True
    return QuotaWindow(kind, used, resets_at, spent)


def _copilot_free(
    kind: str, allowance: Any, remaining: Any, resets_at: float | None
) -> QuotaWindow | None:
    total, left = _number(allowance), _number(remaining)
    if total is None or left is None or total <= 0:
        return None
    return QuotaWindow(kind, _clamp(1.0 - left / total), resets_at, left <= 0)


def kiro_usage(answer: Any, now: float) -> QuotaSnapshot:
    payload = _object(answer)
    reset = _moment(payload.get("nextDateReset"))
    windows: dict[str, QuotaWindow] = {}
    for item in _list(payload.get("usageBreakdownList")):
        kind = str(item.get("resourceType") or "CREDIT")
        name = KIRO_MONTHLY if kind in KIRO_CREDITS else kind.lower()
        window = _used_of_limit(name, item, _moment(item.get("nextDateReset")) or reset)
        if window is not None:
            windows.setdefault(name, window)
        trial = item.get("freeTrialInfo")
        if isinstance(trial, dict) and str(trial.get("freeTrialStatus", "")).upper() == "ACTIVE":
            expiry = _moment(trial.get("freeTrialExpiry"))
            trial_window = _used_of_limit(KIRO_FREE_TRIAL, trial, expiry)
            if trial_window is not None:
                windows.setdefault(KIRO_FREE_TRIAL, trial_window)
    found = list(windows.values())
    credits = [w for w in found if w.name in (KIRO_MONTHLY, KIRO_FREE_TRIAL)]
    spent = credits if credits and all(w.exhausted for w in credits) else []
    return _snapshot("kiro", found, now, spent)


def _used_of_limit(name: str, value: Mapping[str, Any], resets_at: float | None):
    used = _number(value.get("currentUsageWithPrecision"))
    if used is None:
        used = _number(value.get("currentUsage"))
    limit = _number(value.get("usageLimitWithPrecision"))
    if limit is None:
        limit = _number(value.get("usageLimit"))
    if used is None or limit is None or limit <= 0:
        return None
    return QuotaWindow(name, _clamp(used / limit), resets_at, used >= limit)


def _snapshot(
    provider: str, windows: Iterable[QuotaWindow], now: float, spent: list[QuotaWindow]
) -> QuotaSnapshot:
    """The snapshot; exhausted while `spent` names windows that refuse the whole account, until
    the latest of their resets."""
    resets = [w.resets_at for w in spent if w.resets_at is not None]
    resets_at = max(resets) if spent and resets else None
    return QuotaSnapshot(provider, tuple(windows), now, bool(spent), resets_at)


def _object(answer: Any) -> dict:
    if not isinstance(answer, dict):
        raise ValueError("the usage endpoint did not answer a JSON object")
    return answer


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _clamp(fraction: float) -> float:
    return min(max(fraction, 0.0), 1.0)


def _percent_used(value: Any) -> float | None:
    number = _number(value)
    return None if number is None else _clamp(number / 100.0)


def _moment(value: Any) -> float | None:
    """Unix seconds from unix seconds (milliseconds past 1e12), an ISO 8601 time or a date
    (midnight UTC); None for anything else."""
    number = _number(value)
    if number is not None:
        if number <= 0:
            return None
        return number / 1000.0 if number > 1e12 else number
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


ANSWER_READERS: dict[str, AnswerReader] = {
    "claude-code": claude_usage,
    "codex": codex_usage,
    "github-copilot": copilot_usage,
    "kiro": kiro_usage,
}
