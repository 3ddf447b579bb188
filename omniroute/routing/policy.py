"""RoutingPolicy: the user's routing settings (Settings → Routing), as one immutable value.

Stored as JSON under the `routing` app setting and read into the routing table snapshot, so a
request never reads it from the database. `PATCH /api/settings` takes the camelCase names.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace

from .account_order import ACCOUNT_STRATEGIES, DEFAULT_ACCOUNT_STRATEGY, DEFAULT_STICKY_LIMIT
from .combos import COMBO_STRATEGIES, DEFAULT_COMBO_STRATEGY

MAX_RETRIES = 5
MAX_ATTEMPTS_LIMIT = 50


@dataclass(frozen=True)
class RoutingPolicy:
    routing_strategy: str = DEFAULT_ACCOUNT_STRATEGY
    sticky_round_robin_limit: int = DEFAULT_STICKY_LIMIT
    combo_strategy: str = DEFAULT_COMBO_STRATEGY  # the strategy a new combo starts with
    retries: int = 1  # extra tries of one target after a transient failure, with backoff
    max_attempts: int = 10  # hard cap on upstream calls per request, retries included


# camelCase API name → (field, allowed values or (min, max) for integers)
API_FIELDS: dict[str, tuple[str, tuple[str, ...] | tuple[int, int]]] = {
    "routingStrategy": ("routing_strategy", ACCOUNT_STRATEGIES),
    "stickyRoundRobinLimit": ("sticky_round_robin_limit", (1, 1000)),
    "comboStrategy": ("combo_strategy", COMBO_STRATEGIES),
    "comboRetries": ("retries", (0, MAX_RETRIES)),
    "maxAttempts": ("max_attempts", (1, MAX_ATTEMPTS_LIMIT)),
}


def policy_as_api(policy: RoutingPolicy) -> dict:
    return {name: getattr(policy, field) for name, (field, _) in API_FIELDS.items()}


def apply_api_changes(policy: RoutingPolicy, changes: dict) -> RoutingPolicy:
    """The policy with `changes` (camelCase names) applied; ValueError names a bad field."""
    updates = {}
    for name, value in changes.items():
        if name not in API_FIELDS:
            continue
        field, allowed = API_FIELDS[name]
        if isinstance(allowed[0], str):
            if value not in allowed:
                raise ValueError(name, f"must be one of: {', '.join(allowed)}")
        elif isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(name, "must be a whole number")
        elif not allowed[0] <= value <= allowed[1]:
            raise ValueError(name, f"must be between {allowed[0]} and {allowed[1]}")
        updates[field] = value
    return replace(policy, **updates)


def policy_to_json(policy: RoutingPolicy) -> str:
    return json.dumps(asdict(policy), sort_keys=True)


def policy_from_json(text: str | None) -> RoutingPolicy:
    """A stored policy; unknown or invalid stored values fall back to the defaults."""
    try:
        stored = json.loads(text) if text else {}
    except ValueError:
        stored = {}
    policy = RoutingPolicy()
    if not isinstance(stored, dict):
        return policy
    api = {name: stored[field] for name, (field, _) in API_FIELDS.items() if field in stored}
    for name, value in api.items():
        try:
            policy = apply_api_changes(policy, {name: value})
        except ValueError:
            continue
    return policy
