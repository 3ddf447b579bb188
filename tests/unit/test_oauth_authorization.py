"""The authorize URL, the redirect each flow uses, and reading a token answer into SignedIn
(lifetime from expires_in or the JWT, the account from the answer or the id_token)."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest

from omniroute.oauth.authorization import authorize_url, redirect_uri_for, signed_in_from_answer
from omniroute.oauth.declarations import OAUTH_PROVIDERS
from omniroute.oauth.token_endpoint import TokenEndpointError
from tests.fakes.oauth_tokens import unsigned_jwt

CLAUDE, CODEX, GEMINI = (OAUTH_PROVIDERS[p] for p in ("claude-code", "codex", "gemini-cli"))


def query_of(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def test_the_authorize_url_carries_pkce_state_and_the_providers_fields():
    url = authorize_url(CLAUDE, state="st", challenge="ch", redirect_uri=CLAUDE.redirect_uri)
    assert url.startswith("https://claude.ai/oauth/authorize?")
    assert query_of(url) == {
        "client_id": CLAUDE.client_id,
        "response_type": "code",
        "redirect_uri": "https://platform.claude.com/oauth/code/callback",
        "scope": " ".join(CLAUDE.scopes),
        "code_challenge": "ch",
        "code_challenge_method": "S256",
        "state": "st",
        "code": "true",
        "prompt": "login",
    }


def test_an_authorize_url_with_its_own_query_keeps_it():
    provider = replace(CODEX, authorize_url="http://127.0.0.1:9/authorize?tenant=x")
    url = authorize_url(provider, state="s", challenge="c", redirect_uri="http://localhost:1/cb")
    assert query_of(url)["tenant"] == "x"
    assert query_of(url)["state"] == "s"


def test_redirects_per_flow():
    assert redirect_uri_for(CLAUDE, "paste") == "https://platform.claude.com/oauth/code/callback"
    assert redirect_uri_for(CLAUDE, "loopback", 5555) == "http://localhost:5555/oauth/callback"
    # Codex has no code page: its paste flow lands on the failed loopback page
    assert redirect_uri_for(CODEX, "paste") == "http://localhost:1455/auth/callback"
    assert redirect_uri_for(CODEX, "loopback") == "http://localhost:1455/auth/callback"
    assert redirect_uri_for(GEMINI, "paste") == "https://codeassist.google.com/authcode"


def test_a_loopback_redirect_with_a_port_placeholder_needs_a_port():
    with pytest.raises(ValueError, match="needs a port"):
        redirect_uri_for(CLAUDE, "loopback")


def test_claude_answer_gives_lifetime_and_account(clock):
    answer = {
        "access_token": "sk-ant-oat01-a",
        "refresh_token": "sk-ant-ort01-r",
        "expires_in": 28800,
        "account": {"uuid": "u", "email_address": "me@example.com"},
    }
    signed_in = signed_in_from_answer(CLAUDE, answer, clock)
    assert signed_in.expires_at == clock.now + 28800
    assert signed_in.account == "me@example.com"
    assert (signed_in.access_token, signed_in.refresh_token) == ("sk-ant-oat01-a", "sk-ant-ort01-r")


def test_codex_answer_gives_account_and_plan_from_the_id_token(clock):
    auth = {"chatgpt_account_id": "acct-1", "chatgpt_plan_type": "plus", "other": "x"}
    answer = {
        "access_token": unsigned_jwt({"exp": 1_900_000_000}),
        "refresh_token": "rt",
        "id_token": unsigned_jwt({"email": "me@example.com", "https://api.openai.com/auth": auth}),
    }
    signed_in = signed_in_from_answer(CODEX, answer, clock)
    assert signed_in.expires_at == 1_900_000_000.0  # no expires_in: the JWT's exp
    assert signed_in.account == "me@example.com"
    assert signed_in.extra == {"chatgpt_account_id": "acct-1", "chatgpt_plan_type": "plus"}


def test_camel_case_answers_are_read_too(clock):
    answer = {"accessToken": "a", "refreshToken": "r", "expiresIn": 3600}
    signed_in = signed_in_from_answer(OAUTH_PROVIDERS["kiro"], answer, clock, extra={"k": "v"})
    assert (signed_in.access_token, signed_in.refresh_token) == ("a", "r")
    assert signed_in.expires_at == clock.now + 3600
    assert signed_in.extra == {"k": "v"}


def test_an_opaque_token_without_expires_in_has_no_expiry(clock):
    signed_in = signed_in_from_answer(CLAUDE, {"access_token": "opaque"}, clock)
    assert signed_in.expires_at is None
    assert signed_in.refresh_token is None


def test_an_answer_without_an_access_token_is_refused(clock):
    with pytest.raises(TokenEndpointError) as error:
        signed_in_from_answer(CLAUDE, {"refresh_token": "r"}, clock)
    assert error.value.code == "invalid_answer"
