"""The three refusals of a subscription provider told apart (proxy/subscription_refusals.py):
the account's window is spent, one model is at capacity, the request is not entitled."""

from __future__ import annotations

import pytest

from omniroute.oauth.quota import QuotaSnapshot, QuotaWindow
from omniroute.proxy.subscription_refusals import classify
from omniroute.proxy.upstream_call import ACCOUNT_SCOPE, MODEL_SCOPE, REQUEST_SCOPE, Refusal

NOW = 1_900_000_000.0


def spent(resets_at: float | None) -> QuotaSnapshot:
    return QuotaSnapshot(
        "claude-code", (QuotaWindow("5h", 1.0, resets_at, True),), NOW, True, resets_at
    )


def test_a_spent_window_rests_the_account_until_its_reset():
    refusal = classify(429, {}, "rate limited", spent(NOW + 3600), NOW)
    assert refusal == Refusal(ACCOUNT_SCOPE, 3600)


def test_the_later_of_retry_after_and_the_reset_wins():
    assert classify(429, {"Retry-After": "7200"}, "", spent(NOW + 3600), NOW) == Refusal(
        ACCOUNT_SCOPE, 7200
    )
    assert classify(429, {"Retry-After": "60"}, "", spent(NOW + 3600), NOW) == Refusal(
        ACCOUNT_SCOPE, 3600
    )


def test_a_spent_account_without_any_reset_leaves_the_rest_to_the_backoff():
    assert classify(429, {}, "", spent(None), NOW) == Refusal(ACCOUNT_SCOPE, None)


@pytest.mark.parametrize(
    "message",
    [
        "You're out of extra usage. Add more at claude.ai/settings/usage.",
        "Third-party apps now draw from your extra usage, not your plan limits.",
    ],
)
def test_spent_extra_usage_rests_the_account_whatever_the_status(message):
    assert classify(400, {}, message, None, NOW) == Refusal(ACCOUNT_SCOPE, None)


def test_another_429_rests_only_the_model():
    assert classify(429, {}, "Selected model is at capacity", None, NOW) == Refusal(MODEL_SCOPE)


def test_a_spent_model_window_rests_the_model_until_that_window_resets():
    model_only = QuotaSnapshot(
        "claude-code", (QuotaWindow("7d_oi", 1.0, NOW + 500, True),), NOW, False
    )
    assert classify(429, {}, "", model_only, NOW) == Refusal(MODEL_SCOPE, 500)


@pytest.mark.parametrize("status", [400, 403, 429])
def test_a_request_that_needs_credits_is_not_entitled(status):
    message = "Usage credits are required for fast mode"
    assert classify(status, {}, message, spent(NOW + 60), NOW) == Refusal(REQUEST_SCOPE)


@pytest.mark.parametrize("status", [400, 401, 404, 500, 503])
def test_other_refusals_follow_the_ordinary_rules(status):
    assert classify(status, {}, "something went wrong", None, NOW) is None


def test_a_spent_account_answering_another_status_is_no_window_refusal():
    assert classify(500, {}, "server error", spent(NOW + 60), NOW) is None
