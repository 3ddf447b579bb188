"""Quota windows read from the providers' usage endpoints through a real gateway whose sign-in
and usage URLs all point at the fake OAuth server: once after every sign-in, on demand through
POST /api/providers/<id>/quota and the card's "Update quota" button; a 429 rests polling of the
account for its Retry-After (nothing more is sent meanwhile), and an account that must sign in
again is a 409."""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.admin_api import AdminApi
from tests.dashboard_user import browser_session, csrf_from
from tests.fakes.oauth_server import OAuthFake
from tests.fakes.oauth_usage import default_usage
from tests.integration.test_oauth_api import assert_no_token_in, hosted_code
from tests.integration.test_oauth_flows_import import (
    claude_file,
    codex_file,
    copilot_file,
    gemini_file,
)


@pytest.fixture(autouse=True)
def usual_usage(fake):
    """Every test starts from the fake's usual usage answers and no scripted failures."""
    fake.usage = default_usage()
    fake.faults.clear()


@pytest.fixture
def admin(signing_gateway) -> AdminApi:
    return AdminApi(signing_gateway)


def wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def kiro_file(fake: OAuthFake) -> dict:
    tokens = fake.issue_tokens("kiro")
    return {
        "accessToken": tokens["accessToken"],
        "refreshToken": tokens["refreshToken"],
        "expiresAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600)),
        "region": "eu-west-1",
        "profileArn": "arn:aws:codewhisperer:eu-west-1:0:profile/FAKE",
    }


FILES = {
    "claude-code": claude_file,
    "codex": codex_file,
    "github-copilot": copilot_file,
    "kiro": kiro_file,
}


def import_account(admin: AdminApi, fake: OAuthFake, provider: str) -> int:
    content = json.dumps(FILES[provider](fake))
    created = admin.json("POST", f"/api/oauth/{provider}/import", 201, json={"content": content})
    return created["connectionId"]


def polled_after_sign_in(gateway, connection_id: int) -> None:
    """Wait for the poll each sign-in starts in the background to have read a snapshot."""
    quotas = gateway.services.subscriptions.quotas
    assert wait_for(lambda: quotas.latest(connection_id) is not None), "no poll after sign-in"


def paste_sign_in(admin: AdminApi) -> int:
    started = admin.json("GET", "/api/oauth/claude-code/start")
    done = admin.json(
        "POST",
        "/api/oauth/claude-code/callback",
        json={"value": hosted_code(started["authorizeUrl"])},
    )
    return done["connectionId"]


def quota_of(connection: dict) -> dict[str, float]:
    return {w["name"]: w["used"] for w in connection["signedIn"]["quota"]["windows"]}


def stored_quota(admin: AdminApi, connection_id: int):
    return admin.json("GET", f"/api/providers/{connection_id}")["signedIn"]["quotaUpdatedAt"]


def test_a_sign_in_reads_the_quota_once_in_the_background_and_saves_it(
    signing_gateway, admin, fake
):
    before = fake.count("claude-code.usage")
    connection_id = paste_sign_in(admin)
    polled_after_sign_in(signing_gateway, connection_id)
    assert fake.count("claude-code.usage") == before + 1
    connection = admin.json("GET", f"/api/providers/{connection_id}")
    assert quota_of(connection) == pytest.approx({"5h": 0.3, "7d": 0.6, "7d_opus": 0.05})
    assert wait_for(lambda: stored_quota(admin, connection_id) is not None)  # in the store too


@pytest.mark.parametrize(
    ("provider", "changes", "expected"),
    [
        ("claude-code", {"five_hour": 80.0}, {"5h": 0.8, "7d": 0.6, "7d_opus": 0.05}),
        ("codex", {"primary_window": 45.0}, {"5h": 0.45, "7d": 0.6}),
        ("github-copilot", {"premium_interactions": 75.0}, {"premium_interactions": 0.75}),
        ("kiro", {"monthly": 50.0}, {"monthly": 0.5}),
    ],
)
def test_the_api_polls_the_providers_usage_endpoint_now(
    signing_gateway, admin, fake, provider, changes, expected
):
    connection_id = import_account(admin, fake, provider)
    polled_after_sign_in(signing_gateway, connection_id)
    asked = fake.count(f"{provider}.usage")
    fake.usage[provider].update(changes)

    answer = admin.call("POST", f"/api/providers/{connection_id}/quota")
    connection = answer.json()
    assert connection["id"] == connection_id and connection["signedIn"]["signInState"] == "ok"
    assert quota_of(connection) == pytest.approx(expected)
    assert fake.count(f"{provider}.usage") == asked + 1
    assert_no_token_in(fake, answer.text)


def test_copilots_free_plan_shows_what_remains_of_the_month(
    signing_gateway, admin, fake, monkeypatch
):
    monkeypatch.setattr(fake, "copilot_plan", "free")
    connection_id = import_account(admin, fake, "github-copilot")
    polled_after_sign_in(signing_gateway, connection_id)
    connection = admin.json("POST", f"/api/providers/{connection_id}/quota")
    assert quota_of(connection) == pytest.approx({"chat": 0.1, "completions": 0.02})


def card_of(page: str, connection_id: int) -> str:
    start = page.index(f'<li data-account="{connection_id}">')
    return page[start : page.index("</li>", start)]


