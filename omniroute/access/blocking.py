"""Providers switched off globally: their accounts are kept, routing skips them (routing/table.py
leaves their accounts out, routing/plan.py refuses a request naming one), and the Providers and
Combos pages show them greyed. The API's JSON is `{"providers": ["openai", ...]}`."""

from __future__ import annotations

from ..providers import PROVIDERS
from ..routing.blocked import ProviderBlockedError, provider_blocked
from .rules import RuleError

__all__ = ["ProviderBlockedError", "blocked_from_api", "provider_blocked"]


def blocked_from_api(body: object) -> frozenset[str]:
    """The provider ids a PUT body names; RuleError names the first bad or unknown one."""
    if not isinstance(body, dict) or set(body) != {"providers"}:
        raise RuleError("providers", 'the body must be {"providers": ["<provider id>", ...]}')
    providers = body["providers"]
    if not isinstance(providers, list):
        raise RuleError("providers", "must be a list of provider ids")
    for index, provider in enumerate(providers):
        if not isinstance(provider, str) or provider not in PROVIDERS:
            raise RuleError(f"providers[{index}]", f"unknown provider id '{provider}'")
    return frozenset(providers)
