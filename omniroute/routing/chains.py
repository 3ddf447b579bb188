"""Global fallback chains: requests for a model fall back to the chain's models. Pure, no I/O.

A chain is keyed by a model name or a wildcard pattern (`*`, `?`, as for aliases); when a
planned model matches, the chain's models are tried after that model's own accounts, in order.
The most specific key wins (the rule in routing/aliases.py), so at most one chain applies to a
model. Chains apply to every model the planner expands, combo targets included; a chain's own
models are not chained further (one level, like aliases).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .aliases import PatternTable, build_pattern_table


@dataclass(frozen=True)
class FallbackChain:
    model: str  # the model name or wildcard pattern this chain applies to
    models: tuple[str, ...]  # the fallbacks, tried in order
    name: str = ""


ChainTable = PatternTable[FallbackChain]
EMPTY_CHAINS: ChainTable = PatternTable({}, ())


def build_chain_table(chains: Iterable[FallbackChain]) -> ChainTable:
    return build_pattern_table((chain.model, chain) for chain in chains)


def fallbacks_for(model: str, chains: ChainTable) -> tuple[str, ...]:
    chain = chains.resolve(model)
    return () if chain is None else tuple(m for m in chain.models if m != model)