def test_the_card_shows_the_bars_and_its_button_updates_them(signing_gateway, admin, fake):
    connection_id = paste_sign_in(admin)
    polled_after_sign_in(signing_gateway, connection_id)
    session = browser_session(signing_gateway)
    page = session.get(signing_gateway.url + "/providers").text
    account = card_of(page, connection_id)
    assert 'data-window="5h"' in account and 'aria-valuenow="30"' in account
    assert "Weekly window (opus)" in account and "data-update-quota" in account
    action = re.search(r'action="([^"]+/quota)"', account).group(1)

    fake.usage["claude-code"]["five_hour"] = 55.0
    fragment = session.post(
        signing_gateway.url + action,
        data={"csrf_token": csrf_from(page)},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200 and 'id="subscription-cards"' in fragment.text
    assert "<html" not in fragment.text
    assert 'aria-valuenow="55"' in card_of(fragment.text, connection_id)

    fake.usage["claude-code"]["five_hour"] = 70.0
    full = session.post(signing_gateway.url + action, data={"csrf_token": csrf_from(page)})
    assert full.status_code == 200 and "<html" in full.text  # works without JavaScript
    assert 'aria-valuenow="70"' in card_of(full.text, connection_id)
    home = session.get(signing_gateway.url + "/").text
    assert 'aria-valuenow="70"' in home[home.index('id="home-subscriptions"') :]


def test_a_429_rests_polling_for_its_retry_after_and_sends_nothing_meanwhile(
    signing_gateway, admin, fake
):
    connection_id = paste_sign_in(admin)
    polled_after_sign_in(signing_gateway, connection_id)
    fake.fail_usage("claude-code", 429, retry_after=120)
    asked = fake.count("claude-code.usage")

    limited = admin.call("POST", f"/api/providers/{connection_id}/quota", 503)
    assert limited.json()["error"]["code"] == "usage_rate_limited"
    assert limited.headers["Retry-After"] == "120"
    again = admin.call("POST", f"/api/providers/{connection_id}/quota", 503)
    assert 1 <= int(again.headers["Retry-After"]) <= 120

    session = browser_session(signing_gateway)
    page = session.get(signing_gateway.url + "/providers").text
    clicked = session.post(
        f"{signing_gateway.url}/providers/subscriptions/accounts/{connection_id}/quota",
        data={"csrf_token": csrf_from(page)},
        headers={"HX-Request": "true"},
    )
    account = card_of(clicked.text, connection_id)
    assert "data-quota-error" in account and "try again in" in account
    assert 'aria-valuenow="30"' in account  # the bars read before stay
    assert fake.count("claude-code.usage") == asked + 1  # one call, then none while resting


def test_an_account_that_must_sign_in_again_is_a_409(signing_gateway, admin, fake, monkeypatch):
    monkeypatch.setattr(fake, "access_lifetime", 60.0)  # inside the lead: every use renews it
    connection_id = paste_sign_in(admin)
    polled_after_sign_in(signing_gateway, connection_id)
    asked = fake.count("claude-code.usage")
    for token in list(fake.state.refresh):
        fake.revoke(token)

    refused = admin.json("POST", f"/api/providers/{connection_id}/quota", 409)
    assert refused["error"]["code"] == "sign_in_again"
    assert fake.count("claude-code.usage") == asked
    connection = admin.json("GET", f"/api/providers/{connection_id}")
    assert connection["signedIn"]["signInState"] == "sign_in_again"
    page = browser_session(signing_gateway).get(signing_gateway.url + "/providers").text
    assert "data-update-quota" not in card_of(page, connection_id)


def test_a_token_the_usage_endpoint_refuses_is_a_502(signing_gateway, admin, fake):
    connection_id = import_account(admin, fake, "github-copilot")
    polled_after_sign_in(signing_gateway, connection_id)
    for token, (provider, _account) in list(fake.state.access.items()):
        if provider == "github-copilot":
            fake.revoke(token)  # its Copilot token still lives; the GitHub token does not
    refused = admin.json("POST", f"/api/providers/{connection_id}/quota", 502)
    assert refused["error"]["code"] == "usage_refused" and "401" in refused["error"]["message"]

    # The card words it in the reader's language (a message of the page, not the API's English).
    session = browser_session(signing_gateway)
    page = session.get(signing_gateway.url + "/providers").text
    clicked = session.post(
        f"{signing_gateway.url}/providers/subscriptions/accounts/{connection_id}/quota",
        data={"csrf_token": csrf_from(page)},
        headers={"HX-Request": "true"},
    )
    account = card_of(clicked.text, connection_id)
    assert "usage endpoint refuses this account&#39;s token (HTTP 401)" in account
    assert refused["error"]["message"] not in account


def test_accounts_without_a_usage_endpoint_are_refused_without_a_call(admin, fake):
    content = json.dumps(gemini_file(fake))
    gemini = admin.json("POST", "/api/oauth/gemini-cli/import", 201, json={"content": content})
    requests_before = len(fake.requests)
    refused = admin.json("POST", f"/api/providers/{gemini['connectionId']}/quota", 400)
    assert refused["error"]["code"] == "quota_not_offered"
    assert len(fake.requests) == requests_before
    api_key = admin.connect("http://127.0.0.1:9/v1")
    refused = admin.json("POST", f"/api/providers/{api_key['id']}/quota", 400)
    assert refused["error"]["param"] == "id"
    assert admin.json("POST", "/api/providers/999/quota", 404)["error"]["code"] == "not_found"
