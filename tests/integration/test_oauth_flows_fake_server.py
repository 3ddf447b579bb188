"""The fake OAuth server is as strict as the real ones where sign-in and refresh depend on it:
rotating single-use refresh tokens (reuse answered as each provider does), revocation, scripted
429/503 answers with Retry-After, refused bodies and redirects, and call counters. The refusals
are read through the gateway's token-endpoint call, so each is also classified as the
declarations say (final: only a new sign-in helps)."""

from __future__ import annotations

import pytest
import requests

from omniroute.oauth.overrides import providers_for
from omniroute.oauth.token_endpoint import TokenEndpointError, post_token_request


@pytest.fixture
def providers(fake, tmp_path):
    fake.overrides(tmp_path)
    fake.aws_error_style = "error"
    fake.github_expiring_tokens = False
    return providers_for(tmp_path)


def refresh(providers, provider_id: str, refresh_token: str, **extra) -> dict:
    provider = providers[provider_id]
    if provider_id == "kiro":
        fields = {"refreshToken": refresh_token, "grantType": "refresh_token", **extra}
        return post_token_request(
            provider, provider.token_url.replace("{region}", "us-east-1"), fields
        )
    fields = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return post_token_request(
        provider, provider.token_url, {**fields, "client_id": provider.client_id}
    )


def refusal(call) -> TokenEndpointError:
    with pytest.raises(TokenEndpointError) as error:
        call()
    return error.value


def kiro_client(fake) -> dict:
    registration = requests.post(
        f"{fake.url}/kiro/us-east-1/client/register",
        json={
            "clientName": "test",
            "clientType": "public",
            "grantTypes": ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
        },
        timeout=10,
    ).json()
    return {"clientId": registration["clientId"], "clientSecret": registration["clientSecret"]}


@pytest.mark.parametrize(
    ("provider", "reuse_code", "reuse_status"),
    [("claude-code", "invalid_grant", 400), ("codex", "refresh_token_reused", 401)],
)
def test_refresh_tokens_rotate_and_are_single_use(
    fake, providers, provider, reuse_code, reuse_status
):
    first = fake.issue_tokens(provider)["refresh_token"]
    second = refresh(providers, provider, first)
    assert second["refresh_token"] != first
    assert second["access_token"]

    reused = refusal(lambda: refresh(providers, provider, first))
    assert (reused.code, reused.status, reused.final) == (reuse_code, reuse_status, True)
    assert refresh(providers, provider, second["refresh_token"])["access_token"]


def test_google_refresh_tokens_do_not_rotate(fake, providers):
    token = fake.issue_tokens("gemini-cli")["refresh_token"]
    for _ in range(2):
        answer = refresh(providers, "gemini-cli", token)
        assert answer["access_token"]
        assert "refresh_token" not in answer


@pytest.mark.parametrize("style", ["error", "type"])
def test_kiro_refresh_rotates_and_reuse_is_final_in_both_aws_shapes(fake, providers, style):
    fake.aws_error_style = style
    client = kiro_client(fake)
    first = fake.issue_tokens("kiro")["refreshToken"]
    second = refresh(providers, "kiro", first, **client)
    assert second["refreshToken"] != first
    reused = refusal(lambda: refresh(providers, "kiro", first, **client))
    assert reused.code in ("invalid_grant", "InvalidGrantException")
    assert reused.final


def test_github_expiring_user_tokens_refresh(fake, providers):
    fake.github_expiring_tokens = True
    tokens = fake.issue_tokens("github-copilot")
    assert tokens["refresh_token"].startswith("ghr_")
    answer = refresh(providers, "github-copilot", tokens["refresh_token"])
    assert answer["access_token"].startswith("ghu_")
    reused = refusal(lambda: refresh(providers, "github-copilot", tokens["refresh_token"]))
    assert reused.code == "bad_refresh_token" and reused.final


