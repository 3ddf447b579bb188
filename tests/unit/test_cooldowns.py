"""Cooldowns, the accounts resting after a provider said so, on a clock the tests move by hand."""

from __future__ import annotations

import threading

import pytest

from omniroute.resilience.cooldowns import ANY_MODEL, Cooldowns


@pytest.fixture
def cooldowns(clock) -> Cooldowns:
    return Cooldowns(clock)


def test_nothing_cools_at_first(cooldowns):
    assert cooldowns.remaining(1, "gpt-4o") == 0.0
    assert cooldowns.active() == []


def test_a_model_cooldown_rests_only_that_model_on_that_account(cooldowns, clock):
    cooldowns.cool(1, "gpt-4o", 30, "429 slow down")
    assert cooldowns.remaining(1, "gpt-4o") == 30.0
    assert cooldowns.remaining(1, "gpt-4o-mini") == 0.0  # another model on the same account
    assert cooldowns.remaining(2, "gpt-4o") == 0.0  # the same model on another account
    clock.advance(12)
    assert cooldowns.remaining(1, "gpt-4o") == 18.0


def test_an_account_wide_cooldown_rests_every_model(cooldowns):
    cooldowns.cool(1, ANY_MODEL, 60, "401 invalid key")
    assert cooldowns.remaining(1, "gpt-4o") == 60.0
    assert cooldowns.remaining(1, "anything-else") == 60.0
    assert cooldowns.remaining(1, None) == 60.0
    assert cooldowns.remaining(2, "gpt-4o") == 0.0


def test_account_wide_and_model_cooldowns_combine_to_the_longer(cooldowns, clock):
    cooldowns.cool(1, "gpt-4o", 100)
    cooldowns.cool(1, ANY_MODEL, 20)
    assert cooldowns.remaining(1, "gpt-4o") == 100.0
    assert cooldowns.remaining(1, "gpt-4o-mini") == 20.0
    clock.advance(30)  # the account-wide rest is over, the model's is not
    assert cooldowns.remaining(1, "gpt-4o") == 70.0
    assert cooldowns.remaining(1, "gpt-4o-mini") == 0.0


def test_overlapping_cooldowns_keep_the_later_end_and_its_reason(cooldowns, clock):
    cooldowns.cool(1, "m", 50, "long")
    clock.advance(10)
    cooldowns.cool(1, "m", 5, "short")  # ends before the running one: ignored
    assert cooldowns.remaining(1, "m") == 40.0
    assert cooldowns.active() == [(1, "m", 40.0, "long")]
    cooldowns.cool(1, "m", 90, "longer")  # ends after it: replaces it
    assert cooldowns.remaining(1, "m") == 90.0
    assert cooldowns.active() == [(1, "m", 90.0, "longer")]


def test_a_cooldown_expires_exactly_at_its_end(cooldowns, clock):
    cooldowns.cool(1, "m", 10)
    clock.advance(9.5)
    assert cooldowns.remaining(1, "m") == 0.5
    clock.advance(0.5)
    assert cooldowns.remaining(1, "m") == 0.0
    assert cooldowns.active() == []
    clock.advance(100)
    cooldowns.cool(1, "m", 3)  # a new rest after an expired one counts from now
    assert cooldowns.remaining(1, "m") == 3.0


def test_zero_or_negative_seconds_never_rest_the_account(cooldowns):
    cooldowns.cool(1, "m", 0)
    cooldowns.cool(2, None, -5)
    assert cooldowns.remaining(1, "m") == 0.0
    assert cooldowns.remaining(2, "m") == 0.0
    assert cooldowns.active() == []


def test_forget_clears_every_cooldown_of_one_account_only(cooldowns):
    cooldowns.cool(1, "a", 30)
    cooldowns.cool(1, "b", 30)
    cooldowns.cool(1, ANY_MODEL, 30)
    cooldowns.cool(2, "a", 30)
    cooldowns.forget(1)
    assert cooldowns.remaining(1, "a") == cooldowns.remaining(1, "b") == 0.0
    assert cooldowns.remaining(2, "a") == 30.0
    cooldowns.forget(99)  # an account that never cooled: nothing happens
    assert [entry[0] for entry in cooldowns.active()] == [2]


def test_active_lists_running_cooldowns_with_time_left_and_reason(cooldowns, clock):
    cooldowns.cool(7, "gpt-4o", 30, "rate limited")
    cooldowns.cool("node:mynode", ANY_MODEL, 60, "key refused")
    cooldowns.cool(8, "m", 5, "soon over")
    clock.advance(10)
    assert sorted(cooldowns.active(), key=lambda entry: str(entry[0])) == [
        (7, "gpt-4o", 20.0, "rate limited"),
        ("node:mynode", None, 50.0, "key refused"),
    ]


def test_long_reasons_are_cut(cooldowns):
    cooldowns.cool(1, "m", 10, "x" * 1000)
    assert len(cooldowns.active()[0][3]) == 300


def test_concurrent_cooling_keeps_the_latest_end(clock):
    cooldowns = Cooldowns(clock)
    threads = [
        threading.Thread(target=cooldowns.cool, args=(1, "m", seconds)) for seconds in range(200)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cooldowns.remaining(1, "m") == 199.0
