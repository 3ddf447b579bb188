"""plan_attempts(): model string + routing table → ordered (provider, account, model) attempts.

Rules (in order):
0. A combo name expands to its targets in the order its strategy picks (routing/target_order.py);
   each target follows these same rules (a nested combo expands in place). A target that cannot
   be routed (no active account, unknown model) is skipped; a combo none of whose targets can
   be routed is a 503 naming them.
1. A model alias (exact or wildcard, see routing/aliases.py) replaces the requested name with its
   target, one level only (a target is never re-aliased); a target that names a combo expands
   as rule 0, otherwise it follows rules 2–5.
2. `<prefix>/<model>` where prefix is a usable provider's alias or id, or a provider node's
   prefix → that provider's available accounts, ordered by the routing strategy
   (routing/account_order.py); the provider's model id is the rest.
3. A catalog provider's prefix with no active account → 503 naming the provider (403
   provider_blocked when the user switched it off; 410 when it is discontinued).
4. Otherwise, when exactly one provider is usable, the whole string goes to its accounts (a
   bare model name for the user's only provider).
5. Otherwise the model is unknown (404 model_not_found).
After each model's own accounts come its fallback chain's models (routing/chains.py). The same
(account, model) pair is never planned twice. Cooling accounts are left out, and so is every
account of a provider whose circuit breaker is open (or half-open with its probe out); when that
leaves nothing, the answer is 429 with Retry-After set to the earliest moment one of them is free
(503 circuit_open when only open breakers held candidates back).

One plan asks each strategy once: a provider's accounts (and a combo's targets) are ordered the
first time the plan meets them and that order is reused when they come up again (another target
or fallback on the same provider), so fallbacks never advance a round-robin. A combo reached again
while it is being expanded (through an alias or a fallback chain, which the save-time graph check
cannot see) is a refused target, not a loop. The plan's first account is noted as used (for the
least-used and p2c strategies) and the combo's first routable target as requested through it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import (
    GatewayError,
    InvalidRequestError,
    ModelNotFoundError,
    RateLimitedError,
    ServiceUnavailableError,
)
from ..providers import ProviderSpec, provider_for_prefix
from ..providers.accounts import ActiveConnection, account_key
from .account_order import order_accounts
from .blocked import provider_blocked
from .chains import fallbacks_for
from .combos import Combo, ComboTarget
from .state import RoutingState
from .table import Route, RoutingTable
from .target_order import order_targets


@dataclass(frozen=True)
class Attempt:
    spec: ProviderSpec
    connection: ActiveConnection
    model: str  # the model id as the provider knows it

    @property
    def account(self):
        return account_key(self.connection)

    @property
    def context_length(self) -> int | None:
        return next((m.context_length for m in self.spec.models if m.id == self.model), None)


def plan_attempts(
    model: str, table: RoutingTable, state: RoutingState | None = None
) -> list[Attempt]:
    return _Planner(table, state or RoutingState()).plan(model)


class _Planner:
    def __init__(self, table: RoutingTable, state: RoutingState):
        self.table = table
        self.state = state
        self.cooling: list[float] = []  # seconds left, for each account left out
        self.blocked: dict[str, float] = {}  # provider → seconds until its breaker half-opens
        self.account_orders: dict[str, list[ActiveConnection]] = {}  # by provider id
        self.target_orders: dict[str, list[ComboTarget]] = {}  # by combo name
        self.expanding: list[str] = []  # the combos being expanded, outermost first

    def plan(self, model: str) -> list[Attempt]:
        attempts = _unique(self.expand(model))
        if attempts:
            self.state.note_used(attempts[0].account)
        if not attempts and self.cooling:
            wait = max(1, math.ceil(min(self.cooling + list(self.blocked.values()))))
            failing = (
                f"; providers failing (circuit open): {', '.join(sorted(self.blocked))}"
                if self.blocked
                else ""
            )
            raise RateLimitedError(
                f"every account that can serve '{model}' is resting after provider errors "
                f"(rate limits or refused keys){failing}; retry in {wait} s",
                headers={"Retry-After": str(wait)},
            )
        if not attempts and self.blocked:
            wait = max(1, math.ceil(min(self.blocked.values())))
            raise ServiceUnavailableError(
                f"every provider that can serve '{model}' is failing (circuit open: "
                f"{', '.join(sorted(self.blocked))}); retry in {wait} s",
                code="circuit_open",
                headers={"Retry-After": str(wait)},
            )
        return attempts

    @property
    def held_back(self) -> bool:
        """Were candidates left out only for resting (cooldown or open breaker)?"""
        return bool(self.cooling or self.blocked)

    def expand(self, name: str) -> list[Attempt]:
        combo = self.table.combos.get(name)
        if combo is None:
            target = self.table.aliases.resolve(name)
            if target is not None:
                name = target
                combo = self.table.combos.get(name)
        if combo is not None:
            return self.expand_combo(combo)
        fallbacks = fallbacks_for(name, self.table.chains)
        try:
            attempts = self.model_attempts(name)
        except GatewayError:
            if not fallbacks:
                raise
            attempts = []
        for fallback in fallbacks:
            attempts += self._routable(fallback)
        if fallbacks and not attempts and not self.held_back:
            self.model_attempts(name)  # nothing routable: the model's own error explains why
        return attempts

    def expand_combo(self, combo: Combo) -> list[Attempt]:
        if combo.name in self.expanding:
            path = " → ".join((*self.expanding, combo.name))
            raise ServiceUnavailableError(f"combo cycle: {path}", code="combo_cycle")
        ordered = self.target_orders.get(combo.name)
        if ordered is None:
            ordered = order_targets(combo, self.state, self.table.price_of)
            self.target_orders[combo.name] = ordered
        attempts: list[Attempt] = []
        refused: list[str] = []
        first: str | None = None
        self.expanding.append(combo.name)
        try:
            for target in ordered:
                try:
                    found = self.expand(target.model)
                except GatewayError as error:
                    refused.append(f"{target.model}: {error.message}")
                    continue
                if found and first is None:
                    first = target.model
                attempts += found
        finally:
            self.expanding.pop()
        if ordered and not attempts and not self.held_back:
            raise ServiceUnavailableError(
                f"no target of combo '{combo.name}' can be routed ({'; '.join(refused)})",
                code="no_active_connection",
            )
        if first is not None:
            self.state.note_target(combo.name, first)
        return attempts

    def _routable(self, model: str) -> list[Attempt]:
        try:
            return self.expand(model) if model in self.table.combos else self.model_attempts(model)
        except GatewayError:
            return []

    def model_attempts(self, model: str) -> list[Attempt]:
        route, provider_model = _route_for(model, self.table)
        breakers = self.state.resilience.breakers
        if not breakers.available(route.spec.id):
            self.blocked[route.spec.id] = breakers.retry_in(route.spec.id)
            return []
        available = []
        for account in route.accounts:
            wait = self.state.cooldowns.remaining(account_key(account), provider_model)
            if wait > 0:
                self.cooling.append(wait)
            else:
                available.append(account)
        return [
            Attempt(route.spec, account, provider_model) for account in self.order(route, available)
        ]

    def order(self, route: Route, available: list[ActiveConnection]) -> list[ActiveConnection]:
        """The strategy's order of `available`, asked once per provider per plan."""
        earlier = self.account_orders.get(route.spec.id)
        if earlier is not None:
            return [a for a in earlier if a in available] + [
                a for a in available if a not in earlier
            ]
        policy = self.table.policy
        ordered = order_accounts(
            policy.routing_strategy,
            route.spec.id,
            available,
            self.state,
            policy.sticky_round_robin_limit,
            ring=[account_key(account) for account in route.accounts],
        )
        if ordered:
            self.account_orders[route.spec.id] = ordered
        return ordered


