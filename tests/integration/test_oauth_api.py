"""Subscription sign-in through the management API of a real gateway whose sign-in endpoints
all point at the fake OAuth server on 127.0.0.1: the paste flow, a device flow, imports, the
refusals, token refresh on demand, and that no answer ever carries a token."""

from __future__ import annotations

import json
import re
import time

import pytest
import requests

from tests.admin_api import AdminApi
from tests.fakes import oauth_devices
from tests.fakes.oauth_server import OAuthFake


@pytest.fixture
def admin(signing_gateway) -> AdminApi:
    return AdminApi(signing_gateway)


def hosted_code(authorize_url: str) -> str:
    """Open the authorize URL as the browser would, and copy what the code page shows."""
    redirect = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert redirect.status_code == 302, redirect.text
    page = requests.get(redirect.headers["Location"], timeout=10).text
    return re.search(r'<code id="code">(.*?)</code>', page).group(1)


def issued_tokens(fake: OAuthFake) -> set[str]:
    return set(fake.state.access) | set(fake.state.refresh)


def assert_no_token_in(fake: OAuthFake, text: str) -> None:
    leaked = [token for token in issued_tokens(fake) if token in text]
    assert not leaked, "a token left through the API"


def test_paste_sign_in_saves_an_account_that_the_api_shows_without_tokens(admin, fake):
    started = admin.json("GET", "/api/oauth/claude-code/start?flow=paste")
    assert started["flow"] == "paste" and started["expiresIn"] == 600
    assert started["termsRisk"] == "high" and "Anthropic" in started["termsNote"]
    pasted = hosted_code(started["authorizeUrl"])  # `code#state`, as Claude's page shows it

    done = admin.json("POST", "/api/oauth/claude-code/callback", json={"value": pasted})
    assert done["status"] == "done"
    status = admin.json("GET", f"/api/oauth/claude-code/status?state={started['state']}")
    assert status["connectionId"] == done["connectionId"]

    listing = admin.call("GET", "/api/providers")
    (account,) = [c for c in listing.json()["data"] if c["id"] == done["connectionId"]]
    assert account["authKind"] == "oauth" and account["provider"] == "claude-code"
    assert account["signedIn"]["account"] == fake.accounts["claude-code"]
    assert account["signedIn"]["signInState"] == "ok"
    assert_no_token_in(fake, listing.text + json.dumps(done) + json.dumps(started))


def test_a_paste_with_another_sign_ins_state_is_refused(admin, fake):
    first = admin.json("GET", "/api/oauth/claude-code/start")
    second = admin.json("GET", "/api/oauth/claude-code/start")
    code = hosted_code(first["authorizeUrl"]).split("#")[0]
    refused = admin.json(
        "POST",
        "/api/oauth/claude-code/callback",
        400,
        json={"value": f"{code}#{first['state']}", "state": second["state"]},
    )
    assert refused["error"]["code"] == "state_mismatch"
    assert admin.json("GET", "/api/providers")["data"] == []


def test_device_sign_in_is_polled_through_status(admin, fake, monkeypatch):
    monkeypatch.setattr(oauth_devices, "GITHUB_INTERVAL", 1)
    started = admin.json("GET", "/api/oauth/github-copilot/start?flow=device")
    assert started["userCode"] and started["verificationUri"].startswith(fake.url)
    state = started["state"]
    assert admin.json("GET", f"/api/oauth/github-copilot/status?state={state}")["status"] == (
        "pending"
    )
    fake.approve(started["userCode"])
    deadline = time.monotonic() + 15
    status = {"status": "pending"}
    while status["status"] == "pending" and time.monotonic() < deadline:
        time.sleep(0.5)
        status = admin.json("GET", f"/api/oauth/github-copilot/status?state={state}")
    assert status["status"] == "done", status
    (account,) = admin.json("GET", "/api/providers")["data"]
    assert account["signedIn"]["account"] == fake.accounts["github-copilot"]


def test_a_malformed_credentials_file_is_a_400_and_nothing_is_saved(admin):
    for content in ("not json", json.dumps({"claudeAiOauth": {"accessToken": 5}}), "[]"):
        refused = admin.json(
            "POST", "/api/oauth/claude-code/import", 400, json={"content": content}
        )
        assert refused["error"]["code"] == "invalid_file"
    upload = admin.call(
        "POST", "/api/oauth/codex/import", 400, files={"file": ("auth.json", b"{}")}
    )
    assert upload.json()["error"]["code"] == "invalid_file"
    assert admin.json("GET", "/api/providers")["data"] == []


def test_an_imported_claude_file_becomes_an_account(admin, fake):
    credentials = {
        "claudeAiOauth": {
            "accessToken": "sk-ant-oat01-imported",
            "refreshToken": "sk-ant-ort01-imported",
            "expiresAt": int((time.time() + 3600) * 1000),
            "scopes": ["user:inference"],
        }
    }
    created = admin.json(
        "POST",
        "/api/oauth/claude-code/import",
        201,
        files={"file": (".credentials.json", json.dumps(credentials).encode())},
    )
    listing = admin.call("GET", "/api/providers")
    assert [c["id"] for c in listing.json()["data"]] == [created["connectionId"]]
    assert "sk-ant-oat01-imported" not in listing.text
    assert "sk-ant-ort01-imported" not in listing.text


def test_a_server_path_import_is_refused_unless_the_setting_allows_it(admin):
    refused = admin.json("POST", "/api/oauth/claude-code/import", 403, json={"path": "/etc/passwd"})
    assert refused["error"]["code"] == "server_files_disabled"


def test_discontinued_and_unknown_providers_are_refused_before_anything_is_sent(admin, fake):
    calls_before = sum(fake.calls.values())
    gone = admin.json("GET", "/api/oauth/qwen/start", 400)
    assert gone["error"]["code"] == "discontinued" and "2026-04-15" in gone["error"]["message"]
    assert admin.json("GET", "/api/oauth/nobody/start", 404)["error"]["code"] == (
        "unknown_provider"
    )
    refused = admin.json("GET", "/api/oauth/claude-code/start?flow=device", 400)
    assert refused["error"]["code"] == "flow_not_offered"
    assert sum(fake.calls.values()) == calls_before


def test_refresh_now_renews_the_token_and_a_revoked_account_must_sign_in_again(admin, fake):
    started = admin.json("GET", "/api/oauth/claude-code/start")
    done = admin.json(
        "POST",
        "/api/oauth/claude-code/callback",
        json={"value": hosted_code(started["authorizeUrl"])},
    )
    connection = done["connectionId"]
    token_calls = fake.count("claude-code.token")
    refreshed = admin.call("POST", f"/api/providers/{connection}/refresh")
    assert refreshed.json()["signedIn"]["signInState"] == "ok"
    assert_no_token_in(fake, refreshed.text)
    assert fake.count("claude-code.token") == token_calls + 1  # one refresh, now

    for token in list(fake.state.refresh):
        fake.revoke(token)
    again = admin.json("POST", f"/api/providers/{connection}/refresh", 409)
    assert again["error"]["code"] == "sign_in_again"
    (account,) = admin.json("GET", "/api/providers")["data"]
    assert account["signedIn"]["signInState"] == "sign_in_again"


def test_an_api_key_connection_has_no_token_to_refresh(admin):
    created = admin.connect("http://127.0.0.1:9/v1")
    refused = admin.json("POST", f"/api/providers/{created['id']}/refresh", 400)
    assert refused["error"]["param"] == "id"