def test_a_revoked_refresh_token_is_final(fake, providers):
    token = fake.issue_tokens("codex")["refresh_token"]
    fake.revoke(token)
    revoked = refusal(lambda: refresh(providers, "codex", token))
    assert (revoked.code, revoked.final) == ("invalid_grant", True)


def test_scripted_failures_then_success_with_retry_after(fake, providers):
    token = fake.issue_tokens("claude-code")["refresh_token"]
    fake.fail_token(429, times=1, endpoint="claude-code.token", retry_after=7)
    fake.fail_token(503, times=2, endpoint="claude-code.token")
    limited = refusal(lambda: refresh(providers, "claude-code", token))
    assert (limited.status, limited.retry_after, limited.final) == (429, 7.0, False)
    for _ in range(2):
        assert refusal(lambda: refresh(providers, "claude-code", token)).status == 503
    assert refresh(providers, "claude-code", token)["access_token"]  # the token was not spent


def test_a_failure_without_an_endpoint_hits_the_next_token_call_only(fake, providers):
    token = fake.issue_tokens("codex")["refresh_token"]
    fake.fail_token(503)
    assert refusal(lambda: refresh(providers, "codex", token)).status == 503
    assert refresh(providers, "codex", token)["access_token"]


def test_calls_are_counted_per_endpoint(fake, providers):
    token = fake.issue_tokens("codex")["refresh_token"]
    before = fake.count("codex.token"), fake.count("claude-code.token")
    refresh(providers, "codex", token)
    assert (fake.count("codex.token"), fake.count("claude-code.token")) == (
        before[0] + 1,
        before[1],
    )


def test_the_copilot_exchange_answers_valid_user_tokens_only(fake, providers):
    url = providers["github-copilot"].endpoints["copilot_token"]
    user_token = fake.issue_tokens("github-copilot")["access_token"]
    answer = requests.get(url, headers={"Authorization": f"token {user_token}"}, timeout=10)
    assert answer.status_code == 200
    body = answer.json()
    assert body["expires_at"] - fake.clock() == pytest.approx(fake.copilot_lifetime, abs=2)
    assert body["refresh_in"] < fake.copilot_lifetime
    assert body["endpoints"]["api"] == fake.copilot_api
    assert fake.state.copilot[body["token"]] == user_token
    fake.revoke(user_token)
    assert (
        requests.get(url, headers={"Authorization": f"token {user_token}"}, timeout=10).status_code
        == 401
    )
    assert (
        requests.get(url, headers={"Authorization": "token ghu_unknown"}, timeout=10).status_code
        == 401
    )


def test_claude_token_endpoint_refuses_a_form_body(fake, providers):
    token = fake.issue_tokens("claude-code")["refresh_token"]
    provider = providers["claude-code"]
    fields = {
        "grant_type": "refresh_token",
        "refresh_token": token,
        "client_id": provider.client_id,
    }
    refused = refusal(lambda: post_token_request(provider, provider.token_url, fields, body="form"))
    assert refused.code == "invalid_request"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"client_id": "someone-else"}, "unknown client_id"),
        ({"redirect_uri": "http://localhost:1/auth/callback"}, "redirect_uri is not registered"),
        ({"code_challenge_method": "plain"}, "S256"),
        ({"code_challenge": "short"}, "code_challenge"),
        ({"state": ""}, "state is required"),
        ({"scope": "openid"}, "scope"),
    ],
)
def test_the_authorize_endpoint_refuses_bad_requests_without_redirecting(fake, change, problem):
    query = {
        "client_id": "app_EMoamEEZ73f0CkXaXp7hrann",
        "response_type": "code",
        "redirect_uri": fake.codex_redirect,
        "scope": "openid email profile offline_access",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
        "state": "st",
    }
    url = f"{fake.url}/codex/oauth/authorize"
    assert requests.get(url, params=query, allow_redirects=False, timeout=10).status_code == 302
    answer = requests.get(url, params={**query, **change}, allow_redirects=False, timeout=10)
    assert answer.status_code == 400
    assert problem in answer.text
