"""The AI policy of Settings → AI applied to canonical requests (routing/ai_policy.py): the
global system prompt before or after the request's own (a combo's own prompt replacing it), and
the thinking policy (passthrough, a budget cap, a fixed budget, a budget per effort level, off);
stored values that are missing or invalid fall back to the defaults."""

from __future__ import annotations

import json

import pytest

from omniroute.formats.canonical import EFFORT_BUDGETS, Message, Reasoning, Request, TextPart
from omniroute.routing.ai_policy import (
    AiPolicy,
    apply_ai_policy,
    effort_within,
    policy_for_model,
    policy_from_json,
    policy_to_json,
)
from omniroute.routing.combos import Combo, ComboTarget


def request(reasoning: Reasoning | None = None, system: tuple = ()) -> Request:
    message = Message(role="user", parts=(TextPart("hi"),))
    return Request(model="m", messages=(message,), system=system, reasoning=reasoning)


def test_the_default_policy_leaves_the_request_as_it_is():
    original = request(Reasoning(budget_tokens=50_000), system=(TextPart("Mine."),))
    assert apply_ai_policy(original, AiPolicy()) is original


def test_the_global_system_prompt_comes_before_the_requests_own():
    policy = AiPolicy(system_prompt="House rules.")
    fitted = apply_ai_policy(request(system=(TextPart("Mine."),)), policy)
    assert [part.text for part in fitted.system] == ["House rules.", "Mine."]
    assert apply_ai_policy(request(), policy).system_text == "House rules."


def test_a_blank_system_prompt_adds_nothing():
    assert apply_ai_policy(request(), AiPolicy(system_prompt="   ")).system == ()


def test_cap_lowers_a_budget_above_it_and_keeps_one_within():
    policy = AiPolicy(thinking="cap", thinking_budget_cap=4096)
    assert apply_ai_policy(request(Reasoning(budget_tokens=30_000)), policy).reasoning == (
        Reasoning(budget_tokens=4096)
    )
    within = request(Reasoning(budget_tokens=2000))
    assert apply_ai_policy(within, policy).reasoning == Reasoning(budget_tokens=2000)


def test_cap_lowers_an_effort_whose_budget_is_above_it():
    policy = AiPolicy(thinking="cap", thinking_budget_cap=4096)
    assert apply_ai_policy(request(Reasoning(effort="high")), policy).reasoning.effort == "low"
    assert apply_ai_policy(request(Reasoning(effort="minimal")), policy).reasoning.effort == (
        "minimal"
    )


def test_cap_leaves_a_request_that_does_not_ask_for_reasoning():
    policy = AiPolicy(thinking="cap", thinking_budget_cap=1024)
    assert apply_ai_policy(request(), policy).reasoning is None
    off = Reasoning(enabled=False)
    assert apply_ai_policy(request(off), policy).reasoning is off


@pytest.mark.parametrize("asked", [None, Reasoning(effort="high"), Reasoning(budget_tokens=9000)])
def test_off_asks_every_request_not_to_think(asked):
    reasoning = apply_ai_policy(request(asked), AiPolicy(thinking="off")).reasoning
    assert reasoning is not None and reasoning.is_off


def test_effort_within_a_cap():
    assert effort_within(32_768) == "xhigh"
    assert effort_within(10_000) == "medium"
    assert effort_within(128) == "minimal"  # below every level: the lowest


def test_stored_policy_round_trips_and_bad_values_fall_back():
    policy = AiPolicy(thinking="cap", thinking_budget_cap=2048, system_prompt="Be kind.")
    assert policy_from_json(policy_to_json(policy)) == policy
    assert policy_from_json(None) == AiPolicy()
    assert policy_from_json("not json") == AiPolicy()
    assert policy_from_json("[1]") == AiPolicy()
    stored = {"thinking": "maybe", "thinking_budget_cap": True, "system_prompt": 3}
    assert policy_from_json(json.dumps(stored)) == AiPolicy()
    assert policy_from_json(json.dumps({"thinking_budget_cap": 5})) == AiPolicy()


