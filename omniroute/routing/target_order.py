"""Combo strategies: the order in which one request tries a combo's targets.

- priority (default): as listed; later targets only on failure.
- round-robin: each request starts one target further along the list (wrapping around).
- random: a fresh shuffle per request.
- weighted: a weighted shuffle (each target's chance to go first is its share of the total
  weight; the rest follow in the same weighted way). Weight 0 goes last.
- least-used: the target with the fewest recent requests through this combo first (a count
  that halves every five minutes); ties keep the listed order.
- cost-optimized: the cheapest target by the pricing table first (input + output price per 1M
  tokens); targets without a known price go last, in listed order.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .combos import Combo, ComboTarget
from .state import RoutingState

PriceOf = Callable[[str], float | None]


def order_targets(combo: Combo, state: RoutingState, price_of: PriceOf) -> list[ComboTarget]:
    targets = list(combo.targets)
    if len(targets) < 2:
        return targets
    strategy = combo.strategy
    if strategy == "round-robin":
        start = state.next_rotation(("combo", combo.name)) % len(targets)
        return targets[start:] + targets[:start]
    if strategy == "random":
        return state.random_sample(targets)
    if strategy == "weighted":
        return _weighted_shuffle(targets, state)
    if strategy == "least-used":
        return sorted(targets, key=lambda t: state.target_use(combo.name, t.model))
    if strategy == "cost-optimized":
        return sorted(targets, key=lambda t: _price_key(price_of(t.model)))
    return targets


def _weighted_shuffle(targets: list[ComboTarget], state: RoutingState) -> list[ComboTarget]:
    """Efraimidis–Spirakis: sort by u^(1/w), largest first, u uniform in (0, 1]."""

    def key(target: ComboTarget) -> float:
        if target.weight <= 0:
            return -1.0
        u = 1.0 - state.random_value()
        return math.pow(u, 1.0 / target.weight)

    return sorted(targets, key=key, reverse=True)


def _price_key(price: float | None) -> float:
    return math.inf if price is None else price
