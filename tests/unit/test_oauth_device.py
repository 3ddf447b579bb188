"""One device-code poll, read without sockets (a scripted session): pending, slow_down (+5 s),
expired and refused, in GitHub's, Codex's and AWS's shapes; and the region check."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import requests

from omniroute.oauth.declarations import OAUTH_PROVIDERS
from omniroute.oauth.device import DeviceFlowError, Pending, check_region, poll_once
from omniroute.oauth.grants import SignedIn

GITHUB, CODEX, KIRO = (OAUTH_PROVIDERS[p] for p in ("github-copilot", "codex", "kiro"))
GITHUB_DEVICE = {"device_code": "dc", "interval": 5.0}
CODEX_DEVICE = {"device_auth_id": "da", "user_code": "AB-CD", "interval": 5.0}
KIRO_DEVICE = {
    "clientId": "cid",
    "clientSecret": "cs",
    "region": "us-east-1",
    "deviceCode": "dc",
    "interval": 1.0,
}


def answer(status: int, body: dict, headers: dict | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers.update(headers or {})
    return response


class ScriptedSession:
    """Answers each request with the next scripted response, recording what was sent."""

    def __init__(self, *answers: requests.Response):
        self.answers = list(answers)
        self.sent: list[tuple[str, dict]] = []

    def post(self, url, json=None, data=None, headers=None, timeout=None):
        self.sent.append((url, json if json is not None else data))
        return self.answers.pop(0)

    def get(self, url, headers=None, timeout=None):
        self.sent.append((url, {}))
        return self.answers.pop(0)


@pytest.mark.parametrize(
    ("provider", "device", "refusal", "interval"),
    [
        (GITHUB, GITHUB_DEVICE, answer(200, {"error": "authorization_pending"}), 5.0),
        (GITHUB, GITHUB_DEVICE, answer(200, {"error": "slow_down", "interval": 10}), 10.0),
        (GITHUB, GITHUB_DEVICE, answer(503, {"error": "server_error"}), 5.0),
        (GITHUB, GITHUB_DEVICE, answer(429, {}, {"Retry-After": "30"}), 30.0),
        (CODEX, CODEX_DEVICE, answer(403, {"error": {"code": "deviceauth_pending"}}), 5.0),
        (CODEX, CODEX_DEVICE, answer(404, {}), 5.0),
        (KIRO, KIRO_DEVICE, answer(400, {"error": "authorization_pending"}), 1.0),
        (KIRO, KIRO_DEVICE, answer(400, {"__type": "AuthorizationPendingException"}), 1.0),
        (KIRO, KIRO_DEVICE, answer(400, {"__type": "SlowDownException"}), 6.0),
        (KIRO, KIRO_DEVICE, answer(400, {"error": "slow_down"}), 6.0),
    ],
    ids=[
        "github pending",
        "github slow_down",
        "github 503",
        "github 429 Retry-After",
        "codex 403",
        "codex 404",
        "aws pending (error)",
        "aws pending (__type)",
        "aws slow down (__type)",
        "aws slow down (error)",
    ],
)
def test_waiting_answers_are_pending_with_the_next_interval(provider, device, refusal, interval):
    assert poll_once(provider, device, session=ScriptedSession(refusal)) == Pending(interval)


@pytest.mark.parametrize(
    ("provider", "device", "refusal", "code"),
    [
        (GITHUB, GITHUB_DEVICE, answer(200, {"error": "expired_token"}), "expired_token"),
        (GITHUB, GITHUB_DEVICE, answer(200, {"error": "access_denied"}), "access_denied"),
        (
            GITHUB,
            GITHUB_DEVICE,
            answer(200, {"error": "incorrect_device_code"}),
            "incorrect_device_code",
        ),
        (
            KIRO,
            KIRO_DEVICE,
            answer(400, {"__type": "ExpiredTokenException"}),
            "ExpiredTokenException",
        ),
        (KIRO, KIRO_DEVICE, answer(400, {"error": "expired_token"}), "expired_token"),
        (
            KIRO,
            KIRO_DEVICE,
            answer(400, {"__type": "AccessDeniedException"}),
            "AccessDeniedException",
        ),
        (CODEX, CODEX_DEVICE, answer(400, {"error": {"code": "expired_token"}}), "expired_token"),
    ],
)
def test_ending_answers_are_device_flow_errors(provider, device, refusal, code):
    with pytest.raises(DeviceFlowError) as error:
        poll_once(provider, device, session=ScriptedSession(refusal))
    assert error.value.code == code


def test_the_expired_message_tells_the_user_to_start_again():
    with pytest.raises(DeviceFlowError, match="expired .* start again"):
        poll_once(
            GITHUB, GITHUB_DEVICE, session=ScriptedSession(answer(200, {"error": "expired_token"}))
        )


def test_github_success_reads_the_login_for_the_account():
    session = ScriptedSession(
        answer(200, {"access_token": "ghu_1", "token_type": "bearer"}),
        answer(200, {"login": "octocat"}),
    )
    signed_in = poll_once(GITHUB, GITHUB_DEVICE, session=session)
    assert isinstance(signed_in, SignedIn)
    assert (signed_in.access_token, signed_in.account) == ("ghu_1", "octocat")
    assert session.sent[1][0] == GITHUB.endpoints["user"]


def test_github_success_without_a_readable_login_still_signs_in():
    session = ScriptedSession(answer(200, {"access_token": "ghu_1"}), answer(401, {}))
    signed_in = poll_once(GITHUB, GITHUB_DEVICE, session=session)
    assert (signed_in.access_token, signed_in.account) == ("ghu_1", "")


def test_aws_success_keeps_the_client_registration_and_region():
    session = ScriptedSession(
        answer(200, {"accessToken": "a", "refreshToken": "r", "expiresIn": 9})
    )
    signed_in = poll_once(KIRO, KIRO_DEVICE, session=session)
    assert signed_in.extra == {"clientId": "cid", "clientSecret": "cs", "region": "us-east-1"}
    assert session.sent[0][0] == "https://oidc.us-east-1.amazonaws.com/token"


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-3", "ap-southeast-12"])
def test_aws_regions_are_accepted(region):
    assert check_region(region) == region


@pytest.mark.parametrize(
    "region", ["", "us-east", "US-EAST-1", "us-east-1.evil.com", "us-east-1/", "x@evil-1"]
)
def test_anything_else_never_reaches_a_url(region):
    with pytest.raises(ValueError, match="not an AWS region"):
        check_region(region)
    session = ScriptedSession()
    with pytest.raises(ValueError):
        poll_once(KIRO, {**KIRO_DEVICE, "region": region}, session=session)
    assert session.sent == []


def test_a_provider_without_a_device_protocol_is_refused():
    with pytest.raises(ValueError, match="no device-code protocol"):
        poll_once(replace(CODEX, device_protocol=""), CODEX_DEVICE, session=ScriptedSession())
