"""Routing strategies, pure: build_routing_table + plan_attempts with a seeded RoutingState and a
clock the test moves. Combo strategies (which target goes first), account strategies (which
account of a provider goes first), cooldowns, nesting, aliases and fallback chains."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from omniroute.errors import ModelNotFoundError, RateLimitedError, ServiceUnavailableError
from omniroute.providers.accounts import ActiveConnection
from omniroute.routing.aliases import Alias
from omniroute.routing.chains import FallbackChain
from omniroute.routing.combos import Combo, ComboGraphError, ComboTarget, check_combo_graph
from omniroute.routing.plan import plan_attempts
from omniroute.routing.policy import RoutingPolicy
from omniroute.routing.state import RoutingState
from omniroute.routing.table import build_routing_table
from tests.fake_clock import FakeClock

RUNS = 3000
# catalog prices (input + output USD per 1M tokens), read by the cost-optimized strategy
CHEAPEST = "ds/deepseek-chat"  # 0.28 + 0.42
CHEAP = "glm/glm-4.7"  # 0.6 + 2.2
MIDDLE = "anthropic/claude-haiku-4-5"  # 1.0 + 5.0
DEAR = "openai/gpt-4o"  # 2.5 + 10.0


def account(
    id: int, provider: str = "glm", priority: int | None = None, name: str | None = None
) -> ActiveConnection:
    return ActiveConnection(
        id=id,
        provider=provider,
        name=name or f"{provider}-{id}",
        api_key=f"sk-{provider}-{id}",
        base_url=None,
        priority=id if priority is None else priority,
    )


def combo(name: str, *models: str | tuple[str, int], strategy: str = "priority") -> Combo:
    targets = tuple(
        ComboTarget(*item) if isinstance(item, tuple) else ComboTarget(item) for item in models
    )
    return Combo(name, targets, strategy)


def new_state(seed: int = 7) -> tuple[RoutingState, FakeClock]:
    clock = FakeClock()
    return RoutingState(rng=random.Random(seed), clock=clock), clock


def table(connections, combos=(), aliases=(), chains=(), **policy):
    return build_routing_table(connections, (), aliases, combos, chains, RoutingPolicy(**policy))


def route(attempts) -> list[tuple[str, str]]:
    """(account name, model) per attempt: the plan as a readable list."""
    return [(a.connection.name, f"{a.spec.prefix}/{a.model}") for a in attempts]


def firsts(model, routing_table, state, clock, runs) -> list[str]:
    """The first attempt's `<prefix>/<model>` of `runs` plans, one second apart."""
    picked = []
    for _ in range(runs):
        first = plan_attempts(model, routing_table, state)[0]
        picked.append(f"{first.spec.prefix}/{first.model}")
        clock.advance()
    return picked


def first_accounts(model, routing_table, state, clock, runs) -> list[str]:
    picked = []
    for _ in range(runs):
        picked.append(plan_attempts(model, routing_table, state)[0].connection.name)
        clock.advance()
    return picked


ONE_EACH = [
    account(1, "glm"),
    account(2, "deepseek"),
    account(3, "anthropic"),
    account(4, "openai"),
]
FOUR = (CHEAP, CHEAPEST, MIDDLE, DEAR)


# --- combo strategies --------------------------------------------------------------------------


def test_priority_combo_tries_targets_as_listed_each_with_its_accounts():
    connections = [account(1, "glm"), account(2, "glm"), account(3, "deepseek")]
    routing = table(connections, [combo("c", CHEAP, CHEAPEST)])
    state, _ = new_state()
    for _ in range(3):
        assert route(plan_attempts("c", routing, state)) == [
            ("glm-1", CHEAP),
            ("glm-2", CHEAP),
            ("deepseek-3", CHEAPEST),
        ]


def test_round_robin_combo_starts_one_target_further_each_request():
    routing = table(ONE_EACH, [combo("c", *FOUR, strategy="round-robin")])
    state, clock = new_state()
    assert firsts("c", routing, state, clock, 9) == [*FOUR, *FOUR, FOUR[0]]
    # the rest follow in listed order, wrapping around
    assert [m for _, m in route(plan_attempts("c", routing, state))] == [*FOUR[1:], FOUR[0]]


