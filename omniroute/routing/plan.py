"""plan_attempts(): model string + routing table → ordered (provider, account, model) attempts.

Rules (in order):
0. A model alias (exact or wildcard, see routing/aliases.py) replaces the requested name with its
   target, one level only (a target is never re-aliased); the target then follows rules 1–4.
1. `<prefix>/<model>` where prefix is a usable provider's alias or id, or a provider node's
   prefix → that provider's active accounts, by priority; the provider's model id is the rest.
2. A catalog provider's prefix with no active account → 503 naming the provider.
3. Otherwise, when exactly one provider is usable, the whole string goes to its accounts (a
   bare model name for the user's only provider).
4. Otherwise the model is unknown (404 model_not_found).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ModelNotFoundError, ServiceUnavailableError
from ..providers import ProviderSpec, provider_for_prefix
from ..store.connections import ActiveConnection
from .table import RoutingTable


@dataclass(frozen=True)
class Attempt:
    spec: ProviderSpec
    connection: ActiveConnection
    model: str  # the model id as the provider knows it


def plan_attempts(model: str, table: RoutingTable) -> list[Attempt]:
    model = table.aliases.resolve(model) or model
    prefix, _, rest = model.partition("/")
    if rest:
        route = table.routes.get(prefix)
        if route is not None:
            return [Attempt(route.spec, account, rest) for account in route.accounts]
        known = provider_for_prefix(prefix)
        if known is not None:
            raise ServiceUnavailableError(
                f"no active connection for provider '{known.id}': add or enable one in the "
                "dashboard (Providers)",
                code="no_active_connection",
            )
    usable = table.usable_routes()
    if len(usable) == 1:
        return [Attempt(usable[0].spec, account, model) for account in usable[0].accounts]

    if not usable:
        raise ServiceUnavailableError(
            "no active provider connection: add one in the dashboard (Providers)",
            code="no_active_connection",
        )
    example = usable[0].spec.prefix
    raise ModelNotFoundError(
        f"model '{model}' not found: name it as '<provider>/<model>', e.g. '{example}/…'",
        param="model",
    )
