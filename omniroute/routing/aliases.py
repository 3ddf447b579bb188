"""Model aliases: a requested model name → the model to route instead. Pure, no I/O.

An alias's pattern is either exact (`gpt-4o`) or a wildcard pattern where `*` matches any run of
characters (also none) and `?` exactly one character (`claude-sonnet-*`, `gpt-4?`). Matching is
case-sensitive and covers the whole model name.

Resolution rule (deterministic, independent of the order aliases were added):

1. An exact alias (a pattern without wildcards) equal to the requested name wins.
2. Otherwise, among the wildcard patterns that match, the most specific wins:
   the most literal (non-wildcard) characters; on a tie, the fewest wildcards; on a further tie,
   the alphabetically first pattern.
3. Otherwise the name is not aliased.

Resolution is one level only: the target is never itself looked up as an alias.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

WILDCARDS = "*?"


@dataclass(frozen=True)
class Alias:
    pattern: str
    target: str


def is_wildcard(pattern: str) -> bool:
    return any(char in pattern for char in WILDCARDS)


def specificity(pattern: str) -> tuple[int, int, str]:
    """Sort key: smaller is more specific (most literals, fewest wildcards, then alphabetical)."""
    wildcards = sum(pattern.count(char) for char in WILDCARDS)
    return (-(len(pattern) - wildcards), wildcards, pattern)


@lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


def matches(pattern: str, model: str) -> bool:
    return _compile(pattern).fullmatch(model) is not None


@dataclass(frozen=True)
class AliasTable:
    exact: dict[str, str]
    patterns: tuple[Alias, ...]  # wildcard aliases, most specific first

    def resolve(self, model: str) -> str | None:
        """The target for `model`, or None when no alias applies."""
        target = self.exact.get(model)
        if target is not None:
            return target
        for alias in self.patterns:
            if matches(alias.pattern, model):
                return alias.target
        return None

    def __bool__(self) -> bool:
        return bool(self.exact or self.patterns)


def build_alias_table(aliases: Iterable[Alias]) -> AliasTable:
    exact: dict[str, str] = {}
    patterns: list[Alias] = []
    for alias in sorted(aliases, key=lambda a: (a.pattern, a.target)):  # order-independent
        if is_wildcard(alias.pattern):
            patterns.append(alias)
        else:
            exact[alias.pattern] = alias.target
    patterns.sort(key=lambda alias: specificity(alias.pattern))
    return AliasTable(exact, tuple(patterns))


def resolve_alias(model: str, aliases: Iterable[Alias]) -> str | None:
    """One-shot resolution (builds a table); the router uses a prebuilt AliasTable."""
    return build_alias_table(aliases).resolve(model)


EMPTY_ALIASES = AliasTable({}, ())