@pytest.mark.parametrize("seed", [1, 2])
def test_random_combo_puts_each_target_first_about_equally_often(seed):
    routing = table(ONE_EACH, [combo("c", *FOUR, strategy="random")])
    state, _ = new_state(seed)
    counts: Counter = Counter()
    orders = set()
    for _ in range(RUNS):
        plan = [m for _, m in route(plan_attempts("c", routing, state))]
        assert sorted(plan) == sorted(FOUR)  # every target, each once
        counts[plan[0]] += 1
        orders.add(tuple(plan))
    for target in FOUR:
        assert abs(counts[target] / RUNS - 0.25) < 0.03, counts
    assert len(orders) == 24  # all 4! orders occur


def test_weighted_combo_goes_first_in_proportion_to_weight_and_weight_zero_last():
    targets = [(CHEAP, 5), (CHEAPEST, 3), (MIDDLE, 2), (DEAR, 0)]
    routing = table(ONE_EACH, [combo("c", *targets, strategy="weighted")])
    state, _ = new_state(11)
    counts: Counter = Counter()
    for _ in range(RUNS):
        plan = [m for _, m in route(plan_attempts("c", routing, state))]
        assert plan[-1] == DEAR  # weight 0: never first, always last
        counts[plan[0]] += 1
    assert counts[DEAR] == 0
    for model, weight in targets[:3]:
        assert abs(counts[model] / RUNS - weight / 10) < 0.03, counts


def test_weighted_second_place_is_weighted_too():
    # after the first pick the rest follow the same way: with weights 8, 1, 1 the heavy target
    # is second whenever it was not first
    targets = [(CHEAP, 8), (CHEAPEST, 1), (MIDDLE, 1)]
    routing = table(ONE_EACH, [combo("c", *targets, strategy="weighted")])
    state, _ = new_state(5)
    seconds: Counter = Counter()
    for _ in range(RUNS):
        plan = [m for _, m in route(plan_attempts("c", routing, state))]
        if plan[0] != CHEAP:
            seconds[plan[1]] += 1
    total = sum(seconds.values())
    assert total > 300 and seconds[CHEAP] / total > 0.75, seconds


def test_least_used_combo_picks_the_least_recently_routed_target():
    routing = table(ONE_EACH, [combo("c", CHEAP, CHEAPEST, MIDDLE, strategy="least-used")])
    state, clock = new_state()
    assert firsts("c", routing, state, clock, 6) == [CHEAP, CHEAPEST, MIDDLE] * 2
    # two quick requests through the same target count more than one older one
    state, clock = new_state()
    state.note_target("c", CHEAP)
    state.note_target("c", CHEAP)
    clock.advance(60)
    state.note_target("c", CHEAPEST)
    state.note_target("c", MIDDLE)
    assert firsts("c", routing, state, clock, 1) == [CHEAPEST]


def test_least_used_does_not_count_an_unroutable_target_as_used():
    # xai has no account: the first routable target is the one that served the request
    routing = table(ONE_EACH, [combo("c", "xai/grok-4", CHEAP, CHEAPEST, strategy="least-used")])
    state, clock = new_state()
    assert firsts("c", routing, state, clock, 4) == [CHEAP, CHEAPEST, CHEAP, CHEAPEST]
    assert state.target_use("c", "xai/grok-4") == 0.0


def test_cost_optimized_combo_orders_by_catalog_price_unknown_last():
    unknown = ("openai/not-in-catalog", "glm/also-unknown")
    targets = (DEAR, unknown[0], CHEAP, CHEAPEST, unknown[1], MIDDLE)
    routing = table(ONE_EACH, [combo("c", *targets, strategy="cost-optimized")])
    state, _ = new_state()
    plan = [m for _, m in route(plan_attempts("c", routing, state))]
    assert plan == [CHEAPEST, CHEAP, MIDDLE, DEAR, *unknown]
    assert routing.price_of(CHEAPEST) == pytest.approx(0.70)
    assert routing.price_of(unknown[0]) is None


def test_a_one_target_round_robin_combo_keeps_the_account_order():
    connections = [account(1, "glm"), account(2, "glm")]
    routing = table(connections, [combo("c", CHEAP, strategy="round-robin")])
    state, _ = new_state()
    assert route(plan_attempts("c", routing, state)) == [("glm-1", CHEAP), ("glm-2", CHEAP)]
    assert route(plan_attempts("c", routing, state)) == [("glm-1", CHEAP), ("glm-2", CHEAP)]


# --- account strategies ------------------------------------------------------------------------


