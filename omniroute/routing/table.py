"""The routing table: every usable provider (catalog providers with active accounts, and the
user's provider nodes) by prefix, with its accounts in priority order, plus the model aliases,
combos, fallback chains and routing policy. Built once per change and kept in memory;
`plan_attempts` reads it on every request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..formats.registry import FORMATS, Registry
from ..providers import PROVIDERS, ProviderSpec
from ..providers.accounts import ActiveConnection, ActiveNode
from ..usage.pricing import PricingTable
from .aliases import EMPTY_ALIASES, Alias, AliasTable, build_alias_table
from .chains import EMPTY_CHAINS, ChainTable, FallbackChain, build_chain_table
from .combos import Combo
from .policy import RoutingPolicy


@dataclass(frozen=True)
class Route:
    spec: ProviderSpec
    accounts: tuple[ActiveConnection, ...]


@dataclass(frozen=True)
class RoutingTable:
    routes: dict[str, Route]  # by prefix and by provider id
    aliases: AliasTable = field(default=EMPTY_ALIASES)  # model aliases and wildcard patterns
    combos: dict[str, Combo] = field(default_factory=dict)  # by name
    chains: ChainTable = field(default=EMPTY_CHAINS)
    policy: RoutingPolicy = field(default_factory=RoutingPolicy)
    prices: PricingTable = field(default_factory=PricingTable)  # also what accounting charges
    blocked: frozenset[str] = frozenset()  # provider ids switched off in Settings → Security

    def usable_routes(self) -> list[Route]:
        unique = {id(route): route for route in self.routes.values()}
        return list(unique.values())

    def price_of(self, model: str) -> float | None:
        """Input + output USD per 1M tokens of `<prefix>/<model>` from the pricing table (the
        user's prices over the catalog's); None when unknown or not routable."""
        prefix, _, rest = model.partition("/")
        route = self.routes.get(prefix)
        price = None if route is None or not rest else self.prices.price(route.spec.id, rest)
        return None if price is None else price.input + price.output


def node_spec(node: ActiveNode, formats: Registry = FORMATS) -> ProviderSpec:
    """A provider node as a provider: its API type's wire format and that format's auth style."""
    return ProviderSpec(
        id=node.prefix,
        name=node.name,
        prefix=node.prefix,
        base_url=node.base_url,
        wire_format=node.api_type,
        auth=formats[node.api_type].auth_style,
        tier="local",
    )


def node_account(node: ActiveNode) -> ActiveConnection:
    """A node is its own single account (connection id None: it is not a stored connection)."""
    return ActiveConnection(
        id=None,
        provider=node.prefix,
        name=node.name,
        api_key=node.api_key,
        base_url=node.base_url,
        priority=0,
    )


def build_routing_table(
    connections: Iterable[ActiveConnection],
    nodes: Iterable[ActiveNode] = (),
    aliases: Iterable[Alias] = (),
    combos: Iterable[Combo] = (),
    chains: Iterable[FallbackChain] = (),
    policy: RoutingPolicy | None = None,
    prices: PricingTable | None = None,
    blocked: frozenset[str] = frozenset(),
) -> RoutingTable:
    accounts: dict[str, list[ActiveConnection]] = {}
    for connection in connections:
        spec = PROVIDERS.get(connection.provider)
        # a dead service, or one the user switched off, is never routed to
        if spec is not None and not spec.discontinued and spec.id not in blocked:
            accounts.setdefault(connection.provider, []).append(connection)
    routes: dict[str, Route] = {}
    for provider_id, provider_accounts in accounts.items():
        spec = PROVIDERS[provider_id]
        route = Route(spec, tuple(sorted(provider_accounts, key=lambda a: (a.priority, a.id))))
        routes[spec.prefix] = route
        routes.setdefault(spec.id, route)
    for node in nodes:
        routes[node.prefix] = Route(node_spec(node), (node_account(node),))
    return RoutingTable(
        routes,
        build_alias_table(aliases),
        {combo.name: combo for combo in combos},
        build_chain_table(chains),
        policy or RoutingPolicy(),
        prices or PricingTable(),
        frozenset(blocked),
    )