def _route_for(model: str, table: RoutingTable) -> tuple[Route, str]:
    prefix, _, rest = model.partition("/")
    if rest:
        route = table.routes.get(prefix)
        if route is not None:
            return route, rest
        known = provider_for_prefix(prefix)
        if known is not None and known.id in table.blocked:
            raise provider_blocked(known.id)
        if known is not None and known.discontinued:
            raise InvalidRequestError(
                f"provider '{known.id}' is discontinued ({known.discontinued}): nothing was "
                "sent; use another model (the combo templates offer replacements)",
                status=410,
                code="provider_discontinued",
                param="model",
            )
        if known is not None:
            raise ServiceUnavailableError(
                f"no active connection for provider '{known.id}': add or enable one in the "
                "dashboard (Providers)",
                code="no_active_connection",
            )
    usable = table.usable_routes()
    if len(usable) == 1:
        return usable[0], model
    if not usable:
        raise ServiceUnavailableError(
            "no active provider connection: add one in the dashboard (Providers)",
            code="no_active_connection",
        )
    example = usable[0].spec.prefix
    raise ModelNotFoundError(
        f"model '{model}' not found: name it as '<provider>/<model>', a combo or an alias, "
        f"e.g. '{example}/…'",
        param="model",
    )


def _unique(attempts: list[Attempt]) -> list[Attempt]:
    seen: set = set()
    unique = []
    for attempt in attempts:
        key = (attempt.account, attempt.spec.id, attempt.model)
        if key not in seen:
            seen.add(key)
            unique.append(attempt)
    return unique
