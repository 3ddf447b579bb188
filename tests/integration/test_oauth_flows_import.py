"""Importing each CLI's credentials file end to end: tokens the fake OAuth server issued are
written in each CLI's own file shape, imported by upload or from a path on the server, saved,
and still work at the fake's token endpoint afterwards. A malformed file is a clear 400 and
saves nothing; server paths are read only when allowed."""

from __future__ import annotations

import json

import pytest
import requests

from omniroute.oauth.sign_in import SignInError
from omniroute.oauth.token_endpoint import post_token_request


def claude_file(fake) -> dict:
    tokens = fake.issue_tokens("claude-code")
    return {
        "claudeAiOauth": {
            "accessToken": tokens["access_token"],
            "refreshToken": tokens["refresh_token"],
            "expiresAt": int((fake.clock() + tokens["expires_in"]) * 1000),
            "scopes": ["user:inference", "user:profile"],
            "subscriptionType": "pro",
        }
    }


def codex_file(fake) -> dict:
    tokens = fake.issue_tokens("codex")
    return {
        "OPENAI_API_KEY": None,
        "tokens": {
            "id_token": tokens["id_token"],
            "access_token": tokens["access_token"],
            "refresh_token": tokens["refresh_token"],
            "account_id": "acct-from-file",
        },
        "last_refresh": "2026-11-20T08:00:00Z",
    }


def copilot_file(fake) -> dict:
    tokens = fake.issue_tokens("github-copilot")
    app = "github.com:Iv1.b507a08c87ecfe98"
    return {app: {"user": "octocat", "oauth_token": tokens["access_token"], "githubAppId": "x"}}


def gemini_file(fake) -> dict:
    tokens = fake.issue_tokens("gemini-cli")
    return {
        "access_token": tokens["access_token"],
        "refresh_token": tokens["refresh_token"],
        "scope": tokens["scope"],
        "token_type": "Bearer",
        "id_token": tokens["id_token"],
        "expiry_date": int((fake.clock() + tokens["expires_in"]) * 1000),
    }


def kiro_files(fake) -> tuple[dict, dict]:
    """The token cache and its sibling client registration, registered at the fake."""
    registration = requests.post(
        f"{fake.url}/kiro/us-east-1/client/register",
        json={
            "clientName": "kiro-oauth-client",
            "clientType": "public",
            "scopes": ["codewhisperer:completions"],
            "grantTypes": ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
        },
        timeout=10,
    ).json()
    tokens = fake.issue_tokens("kiro")
    token_cache = {
        "accessToken": tokens["accessToken"],
        "refreshToken": tokens["refreshToken"],
        "expiresAt": "2026-11-22T12:00:00.000Z",
        "authMethod": "IdC",
        "provider": "BuilderId",
        "region": "us-east-1",
        "clientIdHash": "5eed",
    }
    client = {k: registration[k] for k in ("clientId", "clientSecret")}
    return token_cache, client


def refresh_works(service, signed_in) -> bool:
    """The imported refresh token is live: the fake's token endpoint rotates it."""
    provider = service.providers[signed_in.provider]
    if provider.id == "kiro":
        extra = signed_in.extra
        fields = {
            "clientId": extra["clientId"],
            "clientSecret": extra["clientSecret"],
            "refreshToken": signed_in.refresh_token,
            "grantType": "refresh_token",
        }
        url = provider.token_url.replace("{region}", extra["region"])
    else:
        fields = {
            "grant_type": "refresh_token",
            "refresh_token": signed_in.refresh_token,
            "client_id": provider.client_id,
        }
        url = provider.token_url
    answer = post_token_request(provider, url, fields)
    return bool(answer.get("access_token") or answer.get("accessToken"))


@pytest.mark.parametrize(
    ("provider", "make_file"),
    [("claude-code", claude_file), ("codex", codex_file), ("gemini-cli", gemini_file)],
)
def test_an_uploaded_file_signs_in_with_live_tokens(service, saved, fake, provider, make_file):
    content = json.dumps(make_file(fake)).encode()
    assert service.import_file(provider, content) == 1
    (signed_in,) = saved
    assert signed_in.provider == provider
    assert signed_in.expires_at is not None
    assert refresh_works(service, signed_in)


def test_codex_import_reads_account_and_plan(service, saved, fake):
    service.import_file("codex", json.dumps(codex_file(fake)).encode())
    assert saved[0].account == fake.accounts["codex"]
    assert saved[0].extra["chatgpt_plan_type"] == "plus"
    assert saved[0].extra["chatgpt_account_id"].startswith("acct-")


def test_copilot_import_gives_a_user_token_the_exchange_accepts(service, saved, fake):
    service.import_file("github-copilot", json.dumps(copilot_file(fake)).encode())
    (signed_in,) = saved
    assert signed_in.account == "octocat"
    exchange = requests.get(
        service.providers["github-copilot"].endpoints["copilot_token"],
        headers={"Authorization": f"token {signed_in.access_token}"},
        timeout=10,
    )
    assert exchange.status_code == 200
    assert exchange.json()["endpoints"]["api"] == fake.copilot_api


def test_kiro_import_from_the_server_reads_the_registration_beside_it(
    service, saved, fake, tmp_path
):
    token_cache, client = kiro_files(fake)
    cache_dir = tmp_path / "sso-cache"
    cache_dir.mkdir()
    (cache_dir / "kiro-auth-token.json").write_text(json.dumps(token_cache))
    (cache_dir / "5eed.json").write_text(json.dumps(client))

    path = str(cache_dir / "kiro-auth-token.json")
    assert service.import_server_file("kiro", path, allowed=True) == 1

    (signed_in,) = saved
    assert signed_in.extra["clientId"] == client["clientId"]
    assert signed_in.extra["region"] == "us-east-1"
    assert refresh_works(service, signed_in)


def test_kiro_upload_with_its_registration(service, saved, fake):
    token_cache, client = kiro_files(fake)
    service.import_file(
        "kiro", json.dumps(token_cache).encode(), registration=json.dumps(client).encode()
    )
    assert refresh_works(service, saved[0])


def test_a_server_path_is_read_only_when_allowed(service, saved, fake, tmp_path):
    path = tmp_path / "auth.json"
    path.write_text(json.dumps(codex_file(fake)))
    with pytest.raises(SignInError) as error:
        service.import_server_file("codex", str(path), allowed=False)
    assert (error.value.code, error.value.http_status) == ("server_files_disabled", 403)
    assert saved == []


@pytest.mark.parametrize(
    ("provider", "content"),
    [
        ("claude-code", b"{not json"),
        ("claude-code", json.dumps({"claudeAiOauth": {}}).encode()),
        ("codex", json.dumps({"OPENAI_API_KEY": "sk-x"}).encode()),
        ("github-copilot", json.dumps({"github.com": {"user": "octocat"}}).encode()),
        ("kiro", json.dumps({"accessToken": "a", "region": "../../evil"}).encode()),
        ("gemini-cli", b"[]"),
    ],
)
def test_a_malformed_file_is_a_400_and_saves_nothing(service, saved, provider, content):
    with pytest.raises(SignInError) as error:
        service.import_file(provider, content)
    assert (error.value.code, error.value.http_status) == ("invalid_file", 400)
    assert str(error.value)
    assert saved == []


def test_imports_of_discontinued_providers_are_refused(service, saved):
    with pytest.raises(SignInError) as error:
        service.import_file("qwen", b"{}")
    assert error.value.code == "discontinued"
    assert saved == []
