"""The token keeper's rules without a socket: when a token is due for renewal, what each
provider's renewal request looks like (read from its declaration), what a grant hands out, and
how failures are retried, paused or turned into "sign in again". Token calls go to a scripted
session; the real token server is in tests/integration/test_oauth_refresh.py."""

from __future__ import annotations

import dataclasses

import pytest

from omniroute.oauth.declarations import OAUTH_PROVIDERS
from omniroute.oauth.grants import NeedsSignIn, SignedIn, TokenUnavailable
from omniroute.oauth.keeper import RenewalPolicy, TokenKeeper
from omniroute.oauth.keeper_copilot import exchange_copilot_token
from omniroute.oauth.keeper_refresh import (
    grant_of,
    refresh_grant,
    renewal_due,
    renewal_steps,
    usable,
    worth_retrying,
)
from omniroute.oauth.token_endpoint import TokenEndpointError
from omniroute.store.database import open_database
from omniroute.store.migrations import migrate
from omniroute.store.oauth_accounts import TokenSet, read_account
from omniroute.store.secret_box import SecretBox
from tests.fake_clock import FakeClock

CLAUDE = OAUTH_PROVIDERS["claude-code"]  # lead 600 s
CODEX = OAUTH_PROVIDERS["codex"]
COPILOT = OAUTH_PROVIDERS["github-copilot"]  # lead 300 s
KIRO = OAUTH_PROVIDERS["kiro"]
GEMINI = OAUTH_PROVIDERS["gemini-cli"]
NOW = 1_000_000.0
BOX = SecretBox(bytes(range(32)))


class Answer:
    def __init__(self, status: int = 200, payload=None, headers=None):
        self.status_code = status
        self._payload = payload
        self.headers = headers or {}

    def json(self):
        if self._payload is None:
            raise ValueError("no JSON")
        return self._payload


class ScriptedSession:
    """Answers token calls from a script and records what was sent."""

    def __init__(self, *answers: Answer):
        self.answers = list(answers)
        self.sent: list[dict] = []

    def post(self, url, json=None, data=None, headers=None, timeout=None):
        self.sent.append({"method": "POST", "url": url, "json": json, "form": data})
        return self.answers.pop(0)

    def get(self, url, headers=None, timeout=None):
        self.sent.append({"method": "GET", "url": url, "headers": headers})
        return self.answers.pop(0)


def tokens(expires_at=NOW + 3600, refresh="rt-1", **extra) -> TokenSet:
    return TokenSet("at-1", refresh, expires_at, extra)


# -- when a renewal is due -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("token_set", "now", "due"),
    [
        (tokens(expires_at=NOW + 601), NOW, False),
        (tokens(expires_at=NOW + 600), NOW, True),  # within Claude's 600 s lead
        (tokens(expires_at=NOW - 5), NOW, True),
        (tokens(expires_at=None), NOW, False),  # the provider did not say: used until refused
        (tokens(expires_at=NOW + 10, refresh=None), NOW, False),  # nothing to refresh it with
        (tokens(expires_at=NOW, refresh=None), NOW, True),  # expired: says so
    ],
    ids=["outside-lead", "at-lead", "expired", "no-expiry", "no-refresh-token", "dead"],
)
def test_a_token_is_due_within_its_providers_lead(token_set, now, due):
    assert renewal_due(CLAUDE, token_set, now) is due


def copilot_tokens(copilot_expires=NOW + 1800, renew_at=NOW + 1500, **extra) -> TokenSet:
    return tokens(
        expires_at=None,
        refresh=None,
        copilot_token="tid=1;exp=2",
        copilot_expires_at=str(copilot_expires),
        copilot_renew_at=str(renew_at),
        **extra,
    )


