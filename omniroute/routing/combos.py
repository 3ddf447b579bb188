"""Combos: a named, ordered list of target models with a strategy. Pure, no I/O.

A target is a model id (`glm/glm-4.7`) or the name of another combo. Combos nest at most
MAX_DEPTH deep (a combo that names a combo that names a combo is three levels); a combo that
reaches itself again is a cycle. Both are refused when a combo is saved (`check_combo_graph`),
so the planner can expand any stored combo without guarding against loops.

Strategies order the targets for one request (see routing/target_order.py); the first target is
tried first and the rest are its fallbacks, in that order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

COMBO_STRATEGIES = ("priority", "round-robin", "random", "weighted", "least-used", "cost-optimized")
DEFAULT_COMBO_STRATEGY = "priority"
MAX_DEPTH = 3
COMBO_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")


@dataclass(frozen=True)
class ComboTarget:
    model: str
    weight: int = 1


@dataclass(frozen=True)
class Combo:
    name: str
    targets: tuple[ComboTarget, ...]
    strategy: str = DEFAULT_COMBO_STRATEGY
    id: int | None = None
    # the combo's own system prompt (routing/ai_policy.py): None uses the global one, "" none
    system_prompt: str | None = None


class ComboGraphError(ValueError):
    """A combo graph with a cycle or nested too deep; the message names the path."""


def check_combo_graph(combos: Mapping[str, Combo]) -> None:
    """Raise ComboGraphError when any combo reaches itself or nests deeper than MAX_DEPTH."""
    for name in combos:
        _walk(name, combos, (name,))


def _walk(name: str, combos: Mapping[str, Combo], path: tuple[str, ...]) -> None:
    if len(path) > MAX_DEPTH:
        raise ComboGraphError(f"combos nest at most {MAX_DEPTH} deep: {' → '.join(path)}")
    for target in combos[name].targets:
        if target.model not in combos:
            continue
        if target.model in path:
            raise ComboGraphError(f"combo cycle: {' → '.join((*path, target.model))}")
        _walk(target.model, combos, (*path, target.model))


def leaf_models(name: str, combos: Mapping[str, Combo]) -> list[str]:
    """Every model a combo can reach, in listed order, without repeats."""
    seen: dict[str, None] = {}
    for target in combos[name].targets:
        if target.model in combos:
            seen.update(dict.fromkeys(leaf_models(target.model, combos)))
        else:
            seen[target.model] = None
    return list(seen)
