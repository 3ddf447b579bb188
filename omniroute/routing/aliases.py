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
from typing import Generic, TypeVar

WILDCARDS = "*?"
V = TypeVar("V")


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
class PatternTable(Generic[V]):
    """Values keyed by exact names and wildcard patterns, looked up by the rule above."""

    exact: dict[str, V]
    patterns: tuple[tuple[str, V], ...]  # wildcard patterns, most specific first

    def resolve(self, model: str) -> V | None:
        """The value for `model`, or None when no key applies."""
        value = self.exact.get(model)
        if value is not None:
            return value
        for pattern, value in self.patterns:
            if matches(pattern, model):
                return value
        return None

    def __bool__(self) -> bool:
        return bool(self.exact or self.patterns)


AliasTable = PatternTable[str]


def build_pattern_table(entries: Iterable[tuple[str, V]]) -> PatternTable[V]:
    exact: dict[str, V] = {}
    patterns: list[tuple[str, V]] = []
    for pattern, value in entries:
        if is_wildcard(pattern):
            patterns.append((pattern, value))
        else:
            exact[pattern] = value
    patterns.sort(key=lambda entry: specificity(entry[0]))  # patterns are unique keys
    return PatternTable(exact, tuple(patterns))


def build_alias_table(aliases: Iterable[Alias]) -> AliasTable:
    return build_pattern_table((alias.pattern, alias.target) for alias in aliases)


def resolve_alias(model: str, aliases: Iterable[Alias]) -> str | None:
    """One-shot resolution (builds a table); the router uses a prebuilt AliasTable."""
    return build_alias_table(aliases).resolve(model)


EMPTY_ALIASES: AliasTable = PatternTable({}, ())