def glm_accounts():
    # ids out of priority order: the table sorts by priority, then id
    return [account(3, priority=1, name="a"), account(1, priority=2, name="b"),
            account(2, priority=2, name="c")]  # fmt: skip


def test_fill_first_uses_priority_order_every_time():
    routing = table(glm_accounts())
    state, clock = new_state()
    assert first_accounts(CHEAP, routing, state, clock, 5) == ["a"] * 5
    assert [a.connection.name for a in plan_attempts(CHEAP, routing, state)] == ["a", "b", "c"]


@pytest.mark.parametrize(
    "limit, expected",
    [
        (None, "aaabbbcccaaa"),  # default sticky limit: 3
        (2, "aabbccaabb"),
        (1, "abcabca"),
    ],
)
def test_round_robin_serves_sticky_limit_calls_in_a_row(limit, expected):
    policy = {"routing_strategy": "round-robin"}
    if limit is not None:
        policy["sticky_round_robin_limit"] = limit
    routing = table(glm_accounts(), **policy)
    state, clock = new_state()
    assert "".join(first_accounts(CHEAP, routing, state, clock, len(expected))) == expected
    # the others follow as fallbacks, in rotation order
    names = [a.connection.name for a in plan_attempts(CHEAP, routing, state)]
    assert sorted(names) == ["a", "b", "c"]


def test_round_robin_skips_a_cooling_account_and_takes_it_back_later():
    four = [account(i, name=n) for i, n in enumerate("abcd", 1)]
    routing = table(four, routing_strategy="round-robin", sticky_round_robin_limit=1)
    state, clock = new_state()
    assert first_accounts(CHEAP, routing, state, clock, 2) == ["a", "b"]
    state.cooldowns.cool(3, "glm-4.7", 10)  # c rests: the turn passes from b to d, not to a
    assert first_accounts(CHEAP, routing, state, clock, 4) == ["d", "a", "b", "d"]
    clock.advance(10)  # c is back
    assert first_accounts(CHEAP, routing, state, clock, 4) == ["a", "b", "c", "d"]


def test_round_robin_moves_on_when_the_current_account_starts_cooling():
    routing = table(glm_accounts(), routing_strategy="round-robin")  # sticky limit 3
    state, clock = new_state()
    assert first_accounts(CHEAP, routing, state, clock, 1) == ["a"]
    state.cooldowns.cool(3, None, 5)  # a's key is refused
    assert first_accounts(CHEAP, routing, state, clock, 4) == ["b", "b", "b", "c"]


def test_round_robin_is_not_advanced_by_fallbacks_on_the_same_provider():
    # a combo (and a chain) with two models of one provider: one turn per request, not two
    four = [account(i, name=n) for i, n in enumerate("abcd", 1)]
    routing = table(
        four,
        [combo("c", CHEAP, "glm/glm-4.6")],
        chains=[FallbackChain(CHEAP, ("glm/glm-4.6",))],
        routing_strategy="round-robin",
        sticky_round_robin_limit=1,
    )
    state, clock = new_state()
    assert first_accounts("c", routing, state, clock, 8) == list("abcdabcd")
    assert first_accounts(CHEAP, routing, state, clock, 4) == list("abcd")
    plan = route(plan_attempts("c", routing, state))
    assert [name for name, _ in plan] == list("abcdabcd")  # each model: the same rotation


def test_p2c_prefers_the_account_with_fewer_recent_failures():
    routing = table(glm_accounts(), routing_strategy="p2c")
    state, clock = new_state(3)
    for _ in range(3):
        state.note_failure(3)  # a
    state.note_failure(1)  # b
    picked = Counter(first_accounts(CHEAP, routing, state, clock, 300))
    # a loses every pair it is drawn into; b wins only a pair with a
    assert picked["a"] == 0
    assert picked["c"] > picked["b"] > 40, picked
    assert abs(picked["b"] / 300 - 1 / 3) < 0.1  # b is first exactly when drawn with a


def test_p2c_breaks_a_tie_by_the_account_used_longer_ago():
    routing = table(glm_accounts()[:2], routing_strategy="p2c")
    state, clock = new_state(9)
    picked = first_accounts(CHEAP, routing, state, clock, 10)
    assert picked[1:] == [("b" if p == "a" else "a") for p in picked[:-1]]  # they alternate


