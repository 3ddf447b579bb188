"""Read a subscription provider's quota signals into a QuotaSnapshot (see quota.py).

Every answer is read, not only a refusal: the bars stay current and a spent window is known
the moment the provider says so.

Claude (`anthropic-ratelimit-unified-*` on every answer): per window `<w>-status`
(allowed | allowed_warning | rejected), `<w>-utilization` (fraction used) and `<w>-reset`
(unix seconds) for `5h`, `7d` and, on some models, `7d_oi`; the overall `status` and `reset`.
The account is exhausted when a window other than a model's own (`7d_oi`) is rejected, or the
overall status is rejected without only a model window to blame; it is usable again at the
latest reset among the rejected windows (else the overall `reset`).

Codex (`x-codex-*` on every answer): `x-codex-{primary,secondary}-used-percent` (0–100),
`-window-minutes` (300 = 5 h, 10080 = 7 d: the window's name), `-reset-at` (unix seconds) or
`-reset-after-seconds`, and `x-codex-limit-reached`; a window at 100 % is exhausted. A refusal
body `{"error": {"type": "usage_limit_reached", "resets_at", "resets_in_seconds"}}` (HTTP 429,
or inside a stream) says the account is spent until `resets_at` (`codex_usage_limit`).

Values that do not parse are skipped; nothing here raises on a provider's odd answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from .quota import QuotaSnapshot, QuotaWindow

CLAUDE_PREFIX = "anthropic-ratelimit-unified-"
CLAUDE_OVERALL = frozenset({"status", "reset", "representative-claim", "fallback-percentage"})
CLAUDE_FIELDS = frozenset({"status", "utilization", "reset"})  # `<window>-<field>`
CLAUDE_NOT_WINDOWS = frozenset({"overage"})  # extra usage beyond the plan, not a window
MODEL_WINDOWS = frozenset({"7d_oi"})  # a window of some models only: it rests the model
REJECTED = "rejected"
CODEX_PREFIX = "x-codex-"
CODEX_WINDOWS = ("primary", "secondary")
USAGE_LIMIT_CODES = frozenset({"usage_limit_reached"})
USAGE_LIMIT_WINDOW = "usage_limit"

SnapshotReader = Callable[[Mapping[str, str], float], QuotaSnapshot | None]


def read_snapshot(provider: str, headers: Mapping[str, str], now: float) -> QuotaSnapshot | None:
    """The provider's quota snapshot from an answer's headers (None: it reported none)."""
    reader = SNAPSHOT_READERS.get(provider)
    return None if reader is None else reader(headers, now)


def refusal_snapshot(
    provider: str, headers: Mapping[str, str], body: bytes, now: float
) -> QuotaSnapshot | None:
    """The snapshot a refusal reports: its headers', with the window its body says is spent
    (Codex's `usage_limit_reached`)."""
    snapshot = read_snapshot(provider, headers, now)
    spent = codex_usage_limit(body, now)
    return snapshot if spent is None else with_spent_window(snapshot, spent, provider, now)


def claude_snapshot(headers: Mapping[str, str], now: float) -> QuotaSnapshot | None:
    values = _prefixed(headers, CLAUDE_PREFIX)
    split = (name.rsplit("-", 1) for name in values if name not in CLAUDE_OVERALL)
    found = {parts[0] for parts in split if len(parts) == 2 and parts[1] in CLAUDE_FIELDS}
    names = sorted(found - CLAUDE_NOT_WINDOWS)
    windows = tuple(
        QuotaWindow(
            name,
            _fraction(values.get(f"{name}-utilization")),
            _unix(values.get(f"{name}-reset")),
            values.get(f"{name}-status", "").lower() == REJECTED,
        )
        for name in names
    )
    overall_rejected = values.get("status", "").lower() == REJECTED
    if not windows and not overall_rejected:
        return None
    rejected = [window for window in windows if window.exhausted]
    account_rejected = [window for window in rejected if window.name not in MODEL_WINDOWS]
    exhausted = bool(account_rejected) or (overall_rejected and not rejected)
    resets = [window.resets_at for window in account_rejected if window.resets_at is not None]
    resets_at = None
    if exhausted:
        resets_at = max(resets) if resets else _unix(values.get("reset"))
    return QuotaSnapshot("claude-code", windows, now, exhausted, resets_at)


def codex_snapshot(headers: Mapping[str, str], now: float) -> QuotaSnapshot | None:
    values = _prefixed(headers, CODEX_PREFIX)
    windows = tuple(
        window
        for window in (_codex_window(values, position, now) for position in CODEX_WINDOWS)
        if window is not None
    )
    limit_reached = values.get("limit-reached", "").lower() == "true"
    if not windows and not limit_reached:
        return None
    spent = [window for window in windows if window.exhausted]
    exhausted = bool(spent) or limit_reached
    resets = [w.resets_at for w in (spent or windows) if w.resets_at is not None]
    resets_at = max(resets) if exhausted and resets else None
    return QuotaSnapshot("codex", windows, now, exhausted, resets_at)


def codex_usage_limit(body: bytes, now: float) -> QuotaWindow | None:
    """The spent window a Codex `usage_limit_reached` refusal names (None: another refusal)."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        return None
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return None
    if not {str(error.get("type")), str(error.get("code"))} & USAGE_LIMIT_CODES:
        return None
    resets_at = _unix(_text(error.get("resets_at")))
    if resets_at is None:
        after = _number(_text(error.get("resets_in_seconds")))
        resets_at = None if after is None else now + max(0.0, after)
    return QuotaWindow(USAGE_LIMIT_WINDOW, 1.0, resets_at, exhausted=True)


def with_spent_window(
    snapshot: QuotaSnapshot | None, spent: QuotaWindow, provider: str, now: float
) -> QuotaSnapshot:
    """`snapshot` (from the same answer's headers, if any) with the account marked exhausted
    by `spent` until the latest reset either of them knows."""
    windows = snapshot.windows if snapshot is not None else ()
    if not any(window.exhausted for window in windows):
        windows = (*windows, spent)
    resets = [w.resets_at for w in windows if w.exhausted and w.resets_at is not None]
    if snapshot is not None and snapshot.resets_at is not None:
        resets.append(snapshot.resets_at)
    return QuotaSnapshot(provider, windows, now, True, max(resets) if resets else None)


def _codex_window(values: Mapping[str, str], position: str, now: float) -> QuotaWindow | None:
    percent = _number(values.get(f"{position}-used-percent"))
    minutes = _number(values.get(f"{position}-window-minutes"))
    resets_at = _unix(values.get(f"{position}-reset-at"))
    if resets_at is None:
        after = _number(values.get(f"{position}-reset-after-seconds"))
        resets_at = None if after is None else now + max(0.0, after)
    if percent is None and resets_at is None:
        return None
    used = None if percent is None else min(max(percent / 100.0, 0.0), 1.0)
    name = position if minutes is None or minutes <= 0 else window_name(int(minutes))
    return QuotaWindow(name, used, resets_at, percent is not None and percent >= 100.0)


def window_name(minutes: int) -> str:
    """A window's name from its length: 300 → "5h", 10080 → "7d", 90 → "90m"."""
    if minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def _prefixed(headers: Mapping[str, str], prefix: str) -> dict[str, str]:
    """The headers starting with `prefix` (any case), by the rest of their lowercased name."""
    found: dict[str, str] = {}
    for name, value in headers.items():
        lowered = str(name).strip().lower()
        if lowered.startswith(prefix):
            found[lowered[len(prefix) :]] = str(value).strip()
    return found


def _text(value: object) -> str | None:
    return None if value is None or isinstance(value, bool) else str(value)


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _fraction(value: str | None) -> float | None:
    number = _number(value)
    return None if number is None else min(max(number, 0.0), 1.0)


def _unix(value: str | None) -> float | None:
    """Unix seconds (a value past 1e12 is milliseconds); None for anything else."""
    number = _number(value)
    if number is None or number <= 0:
        return None
    return number / 1000.0 if number > 1e12 else number


SNAPSHOT_READERS: dict[str, SnapshotReader] = {
    "claude-code": claude_snapshot,
    "codex": codex_snapshot,
}
