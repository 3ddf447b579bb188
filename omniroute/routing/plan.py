"""plan_attempts(): model string + active connections → ordered (provider, account, model) attempts.

Rules (in order):
1. `<prefix>/<model>` where prefix is a provider's alias or id → that provider's active accounts,
   by priority; the provider's model id is the rest of the string.
2. Otherwise, when the user has exactly one active connection, the whole string goes to it.
3. Otherwise the model is unknown (404 model_not_found).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import ModelNotFoundError, ServiceUnavailableError
from ..providers import PROVIDERS, ProviderSpec, provider_for_prefix
from ..store.connections import ActiveConnection


@dataclass(frozen=True)
class Attempt:
    spec: ProviderSpec
    connection: ActiveConnection
    model: str  # the model id as the provider knows it


def plan_attempts(model: str, connections: Sequence[ActiveConnection]) -> list[Attempt]:
    prefix, _, rest = model.partition("/")
    spec = provider_for_prefix(prefix) if rest else None
    if spec is not None:
        accounts = [c for c in connections if c.provider == spec.id]
        if not accounts:
            raise ServiceUnavailableError(
                f"no active connection for provider '{spec.id}': add or enable one in the "
                "dashboard (Providers)",
                code="no_active_connection",
            )
        return [Attempt(spec, account, rest) for account in accounts]
    usable = [c for c in connections if c.provider in PROVIDERS]
    if len(usable) == 1:
        return [Attempt(PROVIDERS[usable[0].provider], usable[0], model)]
    if not usable:
        raise ServiceUnavailableError(
            "no active provider connection: add one in the dashboard (Providers)",
            code="no_active_connection",
        )
    example = PROVIDERS[usable[0].provider].prefix
    raise ModelNotFoundError(
        f"model '{model}' not found: name it as '<provider>/<model>', e.g. '{example}/…'",
        param="model",
    )