def test_random_accounts_each_go_first_about_equally_often():
    routing = table(glm_accounts(), routing_strategy="random")
    state, _ = new_state(13)
    counts: Counter = Counter()
    for _ in range(RUNS):
        names = [a.connection.name for a in plan_attempts(CHEAP, routing, state)]
        assert sorted(names) == ["a", "b", "c"]
        counts[names[0]] += 1
    for name in "abc":
        assert abs(counts[name] / RUNS - 1 / 3) < 0.03, counts


def test_least_used_accounts_oldest_last_use_first():
    routing = table(glm_accounts(), routing_strategy="least-used")
    state, clock = new_state()
    state.note_used(2)  # c, long ago
    clock.advance(100)
    state.note_used(3)  # a, recently
    clock.advance(1)
    # b never used counts as oldest; each plan's first account counts as used
    assert first_accounts(CHEAP, routing, state, clock, 6) == ["b", "c", "a", "b", "c", "a"]
    assert [a.connection.name for a in plan_attempts(CHEAP, routing, state)] == ["b", "c", "a"]


def test_cost_optimized_accounts_lowest_priority_value_first():
    accounts = [account(1, priority=30, name="dear"), account(2, priority=5, name="cheap"),
                account(3, priority=10, name="middle")]  # fmt: skip
    routing = table(accounts, routing_strategy="cost-optimized")
    state, clock = new_state()
    assert first_accounts(CHEAP, routing, state, clock, 3) == ["cheap"] * 3
    names = [a.connection.name for a in plan_attempts(CHEAP, routing, state)]
    assert names == ["cheap", "middle", "dear"]


# --- which accounts can appear -----------------------------------------------------------------


def test_only_the_accounts_in_the_table_appear():
    # the table is built from the active connections only (the store filters inactive ones);
    # accounts of providers outside the catalog are left out too
    stray = ActiveConnection(9, "no-such-provider", "stray", "sk", None, 0)
    routing = table([account(1, name="a"), stray])
    assert route(plan_attempts(CHEAP, routing, new_state()[0])) == [("a", CHEAP)]
    assert "no-such-provider" not in routing.routes


@pytest.mark.parametrize(
    "strategy", ["fill-first", "round-robin", "p2c", "random", "least-used", "cost-optimized"]
)
def test_cooling_accounts_are_never_picked(strategy):
    routing = table(glm_accounts(), routing_strategy=strategy, sticky_round_robin_limit=1)
    state, clock = new_state()
    state.cooldowns.cool(3, "glm-4.7", 3600)  # a, for this model only
    for _ in range(60):
        names = [a.connection.name for a in plan_attempts(CHEAP, routing, state)]
        assert sorted(names) == ["b", "c"]
        clock.advance()
    # the cooldown is per model: a still serves another model
    names = [a.connection.name for a in plan_attempts("glm/glm-4.6", routing, state)]
    assert "a" in names


def test_every_account_cooling_is_429_with_retry_after_of_the_earliest():
    routing = table(glm_accounts(), [combo("c", CHEAP)])
    state, clock = new_state()
    state.cooldowns.cool(3, "glm-4.7", 30)
    state.cooldowns.cool(1, None, 12.2)
    state.cooldowns.cool(2, "glm-4.7", 45)
    for model in (CHEAP, "c"):  # directly and through a combo: 429, not 503
        with pytest.raises(RateLimitedError) as caught:
            plan_attempts(model, routing, state)
        assert caught.value.status == 429
        assert caught.value.headers["Retry-After"] == "13"
    clock.advance(12.5)
    assert route(plan_attempts(CHEAP, routing, state)) == [("b", CHEAP)]


def test_retry_after_is_at_least_one_second():
    routing = table([account(1)])
    state, _ = new_state()
    state.cooldowns.cool(1, "glm-4.7", 0.2)
    with pytest.raises(RateLimitedError) as caught:
        plan_attempts(CHEAP, routing, state)
    assert caught.value.headers["Retry-After"] == "1"


# --- nesting, graph checks, aliases ------------------------------------------------------------


def test_nested_combo_expands_in_place():
    combos = [
        combo("outer", CHEAPEST, "inner", DEAR),
        combo("inner", MIDDLE, CHEAP, strategy="round-robin"),
    ]
    routing = table(ONE_EACH, combos)
    state, _ = new_state()
    plans = [[m for _, m in route(plan_attempts("outer", routing, state))] for _ in range(2)]
    assert plans == [[CHEAPEST, MIDDLE, CHEAP, DEAR], [CHEAPEST, CHEAP, MIDDLE, DEAR]]


