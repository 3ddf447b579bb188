"""The routing table: every usable provider (catalog providers with active accounts, and the
user's provider nodes) by prefix, with its accounts in priority order, plus the model aliases,
combos, fallback chains and routing policy. Built once per change and kept in memory;
`plan_attempts` reads it on every request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..providers import PROVIDERS, ProviderSpec
from ..store.connections import ActiveConnection
from ..store.provider_nodes import ActiveNode
from .aliases import EMPTY_ALIASES, Alias, AliasTable, build_alias_table
from .chains import EMPTY_CHAINS, ChainTable, FallbackChain, build_chain_table
from .combos import Combo
from .policy import RoutingPolicy

NODE_AUTH = {
    "openai": "bearer",
    "responses": "bearer",
    "anthropic": "x-api-key",
    "gemini": "x-goog-api-key",
}


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

    def usable_routes(self) -> list[Route]:
        unique = {id(route): route for route in self.routes.values()}
        return list(unique.values())

    def model_spec(self, model: str):
        """The catalog entry of `<prefix>/<model>` when its provider is usable, else None."""
        prefix, _, rest = model.partition("/")
        route = self.routes.get(prefix)
        if route is None or not rest:
            return None
        return next((m for m in route.spec.models if m.id == rest), None)

    def price_of(self, model: str) -> float | None:
        """Input + output USD per 1M tokens from the pricing table; None when unknown."""
        spec = self.model_spec(model)
        if spec is None or spec.input_price is None or spec.output_price is None:
            return None
        return spec.input_price + spec.output_price

    def context_of(self, model: str) -> int | None:
        spec = self.model_spec(model)
        return None if spec is None else spec.context_length


def node_spec(node: ActiveNode) -> ProviderSpec:
    return ProviderSpec(
        id=node.prefix,
        name=node.name,
        prefix=node.prefix,
        base_url=node.base_url,
        wire_format=node.api_type,
        auth=NODE_AUTH[node.api_type],
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
) -> RoutingTable:
    accounts: dict[str, list[ActiveConnection]] = {}
    for connection in connections:
        if connection.provider in PROVIDERS:
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
    )