@pytest.mark.parametrize(
    ("token_set", "due"),
    [
        (copilot_tokens(), False),
        (copilot_tokens(renew_at=NOW), True),  # its refresh_in has passed
        (copilot_tokens(copilot_expires=NOW + 300, renew_at=NOW + 900), True),  # within lead
        (tokens(expires_at=None, refresh=None), True),  # no Copilot token yet
    ],
    ids=["fresh", "refresh-in-passed", "within-lead", "none-yet"],
)
def test_the_copilot_token_is_renewed_at_refresh_in_or_within_the_lead(token_set, due):
    assert renewal_due(COPILOT, token_set, NOW) is due


def test_copilot_renewal_refreshes_the_github_token_only_when_it_is_due():
    assert renewal_steps(COPILOT, copilot_tokens(), NOW) == [exchange_copilot_token]
    expiring = dataclasses.replace(copilot_tokens(), refresh_token="ghr-1", expires_at=NOW + 60)
    assert renewal_steps(COPILOT, expiring, NOW) == [refresh_grant, exchange_copilot_token]


def test_a_forced_renewal_without_a_refresh_token_has_nothing_to_do():
    assert renewal_steps(CLAUDE, tokens(refresh=None), NOW, force=True) == []
    assert renewal_steps(CLAUDE, tokens(), NOW, force=True) == [refresh_grant]


def test_a_token_is_usable_until_shortly_before_it_expires():
    assert usable(CLAUDE, tokens(expires_at=NOW + 31), NOW)
    assert not usable(CLAUDE, tokens(expires_at=NOW + 29), NOW)
    assert usable(CLAUDE, tokens(expires_at=None), NOW)
    assert not usable(COPILOT, tokens(expires_at=None), NOW)


# -- what a grant hands out ------------------------------------------------------------------
def test_a_grant_carries_the_public_extras_and_never_a_secret():
    token_set = tokens(chatgpt_account_id="acct-9", clientSecret="s3cret", region="us-east-1")
    grant = grant_of(CODEX, token_set)
    assert grant.token == "at-1"
    assert dict(grant.extra) == {"chatgpt_account_id": "acct-9", "region": "us-east-1"}


def test_a_copilot_grant_is_the_copilot_token_with_its_api_base():
    grant = grant_of(COPILOT, copilot_tokens(api="https://api.individual.githubcopilot.com"))
    assert grant.token == "tid=1;exp=2"
    assert dict(grant.extra) == {"api": "https://api.individual.githubcopilot.com"}


# -- each provider's renewal request, from its declaration -----------------------------------
def test_claude_refreshes_with_a_json_body():
    session = ScriptedSession(Answer(payload={"access_token": "at-2", "expires_in": 28800}))
    renewed = refresh_grant(CLAUDE, tokens(), NOW, session)
    assert session.sent == [
        {
            "method": "POST",
            "url": CLAUDE.token_url,
            "json": {
                "grant_type": "refresh_token",
                "refresh_token": "rt-1",
                "client_id": CLAUDE.client_id,
            },
            "form": None,
        }
    ]
    assert renewed == TokenSet("at-2", "rt-1", NOW + 28800, {})  # no new one: the old is kept


def test_codex_refreshes_with_a_form_body_and_keeps_the_rotated_refresh_token():
    answer = {"access_token": "at-2", "refresh_token": "rt-2", "expires_in": 864000}
    session = ScriptedSession(Answer(payload=answer))
    renewed = refresh_grant(CODEX, tokens(chatgpt_account_id="acct-1"), NOW, session)
    assert session.sent[0]["form"] == {
        "grant_type": "refresh_token",
        "refresh_token": "rt-1",
        "client_id": CODEX.client_id,
    }
    assert renewed == TokenSet("at-2", "rt-2", NOW + 864000, {"chatgpt_account_id": "acct-1"})