def test_three_deep_nesting_is_accepted_and_planned():
    combos = {
        "one": combo("one", "two", DEAR),
        "two": combo("two", "three"),
        "three": combo("three", CHEAP),
    }
    check_combo_graph(combos)
    routing = table(ONE_EACH, combos.values())
    assert [m for _, m in route(plan_attempts("one", routing))] == [CHEAP, DEAR]


@pytest.mark.parametrize(
    "combos, words",
    [
        ([combo("self", CHEAP, "self")], ["cycle", "self → self"]),
        ([combo("a", "b"), combo("b", CHEAP, "a")], ["cycle", "a → b → a"]),
        ([combo("a", "b"), combo("b", "c"), combo("c", "a")], ["cycle", "a → b → c → a"]),
        (
            [combo("one", "two"), combo("two", "three"), combo("three", "four")]
            + [combo("four", CHEAP)],
            ["at most 3 deep", "one → two → three → four"],
        ),
    ],
    ids=["self-reference", "two-cycle", "three-cycle", "four-deep"],
)
def test_check_combo_graph_refuses_cycles_and_deep_nesting(combos, words):
    with pytest.raises(ComboGraphError) as caught:
        check_combo_graph({c.name: c for c in combos})
    for word in words:
        assert word in str(caught.value)


def test_check_combo_graph_accepts_a_shared_sub_combo():
    # a diamond is not a cycle
    combos = [combo("top", "left", "right"), combo("left", "base"), combo("right", "base")]
    check_combo_graph({c.name: c for c in [*combos, combo("base", CHEAP)]})


def test_alias_to_a_combo_expands_the_combo():
    routing = table(
        ONE_EACH, [combo("c", CHEAP, DEAR)], aliases=[Alias("fast", "c"), Alias("best-*", "c")]
    )
    assert [m for _, m in route(plan_attempts("fast", routing))] == [CHEAP, DEAR]
    assert [m for _, m in route(plan_attempts("best-one", routing))] == [CHEAP, DEAR]


def test_combo_target_may_be_an_alias():
    routing = table(ONE_EACH, [combo("c", "fast", DEAR)], aliases=[Alias("fast", CHEAPEST)])
    assert [m for _, m in route(plan_attempts("c", routing))] == [CHEAPEST, DEAR]


def test_a_loop_through_an_alias_or_chain_is_a_refused_target_not_a_crash():
    # the save-time graph check sees only combos; an alias or a chain can lead back
    routing = table(ONE_EACH, [combo("c", "fast", CHEAP)], aliases=[Alias("fast", "c")])
    assert route(plan_attempts("c", routing)) == [("glm-1", CHEAP)]
    assert route(plan_attempts("fast", routing)) == [("glm-1", CHEAP)]
    looped = table(ONE_EACH, [combo("c", CHEAP)], chains=[FallbackChain("glm/*", ("c",))])
    assert route(plan_attempts("c", looped)) == [("glm-1", CHEAP)]
    only_loop = table(ONE_EACH, [combo("c", "fast")], aliases=[Alias("fast", "c")])
    with pytest.raises(ServiceUnavailableError) as caught:
        plan_attempts("c", only_loop)
    assert "combo cycle: c → c" in caught.value.message


# --- fallback chains ---------------------------------------------------------------------------


def test_chain_models_come_after_the_models_own_accounts():
    connections = [account(1, "glm"), account(2, "glm"), account(3, "deepseek")]
    routing = table(connections, chains=[FallbackChain(CHEAP, (CHEAPEST,))])
    assert route(plan_attempts(CHEAP, routing)) == [
        ("glm-1", CHEAP),
        ("glm-2", CHEAP),
        ("deepseek-3", CHEAPEST),
    ]
    # CHEAPEST has no chain of its own
    assert route(plan_attempts(CHEAPEST, routing)) == [("deepseek-3", CHEAPEST)]


