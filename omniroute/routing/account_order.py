"""Account selection within one provider: which of its available accounts goes first.

The global routing strategy (Settings → Routing, `routingStrategy`) decides; the chosen account
is tried first and the others follow as its fallbacks. Accounts arrive in priority order (lowest
priority value first, then oldest) and cooling accounts have already been left out.

- fill-first (default): priority order; the first account takes everything until unavailable.
- round-robin: take turns, each account serving `stickyRoundRobinLimit` calls in a row; the
  turn of a cooling account passes to the next one after it.
- p2c: power of two choices — two random accounts, the one with fewer recent failures first
  (on a tie, the one used longer ago).
- random: a Fisher–Yates shuffle per request.
- least-used: the account whose last use is oldest first (never used counts as oldest).
- cost-optimized: the lowest priority value first. Accounts of one provider share its price
  table, so the user's priority is the cost signal (cheaper plans get a lower value).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from ..providers.accounts import ActiveConnection, account_key
from .state import RoutingState

ACCOUNT_STRATEGIES = ("fill-first", "round-robin", "p2c", "random", "least-used", "cost-optimized")
DEFAULT_ACCOUNT_STRATEGY = "fill-first"
DEFAULT_STICKY_LIMIT = 3


def order_accounts(
    strategy: str,
    provider: Hashable,
    accounts: Sequence[ActiveConnection],
    state: RoutingState,
    sticky_limit: int = DEFAULT_STICKY_LIMIT,
    ring: Sequence[Hashable] | None = None,
) -> list[ActiveConnection]:
    """`ring`: every account's key in priority order, cooling ones included (default: the
    given accounts), so round-robin moves on from a cooling account to the one after it."""
    accounts = list(accounts)
    if len(accounts) < 2:
        return accounts
    if strategy == "round-robin":
        keys = [account_key(account) for account in accounts]
        limit = max(1, sticky_limit)
        start = state.sticky_choice(("accounts", provider), keys, limit, ring)
        return accounts[start:] + accounts[:start]
    if strategy == "random":
        return state.random_sample(accounts)
    if strategy == "p2c":
        return _power_of_two(accounts, state)
    if strategy == "least-used":
        return sorted(accounts, key=lambda a: state.last_used(account_key(a)))
    if strategy == "cost-optimized":
        return sorted(accounts, key=lambda a: a.priority)
    return accounts


def _power_of_two(accounts: list[ActiveConnection], state: RoutingState) -> list[ActiveConnection]:
    first, second = state.random_sample(list(range(len(accounts))))[:2]
    pair = sorted(
        (first, second),
        key=lambda i: (
            state.recent_failures(account_key(accounts[i])),
            state.last_used(account_key(accounts[i])),
        ),
    )
    rest = [account for i, account in enumerate(accounts) if i not in pair]
    return [accounts[pair[0]], accounts[pair[1]], *rest]