def test_kiro_refreshes_at_its_regions_aws_oidc_endpoint_with_the_stored_client():
    answer = {"accessToken": "aoa-2", "refreshToken": "aor-2", "expiresIn": 3600}
    session = ScriptedSession(Answer(payload=answer))
    registration = {"clientId": "cid", "clientSecret": "csecret", "region": "eu-west-1"}
    renewed = refresh_grant(KIRO, tokens(**registration), NOW, session)
    assert session.sent[0]["url"] == "https://oidc.eu-west-1.amazonaws.com/token"
    assert session.sent[0]["json"] == {
        "clientId": "cid",
        "clientSecret": "csecret",
        "refreshToken": "rt-1",
        "grantType": "refresh_token",
    }
    assert (renewed.access_token, renewed.refresh_token) == ("aoa-2", "aor-2")


def test_kiro_refuses_a_region_that_is_not_one_before_sending_anything():
    session = ScriptedSession()
    with pytest.raises(TokenEndpointError) as refused:
        refresh_grant(KIRO, tokens(region="evil.example.com/x"), NOW, session)
    assert refused.value.final and session.sent == []


def test_gemini_sends_the_client_secret_from_its_variable(monkeypatch):
    monkeypatch.setenv(GEMINI.client_secret_env, "GOCSPX-test")
    session = ScriptedSession(Answer(payload={"access_token": "ya29.b", "expires_in": 3599}))
    refresh_grant(GEMINI, tokens(), NOW, session)
    assert session.sent[0]["form"]["client_secret"] == "GOCSPX-test"


def test_gemini_without_its_client_secret_says_which_variable_to_set(monkeypatch):
    monkeypatch.delenv(GEMINI.client_secret_env, raising=False)
    session = ScriptedSession()
    with pytest.raises(TokenEndpointError) as refused:
        refresh_grant(GEMINI, tokens(), NOW, session)
    assert GEMINI.client_secret_env in str(refused.value) and session.sent == []
    assert not refused.value.final and not worth_retrying(refused.value)


def test_the_copilot_exchange_sends_the_github_token_and_the_editor_headers():
    answer = {
        "token": "tid=2;exp=3",
        "expires_at": NOW + 1800,
        "refresh_in": 1500,
        "endpoints": {"api": "https://api.business.githubcopilot.com"},
    }
    session = ScriptedSession(Answer(payload=answer))
    renewed = exchange_copilot_token(COPILOT, tokens(expires_at=None, refresh=None), NOW, session)
    sent = session.sent[0]
    assert (sent["method"], sent["url"]) == ("GET", COPILOT.endpoints["copilot_token"])
    assert sent["headers"]["Authorization"] == "token at-1"
    for name, value in COPILOT.upstream_headers.items():
        assert sent["headers"][name] == value
    assert renewed.access_token == "at-1"  # the GitHub token stays the account's token
    assert dict(renewed.extra) == {
        "copilot_token": "tid=2;exp=3",
        "copilot_expires_at": str(NOW + 1800),
        "copilot_renew_at": str(NOW + 1500),
        "api": "https://api.business.githubcopilot.com",
    }


@pytest.mark.parametrize(
    ("status", "final", "retried"),
    [(401, True, False), (403, True, False), (429, False, True), (503, False, True)],
)
def test_copilot_exchange_refusals_are_told_apart(status, final, retried):
    answer = Answer(status, {"message": "no"}, {"Retry-After": "7"})
    with pytest.raises(TokenEndpointError) as refused:
        exchange_copilot_token(COPILOT, tokens(), NOW, ScriptedSession(answer))
    assert (refused.value.final, worth_retrying(refused.value)) == (final, retried)
    assert refused.value.retry_after == 7.0