def test_most_specific_chain_wins_and_wildcards_match():
    chains = [
        FallbackChain("*", (DEAR,)),
        FallbackChain("glm/*", (MIDDLE,)),
        FallbackChain("glm/glm-4.7", (CHEAPEST,)),
    ]
    routing = table(ONE_EACH, chains=chains)
    assert [m for _, m in route(plan_attempts(CHEAP, routing))] == [CHEAP, CHEAPEST]
    assert [m for _, m in route(plan_attempts("glm/glm-4.6", routing))] == [
        "glm/glm-4.6",
        MIDDLE,
    ]
    assert [m for _, m in route(plan_attempts(CHEAPEST, routing))] == [CHEAPEST, DEAR]
    # one level: the chain's own models are not chained further (DEAR's "*" chain is not added)
    assert [m for _, m in route(plan_attempts(DEAR, routing))] == [DEAR]


def test_chains_apply_inside_combos_without_repeating_an_account_and_model():
    routing = table(
        ONE_EACH,
        [combo("c", CHEAP, CHEAPEST, MIDDLE)],
        chains=[FallbackChain(CHEAP, (MIDDLE, DEAR)), FallbackChain(CHEAPEST, (CHEAP,))],
    )
    # MIDDLE comes once (from CHEAP's chain); CHEAPEST's chain back to CHEAP adds nothing
    assert [m for _, m in route(plan_attempts("c", routing))] == [CHEAP, MIDDLE, DEAR, CHEAPEST]


def test_chain_is_used_when_the_primary_provider_has_no_account():
    routing = table([account(1, "glm")], chains=[FallbackChain("xai/*", (CHEAP,))])
    assert route(plan_attempts("xai/grok-4", routing)) == [("glm-1", CHEAP)]
    # without a routable fallback, the primary's own error explains why
    bare = table([account(1, "glm")], chains=[FallbackChain("xai/*", ("openai/gpt-4o",))])
    with pytest.raises(ServiceUnavailableError) as caught:
        plan_attempts("xai/grok-4", bare)
    assert "xai" in caught.value.message


def test_chain_fallback_to_a_combo_expands_it():
    routing = table(
        ONE_EACH, [combo("backup", MIDDLE, DEAR)], [], [FallbackChain(CHEAP, ("backup",))]
    )
    assert [m for _, m in route(plan_attempts(CHEAP, routing))] == [CHEAP, MIDDLE, DEAR]


def test_chain_to_cooling_accounts_only_still_answers_429():
    routing = table(ONE_EACH, chains=[FallbackChain(CHEAP, (CHEAPEST,))])
    state, _ = new_state()
    state.cooldowns.cool(1, "glm-4.7", 20)
    assert route(plan_attempts(CHEAP, routing, state)) == [("deepseek-2", CHEAPEST)]
    state.cooldowns.cool(2, "deepseek-chat", 8)
    with pytest.raises(RateLimitedError) as caught:
        plan_attempts(CHEAP, routing, state)
    assert caught.value.headers["Retry-After"] == "8"


# --- unroutable combos -------------------------------------------------------------------------


def test_combo_skips_unroutable_targets():
    # two providers: a bare unknown name is not sent to either
    connections = [account(1, "glm"), account(2, "deepseek")]
    routing = table(connections, [combo("c", "xai/grok-4", "nope-model", CHEAP)])
    assert route(plan_attempts("c", routing)) == [("glm-1", CHEAP)]


def test_combo_of_only_unroutable_targets_is_503_naming_them():
    routing = table(
        [account(1, "glm"), account(2, "deepseek")],
        [combo("c", "xai/grok-4", "nope-model", "empty"), combo("empty", "openai/gpt-4o")],
    )
    with pytest.raises(ServiceUnavailableError) as caught:
        plan_attempts("c", routing)
    message = caught.value.message
    assert caught.value.status == 503
    assert "combo 'c'" in message
    for name in ("xai/grok-4", "nope-model", "empty", "openai"):
        assert name in message


def test_unknown_model_with_several_providers_is_404():
    with pytest.raises(ModelNotFoundError):
        plan_attempts("mystery", table(ONE_EACH))


def test_the_cost_strategy_sees_the_users_prices_over_the_catalogs():
    from omniroute.usage.pricing import PriceOverride, PricingTable

    connections = [ActiveConnection(1, "glm", "g", "k", None, 1)]
    plain = build_routing_table(connections)
    priced = build_routing_table(
        connections, prices=PricingTable([PriceOverride("glm", "glm-4.7", 0.01, 0.02)])
    )
    assert plain.price_of("glm/glm-4.7") != pytest.approx(0.03)
    assert priced.price_of("glm/glm-4.7") == pytest.approx(0.03)
    assert priced.price_of("nobody/model") is None
