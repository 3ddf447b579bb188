"""Circuit breakers: the state machine, the profiles by tier, what counts as a failure."""

from __future__ import annotations

import pytest

from omniroute.resilience.breakers import (
    CLOSED,
    HALF_OPEN,
    OPEN,
    BreakerProfile,
    Breakers,
    counts_as_failure,
    profile_name,
)


def breakers(clock, threshold=3, window=10.0, cooldown=5.0) -> Breakers:
    profile = BreakerProfile(threshold, window, cooldown)
    return Breakers({"api-key": profile, "subscription": profile, "local": profile}, clock)


def state_of(registry: Breakers, provider: str) -> str:
    return next(item["state"] for item in registry.snapshot() if item["provider"] == provider)


@pytest.mark.parametrize(
    ("status", "counts"),
    [
        (None, True),
        (429, True),
        (500, True),
        (503, True),
        (400, False),
        (404, False),
        (401, False),
        (403, False),
        (200, False),
    ],
)
def test_which_outcomes_count_as_failures(status, counts):
    assert counts_as_failure(status) is counts


def test_profiles_follow_the_provider_tier():
    assert [profile_name(t) for t in ("subscription", "api-key", "cheap", "free", "local")] == [
        "subscription",
        "api-key",
        "api-key",
        "api-key",
        "local",
    ]
    defaults = Breakers().profiles
    assert (
        defaults["subscription"].failure_threshold,
        defaults["subscription"].cooldown_seconds,
    ) == (8, 60.0)
    assert (defaults["api-key"].failure_threshold, defaults["api-key"].cooldown_seconds) == (
        12,
        30.0,
    )
    assert (defaults["local"].failure_threshold, defaults["local"].cooldown_seconds) == (2, 15.0)


def test_opens_after_threshold_failures_within_the_window(clock):
    registry = breakers(clock)
    for _ in range(2):
        registry.record("glm", "cheap", 500)
    assert registry.allow("glm", "cheap")
    registry.record("glm", "cheap", None)
    assert state_of(registry, "glm") == OPEN
    assert not registry.allow("glm", "cheap")
    assert not registry.available("glm")
    assert registry.retry_in("glm") == pytest.approx(5.0)


def test_failures_older_than_the_window_do_not_count(clock):
    registry = breakers(clock)
    registry.record("glm", "cheap", 500)
    registry.record("glm", "cheap", 500)
    clock.now += 11
    registry.record("glm", "cheap", 500)
    assert state_of(registry, "glm") == CLOSED


def test_request_errors_never_open_the_breaker(clock):
    registry = breakers(clock)
    for _ in range(10):
        registry.record("glm", "cheap", 400)
        registry.record("glm", "cheap", 401)
    assert state_of(registry, "glm") == CLOSED


def test_half_open_lets_exactly_one_probe_through_and_closes_on_success(clock):
    registry = breakers(clock)
    for _ in range(3):
        registry.record("glm", "cheap", 502)
    clock.now += 5
    assert registry.available("glm")
    assert registry.allow("glm", "cheap")  # the probe
    assert state_of(registry, "glm") == HALF_OPEN
    assert not registry.allow("glm", "cheap")  # no second probe
    registry.record("glm", "cheap", 200)
    assert state_of(registry, "glm") == CLOSED
    assert registry.allow("glm", "cheap") and registry.allow("glm", "cheap")


def test_a_failed_probe_reopens_with_a_doubled_cooldown_up_to_the_cap(clock):
    registry = breakers(clock, cooldown=5.0)
    for _ in range(3):
        registry.record("glm", "cheap", 500)
    cooldowns = []
    for _ in range(6):
        clock.now += registry.retry_in("glm")
        assert registry.allow("glm", "cheap")
        registry.record("glm", "cheap", 500)
        cooldowns.append(registry.retry_in("glm"))
    assert cooldowns == [10.0, 20.0, 40.0, 80.0, 80.0, 80.0]  # capped at 16 × 5 s
    clock.now += 80
    assert registry.allow("glm", "cheap")
    registry.record("glm", "cheap", 200)
    for _ in range(3):
        registry.record("glm", "cheap", 500)
    assert registry.retry_in("glm") == pytest.approx(5.0)  # success reset the cooldown


def test_a_request_error_during_the_probe_closes_the_breaker(clock):
    registry = breakers(clock)
    for _ in range(3):
        registry.record("glm", "cheap", 500)
    clock.now += 5
    assert registry.allow("glm", "cheap")
    registry.record("glm", "cheap", 400)  # the provider answered: it is up
    assert state_of(registry, "glm") == CLOSED


def test_reset_one_or_all(clock):
    registry = breakers(clock)
    for provider in ("glm", "kimi"):
        for _ in range(3):
            registry.record(provider, "cheap", 500)
    registry.reset("glm")
    assert registry.allow("glm", "cheap") and not registry.allow("kimi", "cheap")
    registry.reset()
    assert registry.snapshot() == []


def test_new_profiles_apply_to_existing_breakers(clock):
    registry = breakers(clock, threshold=3)
    registry.record("glm", "cheap", 500)
    registry.set_profiles({**registry.profiles, "api-key": BreakerProfile(2, 10.0, 1.0)})
    registry.record("glm", "cheap", 500)
    assert state_of(registry, "glm") == OPEN


def test_memory_stays_bounded_by_the_threshold(clock):
    registry = breakers(clock, threshold=3, window=1e9)
    registry.record("glm", "cheap", 200)
    breaker = registry._breakers["glm"]
    for _ in range(1000):
        registry.record("glm", "cheap", 500)
        clock.now += 100  # opens, then re-opens while OPEN changes nothing
    assert len(breaker.outcomes) <= 12  # HISTORY_FACTOR × threshold


def test_a_provider_that_answers_most_calls_keeps_its_breaker_closed(clock):
    registry = breakers(clock, threshold=3, window=100.0)
    for _ in range(10):  # one call in four fails: a partial failure that fallback absorbs
        for status in (200, 200, 200, 500):
            registry.record("glm", "cheap", status)
        clock.now += 0.1
    assert state_of(registry, "glm") == CLOSED
    for _ in range(12):  # then it goes down: failures outnumber successes in the window
        registry.record("glm", "cheap", 502)
    assert state_of(registry, "glm") == OPEN


def test_an_open_breaker_past_its_cooldown_reports_half_open(clock):
    registry = breakers(clock, cooldown=2.0)
    for _ in range(3):
        registry.record("glm", "cheap", 500)
    clock.now += 2.5
    assert state_of(registry, "glm") == HALF_OPEN