# -- the keeper's failure rules, with a scripted token endpoint ------------------------------
@pytest.fixture
def database(tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(database)
    yield database
    database.close_all()


class Waits(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def keeper_with(database, session, clock, waits, **policy) -> TokenKeeper:
    return TokenKeeper(
        database,
        BOX,
        OAUTH_PROVIDERS,
        session=session,
        clock=clock,
        sleep=waits,
        policy=RenewalPolicy(**policy),
    )


def sign_in(keeper: TokenKeeper, expires_at: float) -> int:
    return keeper.save_signed_in(SignedIn("claude-code", "at-1", "rt-1", expires_at, "ada@x.io"))


def test_without_retry_after_the_backoff_doubles(database):
    clock, waits = FakeClock(NOW), Waits()
    session = ScriptedSession(
        Answer(503, {}), Answer(502, {}), Answer(payload={"access_token": "at-2"})
    )
    keeper = keeper_with(database, session, clock, waits)
    connection_id = sign_in(keeper, expires_at=NOW + 60)
    assert keeper.access(connection_id).token == "at-2"
    assert waits == [1.0, 2.0]


def test_a_retry_after_longer_than_the_bound_is_not_waited_for(database):
    clock, waits = FakeClock(NOW), Waits()
    session = ScriptedSession(Answer(429, {}, {"Retry-After": "120"}))
    keeper = keeper_with(database, session, clock, waits, max_wait=10.0)
    connection_id = sign_in(keeper, expires_at=NOW + 10)  # expired for use (margin 30 s)
    with pytest.raises(TokenUnavailable) as unavailable:
        keeper.access(connection_id)
    assert unavailable.value.retry_after == 120.0
    assert waits == [] and len(session.sent) == 1
    with pytest.raises(TokenUnavailable):  # paused: no token call until the pause ends
        keeper.access(connection_id)
    assert len(session.sent) == 1


def test_a_failed_renewal_hands_out_the_current_token_while_it_lasts(database):
    clock, waits = FakeClock(NOW), Waits()
    session = ScriptedSession(*[Answer(503, {}) for _ in range(3)])
    keeper = keeper_with(database, session, clock, waits, failure_pause=30.0)
    connection_id = sign_in(keeper, expires_at=NOW + 300)  # within the lead, still valid

    assert keeper.access(connection_id).token == "at-1"
    assert len(session.sent) == 3
    clock.advance(29)
    assert keeper.access(connection_id).token == "at-1"
    assert len(session.sent) == 3  # paused


def test_a_refusal_that_would_repeat_is_not_retried_nor_a_reason_to_sign_in_again(database):
    clock, waits = FakeClock(NOW), Waits()
    session = ScriptedSession(Answer(400, {"error": "unsupported_grant_type"}))
    keeper = keeper_with(database, session, clock, waits)
    connection_id = sign_in(keeper, expires_at=NOW)
    with pytest.raises(TokenUnavailable) as unavailable:
        keeper.access(connection_id)
    assert "unsupported_grant_type" in unavailable.value.reason
    assert len(session.sent) == 1 and waits == []
    with database.connection_context():
        assert not read_account(BOX, connection_id).needs_sign_in


def test_an_account_that_expired_without_a_refresh_token_must_sign_in_again(database):
    clock, waits = FakeClock(NOW), Waits()
    session = ScriptedSession()
    keeper = keeper_with(database, session, clock, waits)
    signed_in = SignedIn("claude-code", "at-1", None, NOW + 100, "ada@x.io")
    connection_id = keeper.save_signed_in(signed_in)
    assert keeper.access(connection_id).token == "at-1"
    clock.advance(100)
    with pytest.raises(NeedsSignIn) as needs:
        keeper.access(connection_id)
    assert needs.value.reason.startswith("no_refresh_token") and session.sent == []


def test_an_unknown_connection_is_not_a_signed_in_account(database):
    keeper = keeper_with(database, ScriptedSession(), FakeClock(NOW), Waits())
    with pytest.raises(NeedsSignIn):
        keeper.access(404)


def test_a_discontinued_providers_account_is_never_renewed(database):
    clock, session = FakeClock(NOW), ScriptedSession()
    keeper = keeper_with(database, session, clock, Waits())
    connection_id = keeper.save_signed_in(SignedIn("qwen", "at-1", "rt-1", NOW, "ada@x.io"))
    with pytest.raises(NeedsSignIn) as needs:
        keeper.access(connection_id)
    assert "not offered" in needs.value.reason and session.sent == []