def test_only_a_policy_that_changes_requests_says_so():
    assert not AiPolicy().changes_requests
    assert not AiPolicy(system_prompt="  ", thinking_budget_cap=1024).changes_requests
    assert AiPolicy(system_prompt="Be brief.").changes_requests
    assert AiPolicy(thinking="cap").changes_requests
    assert AiPolicy(thinking="off").changes_requests


def test_the_prompt_can_go_after_the_requests_own():
    policy = AiPolicy(system_prompt="House rules.", system_prompt_position="after")
    fitted = apply_ai_policy(request(system=(TextPart("Mine."),)), policy)
    assert [part.text for part in fitted.system] == ["Mine.", "House rules."]


def test_a_combos_own_prompt_replaces_the_global_one():
    policy = AiPolicy(system_prompt="Global.", system_prompt_position="after")
    combos = {
        "own": Combo("own", (ComboTarget("a/m"),), system_prompt="Team rules."),
        "none": Combo("none", (ComboTarget("a/m"),), system_prompt=""),
        "global": Combo("global", (ComboTarget("a/m"),)),
    }
    own = policy_for_model(policy, combos, "own")
    assert (own.system_prompt, own.system_prompt_position) == ("Team rules.", "after")
    assert policy_for_model(policy, combos, "global") is policy
    assert policy_for_model(policy, combos, "a/m") is policy
    silent = policy_for_model(policy, combos, "none")
    assert apply_ai_policy(request(system=(TextPart("Mine."),)), silent).system_text == "Mine."
    assert not policy_for_model(AiPolicy(), combos, "none").changes_requests
    assert policy_for_model(AiPolicy(), combos, "own").changes_requests


@pytest.mark.parametrize(
    "asked",
    [None, Reasoning(effort="high"), Reasoning(budget_tokens=100), Reasoning(enabled=False)],
)
def test_fixed_gives_every_request_the_same_budget(asked):
    fitted = apply_ai_policy(request(asked), AiPolicy(thinking="fixed", thinking_budget_fixed=3000))
    assert fitted.reasoning == Reasoning(budget_tokens=3000)


def test_fixed_keeps_a_responses_summary_request():
    asked = Reasoning(effort="low", summary="auto")
    fitted = apply_ai_policy(request(asked), AiPolicy(thinking="fixed", thinking_budget_fixed=3000))
    assert fitted.reasoning == Reasoning(budget_tokens=3000, summary="auto")


def test_effort_map_gives_each_level_its_budget_and_keeps_the_level():
    budgets = {**EFFORT_BUDGETS, "low": 512, "high": 40_000}
    policy = AiPolicy(thinking="effort_map", effort_budgets=budgets)
    assert apply_ai_policy(request(Reasoning(effort="low")), policy).reasoning == Reasoning(
        effort="low", budget_tokens=512
    )
    high = apply_ai_policy(request(Reasoning(effort="high", budget_tokens=9)), policy)
    assert high.reasoning == Reasoning(effort="high", budget_tokens=40_000)
    for untouched in (None, Reasoning(budget_tokens=777), Reasoning(enabled=False)):
        original = request(untouched)
        assert apply_ai_policy(original, policy) is original


def test_stored_effort_budgets_must_be_complete_and_in_range():
    budgets = {**EFFORT_BUDGETS, "medium": 5000}
    policy = AiPolicy(thinking="effort_map", effort_budgets=budgets, thinking_budget_fixed=640)
    assert policy_from_json(policy_to_json(policy)) == policy
    for bad in ({"low": 512}, {**EFFORT_BUDGETS, "low": 5}, {**EFFORT_BUDGETS, "low": "5"}):
        stored = json.dumps({"thinking": "effort_map", "effort_budgets": bad})
        assert policy_from_json(stored).effort_budgets == EFFORT_BUDGETS
    assert policy_from_json(json.dumps({"system_prompt_position": "middle"})) == AiPolicy()
