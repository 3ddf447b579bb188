"""Quota windows read from each provider's usage endpoint (oauth/quota_poll*.py): every answer
shape into a snapshot, and the one request each endpoint is sent (no socket: a recording
session answers)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from omniroute.oauth.declarations import OAUTH_PROVIDERS
from omniroute.oauth.grants import AccessGrant
from omniroute.oauth.quota_poll import QuotaPollError, poll_quota, polls_quota
from omniroute.oauth.quota_poll_answers import (
    claude_usage,
    codex_usage,
    copilot_usage,
    kiro_usage,
)

NOW = 1_900_000_000.0


def iso(offset: float) -> str:
    return dt.datetime.fromtimestamp(NOW + offset, dt.UTC).isoformat()


def windows(snapshot) -> dict[str, tuple]:
    return {w.name: (w.used, w.resets_at, w.exhausted) for w in snapshot.windows}


# -- Claude ------------------------------------------------------------------------------------
def test_claude_usage_names_its_windows_as_the_answers_headers_do():
    snapshot = claude_usage(
        {
            "five_hour": {"utilization": 42.0, "resets_at": iso(3600)},
            "seven_day": {"utilization": 8, "resets_at": iso(86400)},
            "seven_day_opus": {"utilization": 100, "resets_at": iso(7200)},
            "seven_day_oauth_apps": None,
            "extra_usage": {"is_enabled": True, "utilization": 99.0},
        },
        NOW,
    )
    assert snapshot.provider == "claude-code" and snapshot.taken_at == NOW
    assert windows(snapshot) == {
        "5h": (0.42, NOW + 3600, False),
        "7d": (0.08, NOW + 86400, False),
        "7d_opus": (1.0, NOW + 7200, True),
    }
    assert not snapshot.exhausted  # a model's own window rests the model, not the account


def test_a_spent_claude_window_exhausts_the_account_until_its_reset():
    snapshot = claude_usage(
        {
            "five_hour": {"utilization": 100.0, "resets_at": iso(1800)},
            "seven_day": {"utilization": 30.0, "resets_at": None},
        },
        NOW,
    )
    assert snapshot.exhausted and snapshot.resets_at == NOW + 1800
    assert windows(snapshot)["7d"] == (0.3, None, False)


def test_a_claude_window_not_started_has_no_use_yet():
    snapshot = claude_usage({"five_hour": {"utilization": None, "resets_at": None}}, NOW)
    assert windows(snapshot) == {"5h": (None, None, False)}


# -- Codex -------------------------------------------------------------------------------------
def test_codex_usage_windows_are_named_by_their_length():
    snapshot = codex_usage(
        {
            "plan_type": "plus",
            "rate_limit": {
                "allowed": True,
                "limit_reached": False,
                "primary_window": {
                    "used_percent": 12,
                    "limit_window_seconds": 18000,
                    "reset_after_seconds": 600,
                    "reset_at": None,
                },
                "secondary_window": {
                    "used_percent": 55.5,
                    "limit_window_seconds": 604800,
                    "reset_at": int(NOW + 86400),
                },
            },
        },
        NOW,
    )
    assert windows(snapshot) == {
        "5h": (0.12, NOW + 600, False),
        "7d": (0.555, NOW + 86400, False),
    }
    assert not snapshot.exhausted


def test_codex_limit_reached_exhausts_the_account_until_the_spent_windows_reset():
    snapshot = codex_usage(
        {
            "rate_limit": {
                "limit_reached": True,
                "primary_window": {"used_percent": 100, "reset_after_seconds": 90},
                "secondary_window": {"used_percent": 40, "reset_after_seconds": 9000},
            }
        },
        NOW,
    )
    assert windows(snapshot)["primary"] == (1.0, NOW + 90, True)  # no length: its position
    assert snapshot.exhausted and snapshot.resets_at == NOW + 90


def test_codex_without_rate_limits_reports_no_window():
    snapshot = codex_usage({"plan_type": "pro", "rate_limit": None}, NOW)
    assert snapshot.windows == () and not snapshot.exhausted


# -- GitHub Copilot ----------------------------------------------------------------------------
def test_copilot_paid_plan_reports_its_limited_kinds_until_the_reset_date():
    unlimited = {"entitlement": 0, "remaining": 0, "percent_remaining": 100, "unlimited": True}
    snapshot = copilot_usage(
        {
            "copilot_plan": "individual",
            "quota_reset_date": "2030-03-01",
            "quota_snapshots": {
                "premium_interactions": {
                    "entitlement": 300,
                    "remaining": 0,
                    "percent_remaining": 0.0,
                    "unlimited": False,
                    "overage_permitted": False,
                },
                "chat": unlimited,
                "completions": unlimited,
            },
        },
        NOW,
    )
    reset = dt.datetime(2030, 3, 1, tzinfo=dt.UTC).timestamp()
    assert windows(snapshot) == {"premium_interactions": (1.0, reset, True)}
    assert not snapshot.exhausted  # spent premium requests refuse the premium models alone


def test_copilot_paid_plan_with_overage_is_not_spent_and_reads_remaining_counts():
    snapshot = copilot_usage(
        {
            "quota_reset_date_utc": "2030-03-01T00:00:00.000Z",
            "quota_snapshots": {
                "premium_interactions": {
                    "entitlement": 300,
                    "remaining": 0,
                    "unlimited": False,
                    "overage_permitted": True,
                },
                "chat": {"entitlement": 200, "remaining": 150, "unlimited": False},
            },
        },
        NOW,
    )
    found = windows(snapshot)
    assert found["premium_interactions"][0] == 1.0 and not found["premium_interactions"][2]
    assert found["chat"][0] == pytest.approx(0.25)


def test_copilot_free_plan_counts_what_remains():
    snapshot = copilot_usage(
        {
            "copilot_plan": "free",
            "monthly_quotas": {"chat": 50, "completions": 2000},
            "limited_user_quotas": {"chat": 0, "completions": 1500},
            "limited_user_reset_date": "2030-03-01",
        },
        NOW,
    )
    reset = dt.datetime(2030, 3, 1, tzinfo=dt.UTC).timestamp()
    assert windows(snapshot) == {
        "chat": (1.0, reset, True),
        "completions": (0.25, reset, False),
    }
    assert snapshot.exhausted and snapshot.resets_at == reset  # no chat left at all


# -- Kiro --------------------------------------------------------------------------------------
def test_kiro_credits_and_an_active_free_trial():
    snapshot = kiro_usage(
        {
            "usageBreakdownList": [
                {
                    "resourceType": "CREDIT",
                    "currentUsage": 12,
                    "currentUsageWithPrecision": 12.5,
                    "usageLimit": 50,
                    "usageLimitWithPrecision": 50.0,
                    "freeTrialInfo": {
                        "freeTrialStatus": "ACTIVE",
                        "currentUsageWithPrecision": 100.0,
                        "usageLimitWithPrecision": 100.0,
                        "freeTrialExpiry": NOW + 86400,
                    },
                }
            ],
            "nextDateReset": 1.9000864e9,
            "subscriptionInfo": {"subscriptionTitle": "KIRO FREE"},
        },
        NOW,
    )
    assert windows(snapshot) == {
        "monthly": (0.25, 1.9000864e9, False),
        "free_trial": (1.0, NOW + 86400, True),
    }
    assert not snapshot.exhausted  # credits remain in the month


def test_kiro_is_exhausted_when_every_credit_window_is_spent():
    snapshot = kiro_usage(
        {
            "usageBreakdownList": [
                {"resourceType": "CREDIT", "currentUsage": 50, "usageLimit": 50},
                {"resourceType": "CODE_COMPLETION", "currentUsage": 10, "usageLimit": 1000},
            ],
            "nextDateReset": NOW + 3600,
        },
        NOW,
    )
    assert windows(snapshot)["code_completion"] == (0.01, NOW + 3600, False)
    assert snapshot.exhausted and snapshot.resets_at == NOW + 3600


@pytest.mark.parametrize("reader", [claude_usage, codex_usage, copilot_usage, kiro_usage])
def test_an_answer_that_is_not_an_object_is_refused(reader):
    with pytest.raises(ValueError):
        reader(["not", "an", "object"], NOW)


@pytest.mark.parametrize("reader", [claude_usage, codex_usage, copilot_usage, kiro_usage])
def test_odd_values_are_skipped_not_raised(reader):
    odd = {
        "five_hour": {"utilization": "lots", "resets_at": "soon"},
        "rate_limit": {"primary_window": {"used_percent": True, "reset_at": "x"}},
        "quota_snapshots": {"chat": {"percent_remaining": None}},
        "usageBreakdownList": [{"currentUsage": "a", "usageLimit": 0}, "x"],
    }
    snapshot = reader(odd, NOW)
    assert all(w.used is None and w.resets_at is None for w in snapshot.windows)


# -- the requests ------------------------------------------------------------------------------
class RecordingSession:
    """Answers every request with `status` and `body`, keeping what it was sent."""

    def __init__(self, status: int = 200, body: object = None, headers: dict | None = None):
        self.status, self.body, self.headers = status, body, headers or {}
        self.sent: list[dict] = []

    def request(self, method, url, **kwargs):
        self.sent.append({"method": method, "url": url, **kwargs})
        response = requests.Response()
        response.status_code = self.status
        response._content = json.dumps(self.body).encode() if self.body is not None else b"oops"
        response.headers = CaseInsensitiveDict(self.headers)
        return response


def clock() -> float:
    return NOW


def test_claude_is_asked_with_the_bearer_token_and_the_oauth_beta_flag():
    session = RecordingSession(body={"five_hour": {"utilization": 1, "resets_at": None}})
    provider = OAUTH_PROVIDERS["claude-code"]
    snapshot = poll_quota(provider, AccessGrant("sk-ant-oat01-x"), session, clock)
    (sent,) = session.sent
    assert sent["method"] == "GET" and sent["url"] == provider.endpoints["usage"]
    assert sent["headers"]["Authorization"] == "Bearer sk-ant-oat01-x"
    assert "oauth-2025-04-20" in sent["headers"]["anthropic-beta"]
    assert "x-api-key" not in {name.lower() for name in sent["headers"]}
    assert snapshot.window("5h").used == 0.01


def test_codex_is_asked_for_the_accounts_workspace():
    session = RecordingSession(body={"rate_limit": None})
    grant = AccessGrant("eyJ.codex", {"chatgpt_account_id": "acct-1"})
    poll_quota(OAUTH_PROVIDERS["codex"], grant, session, clock)
    headers = session.sent[0]["headers"]
    assert headers["Authorization"] == "Bearer eyJ.codex"
    assert headers["chatgpt-account-id"] == "acct-1"


def test_copilot_is_asked_with_the_github_token_scheme_and_editor_headers():
    session = RecordingSession(body={"quota_snapshots": {}})
    poll_quota(OAUTH_PROVIDERS["github-copilot"], AccessGrant("ghu_user"), session, clock)
    headers = session.sent[0]["headers"]
    assert headers["Authorization"] == "token ghu_user"
    assert headers["editor-version"].startswith("vscode/")


def test_kiro_is_asked_in_the_accounts_region_with_its_operation():
    session = RecordingSession(body={"usageBreakdownList": []})
    grant = AccessGrant("aoa-x", {"region": "eu-west-1", "profileArn": "arn:aws:x"})
    poll_quota(OAUTH_PROVIDERS["kiro"], grant, session, clock)
    (sent,) = session.sent
    assert sent["method"] == "POST"
    assert sent["url"] == "https://codewhisperer.eu-west-1.amazonaws.com"
    assert sent["headers"]["x-amz-target"] == "AmazonCodeWhispererService.GetUsageLimits"
    assert sent["headers"]["Content-Type"] == "application/x-amz-json-1.0"
    assert json.loads(sent["data"]) == {
        "origin": "AI_EDITOR",
        "resourceType": "AGENTIC_REQUEST",
        "profileArn": "arn:aws:x",
    }


def test_a_region_that_is_not_one_is_never_put_in_a_url():
    session = RecordingSession(body={})
    grant = AccessGrant("aoa-x", {"region": "evil.example.com/"})
    with pytest.raises(QuotaPollError) as refused:
        poll_quota(OAUTH_PROVIDERS["kiro"], grant, session, clock)
    assert refused.value.code == "unavailable" and session.sent == []


@pytest.mark.parametrize(
    ("status", "headers", "code", "retry_after"),
    [
        (429, {"Retry-After": "42"}, "rate_limited", 42.0),
        (429, {}, "rate_limited", None),
        (401, {}, "refused", None),
        (403, {}, "refused", None),
        (500, {}, "unavailable", None),
        (302, {"Location": "https://login"}, "unavailable", None),
    ],
)
def test_refusals_are_told_apart(status, headers, code, retry_after):
    session = RecordingSession(status, {"error": "x"}, headers)
    with pytest.raises(QuotaPollError) as refused:
        poll_quota(OAUTH_PROVIDERS["claude-code"], AccessGrant("secret-token"), session, clock)
    assert (refused.value.code, refused.value.status) == (code, status)
    assert refused.value.retry_after == retry_after
    assert "secret-token" not in str(refused.value)


def test_an_answer_that_is_not_json_is_an_invalid_answer():
    session = RecordingSession(200, None)
    with pytest.raises(QuotaPollError) as refused:
        poll_quota(OAUTH_PROVIDERS["codex"], AccessGrant("t"), session, clock)
    assert refused.value.code == "invalid_answer"


def test_a_network_error_is_unavailable():
    class Unreachable:
        def request(self, *args, **kwargs):
            raise requests.ConnectionError("connection refused")

    with pytest.raises(QuotaPollError) as refused:
        poll_quota(OAUTH_PROVIDERS["codex"], AccessGrant("t"), Unreachable(), clock)
    assert refused.value.code == "unavailable" and refused.value.status == 0


@pytest.mark.parametrize("provider", ["gemini-cli", "qwen", "iflow"])
def test_providers_without_a_usage_endpoint_are_never_asked(provider):
    session = RecordingSession(body={})
    assert not polls_quota(OAUTH_PROVIDERS[provider])
    with pytest.raises(QuotaPollError) as refused:
        poll_quota(OAUTH_PROVIDERS[provider], AccessGrant("t"), session, clock)
    assert refused.value.code == "not_offered" and session.sent == []
