"""Model aliases, pure: the resolution rules (exact names, wildcards, which pattern wins) and
routing through an alias. The /api/models/alias API: tests/integration/test_aliases.py."""

from __future__ import annotations

import itertools

import pytest

from omniroute.errors import ModelNotFoundError
from omniroute.providers.accounts import ActiveConnection
from omniroute.routing.aliases import Alias, build_alias_table, resolve_alias
from omniroute.routing.plan import plan_attempts
from omniroute.routing.table import build_routing_table

# --- pure resolution -------------------------------------------------------------------------


def test_exact_alias_beats_any_wildcard():
    aliases = [Alias("gpt-4o*", "a/wild"), Alias("gpt-4o", "b/exact"), Alias("*", "c/any")]
    assert resolve_alias("gpt-4o", aliases) == "b/exact"
    assert resolve_alias("gpt-4o-mini", aliases) == "a/wild"
    assert resolve_alias("other", aliases) == "c/any"


def test_no_match_resolves_to_none():
    assert resolve_alias("llama3", [Alias("gpt-*", "x/y"), Alias("gpt", "x/z")]) is None
    assert resolve_alias("anything", []) is None


def test_most_literal_characters_win():
    aliases = [
        Alias("claude-*", "x/generic"),
        Alias("claude-sonnet-*", "cc/claude-sonnet-4-5-20250929"),
        Alias("*-4-5", "x/suffix"),
    ]
    assert resolve_alias("claude-sonnet-4-5", aliases) == "cc/claude-sonnet-4-5-20250929"
    assert resolve_alias("claude-opus-4-5", aliases) == "x/generic"  # 7 literals beat 4
    assert resolve_alias("gemini-4-5", aliases) == "x/suffix"


def test_ties_go_to_fewer_wildcards_then_alphabetical_pattern():
    # both have 5 literal characters ("gpt-4"); the one with fewer wildcards wins
    aliases = [Alias("g*pt-4*", "x/two-wildcards"), Alias("gpt-4*", "x/one-wildcard")]
    assert resolve_alias("gpt-4-x", aliases) == "x/one-wildcard"
    # same literals, same wildcard count: the alphabetically first pattern wins
    aliases = [Alias("a?", "x/a-question"), Alias("a*", "x/a-star"), Alias("*b", "x/star-b")]
    assert resolve_alias("ab", aliases) == "x/star-b"  # "*b" < "a*" < "a?"
    assert resolve_alias("ab", aliases[:2]) == "x/a-star"


def test_question_mark_matches_exactly_one_character():
    aliases = [Alias("gpt-4?", "x/one-char")]
    assert resolve_alias("gpt-4o", aliases) == "x/one-char"
    assert resolve_alias("gpt-4", aliases) is None
    assert resolve_alias("gpt-4oo", aliases) is None
    # '?' counts as a wildcard, not a literal: "gpt-4?" (5 literals) loses to "gpt-4o*" (6)
    assert resolve_alias("gpt-4o", aliases + [Alias("gpt-4o*", "x/star")]) == "x/star"


def test_patterns_match_the_whole_name_and_literally():
    aliases = [Alias("gpt.4", "x/dot")]
    assert resolve_alias("gpt.4", aliases) == "x/dot"
    assert resolve_alias("gptx4", aliases) is None  # '.' is not a regex wildcard
    assert resolve_alias("my-gpt-4o", [Alias("gpt-*", "x/y")]) is None


def test_resolution_does_not_depend_on_insertion_order():
    aliases = [
        Alias("claude-*", "x/1"),
        Alias("claude-sonnet-*", "x/2"),
        Alias("claude-?onnet-4*", "x/3"),
        Alias("*sonnet*", "x/4"),
        Alias("claude-sonnet-4", "x/5"),
        Alias("*", "x/6"),
    ]
    names = ["claude-sonnet-4", "claude-sonnet-4-5", "claude-opus", "my-sonnet", "zzz"]
    expected = {
        "claude-sonnet-4": "x/5",  # exact
        "claude-sonnet-4-5": "x/2",  # 14 literals each with x/3, but one wildcard instead of two
        "claude-opus": "x/1",
        "my-sonnet": "x/4",
        "zzz": "x/6",
    }
    assert {name: resolve_alias(name, aliases) for name in names} == expected
    for order in itertools.permutations(aliases):
        table = build_alias_table(order)
        assert {name: table.resolve(name) for name in names} == expected


# --- pure routing ------------------------------------------------------------------------------


def _table(*aliases: Alias):
    account = ActiveConnection(1, "openai", "openai", "sk-x", None, 1)
    other = ActiveConnection(2, "anthropic", "anthropic", "sk-y", None, 1)
    return build_routing_table([account, other], (), aliases)


def test_plan_routes_the_alias_target_one_level_only():
    table = _table(Alias("fast", "openai/gpt-4o-mini"), Alias("openai/gpt-4o-mini", "nope/x"))
    [attempt] = plan_attempts("fast", table)
    assert attempt.spec.id == "openai" and attempt.model == "gpt-4o-mini"
    # the target itself is not re-aliased, but requesting it directly does use its own alias
    chained = _table(Alias("a", "b"), Alias("b", "openai/gpt-4o"))
    with pytest.raises(ModelNotFoundError):
        plan_attempts("a", chained)  # "b" is a bare, unknown model with two providers
    assert plan_attempts("b", chained)[0].model == "gpt-4o"


def test_plan_without_aliases_is_unchanged():
    table = _table()
    assert plan_attempts("openai/gpt-4o", table)[0].model == "gpt-4o"
    with pytest.raises(ModelNotFoundError):
        plan_attempts("fast", table)
