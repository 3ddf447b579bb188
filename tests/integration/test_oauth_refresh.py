"""Keeping signed-in accounts' tokens fresh, against the fake OAuth server on 127.0.0.1
(tests/fakes/oauth_server.py): one renewal per account however many callers (threads of one
process, or two processes sharing the database), rotated refresh tokens kept across a restart,
a revoked one turning into "sign in again" with no further token call, 429 retried after its
Retry-After, GitHub Copilot's token exchange and renewal, Kiro's and Gemini's refresh requests,
and no token in the clear in the database file. Every URL comes from
`DATA_DIR/oauth-providers.json` (oauth/overrides.py), written by the fake."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from omniroute.oauth.authorization import signed_in_from_answer
from omniroute.oauth.device import poll_once, start_device
from omniroute.oauth.grants import NeedsSignIn, SignedIn, TokenUnavailable
from omniroute.oauth.keeper import RenewalPolicy, TokenKeeper
from omniroute.oauth.overrides import providers_for
from omniroute.oauth.token_endpoint import post_token_request
from omniroute.store import connections
from omniroute.store.database import open_database
from omniroute.store.migrations import migrate
from omniroute.store.oauth_accounts import read_account
from omniroute.store.secret_box import SecretBox
from tests.fake_clock import FakeClock
from tests.fakes.oauth_server import OAuthFake

BOX = SecretBox(bytes(range(32)))
GOOGLE_SECRET = "GOCSPX-fake-client-secret"
LIFETIME = 3600.0  # the fake's access tokens


class SlowOAuthFake(OAuthFake):
    """The fake OAuth server, answering after `delay` seconds: a renewal stays in flight while
    the other callers arrive."""

    delay = 0.0

    def dispatch(self, method, raw_path, headers, raw):
        time.sleep(self.delay)
        return super().dispatch(method, raw_path, headers, raw)


@pytest.fixture
def clock():
    return FakeClock(1_900_000_000.0)


@pytest.fixture
def fake(clock):
    running = SlowOAuthFake(clock=clock).start()
    yield running
    running.stop()


@pytest.fixture
def database(tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(database)
    yield database
    database.close_all()


@pytest.fixture
def providers(tmp_path, fake):
    fake.overrides(tmp_path)
    return providers_for(tmp_path)


class Waits(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def new_keeper(database, providers, clock):
    """A TokenKeeper: a process, as far as the shared database is concerned."""

    def build(sleep=time.sleep) -> TokenKeeper:
        policy = RenewalPolicy(poll=0.02)
        return TokenKeeper(database, BOX, providers, clock=clock, sleep=sleep, policy=policy)

    return build


@pytest.fixture
def sign_in(providers, fake, clock):
    """A sign-in as the fake's token endpoint answers it (SignedIn, not saved yet)."""

    def signed_in(provider: str = "claude-code") -> SignedIn:
        return signed_in_from_answer(providers[provider], fake.issue_tokens(provider), clock)

    return signed_in


def stored_tokens(database, connection_id: int):
    with database.connection_context():
        return read_account(BOX, connection_id).tokens


def run_together(count: int, call) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = call(index)
        except Exception as error:  # noqa: BLE001 - the test reads what each caller got
            results[index] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def refresh_tokens_sent(fake: OAuthFake, endpoint: str) -> list[str]:
    return [r.body.get("refresh_token") for r in fake.requests if r.endpoint == endpoint]


def test_ten_callers_at_expiry_make_one_token_call_and_all_get_the_new_token(
    new_keeper, fake, clock, database, sign_in
):
    keeper = new_keeper()
    signed_in = sign_in()
    connection_id = keeper.save_signed_in(signed_in)
    assert keeper.access(connection_id).token == signed_in.access_token
    fake.delay = 0.3  # the renewal is in flight while the others arrive
    clock.advance(LIFETIME - 60)  # inside Claude's 600 s lead

    grants = run_together(10, lambda _: keeper.access(connection_id))

    assert fake.count("claude-code.token") == 1
    renewed = stored_tokens(database, connection_id)
    assert renewed.access_token != signed_in.access_token
    assert [grant.token for grant in grants] == [renewed.access_token] * 10


def test_two_processes_at_expiry_make_one_token_call(new_keeper, fake, clock, database, sign_in):
    first, second = new_keeper(), new_keeper()
    connection_id = first.save_signed_in(sign_in())
    second.access(connection_id)
    fake.delay = 0.3
    clock.advance(LIFETIME)  # expired: the process that does not renew waits for the other

    grants = run_together(10, lambda n: (first, second)[n % 2].access(connection_id))

    assert fake.count("claude-code.token") == 1
    renewed = stored_tokens(database, connection_id).access_token
    assert [grant.token for grant in grants] == [renewed] * 10


def test_a_process_uses_the_token_another_one_renewed_without_a_token_call(
    new_keeper, fake, clock, sign_in
):
    first, second = new_keeper(), new_keeper()
    connection_id = first.save_signed_in(sign_in())
    second.access(connection_id)  # its memory holds the first token set
    clock.advance(LIFETIME)

    renewed = first.access(connection_id).token
    assert second.access(connection_id).token == renewed
    assert fake.count("claude-code.token") == 1


def test_the_rotated_refresh_token_is_used_after_a_restart(
    new_keeper, fake, clock, database, sign_in
):
    keeper = new_keeper()
    signed_in = sign_in()
    connection_id = keeper.save_signed_in(signed_in)
    clock.advance(LIFETIME)
    keeper.access(connection_id)
    rotated = stored_tokens(database, connection_id).refresh_token
    assert rotated != signed_in.refresh_token

    restarted = new_keeper()
    clock.advance(LIFETIME)
    grant = restarted.access(connection_id)

    sent = refresh_tokens_sent(fake, "claude-code.token")
    assert sent == [signed_in.refresh_token, rotated]  # the spent one is never sent again
    latest = stored_tokens(database, connection_id)
    assert grant.token == latest.access_token and latest.refresh_token not in sent


def test_a_revoked_refresh_token_means_sign_in_again_with_no_further_token_call(
    new_keeper, fake, clock, database, sign_in
):
    keeper = new_keeper()
    signed_in = sign_in()
    connection_id = keeper.save_signed_in(signed_in)
    fake.revoke(signed_in.refresh_token)
    clock.advance(LIFETIME)

    outcomes = run_together(10, lambda _: keeper.access(connection_id))

    assert all(isinstance(outcome, NeedsSignIn) for outcome in outcomes)
    assert outcomes[0].reason.startswith("invalid_grant")
    assert fake.count("claude-code.token") == 1
    with database.connection_context():
        record = connections.get_connection(connection_id)
    assert record.sign_in_state == "sign_in_again"
    assert record.sign_in_reason.startswith("invalid_grant")
    for caller in (keeper, new_keeper()):  # later, and after a restart: no token call
        with pytest.raises(NeedsSignIn):
            caller.access(connection_id)
        with pytest.raises(NeedsSignIn):
            caller.refresh_now(connection_id)
    assert fake.count("claude-code.token") == 1

    again = sign_in()  # the same account signs in again
    assert keeper.save_signed_in(again) == connection_id
    assert keeper.access(connection_id).token == again.access_token


def test_a_reused_codex_refresh_token_means_sign_in_again(
    new_keeper, fake, clock, providers, sign_in
):
    keeper = new_keeper()
    signed_in = sign_in("codex")
    connection_id = keeper.save_signed_in(signed_in)
    assert keeper.access(connection_id).extra["chatgpt_account_id"].startswith("acct-")
    codex = providers["codex"]
    fields = {
        "grant_type": "refresh_token",
        "refresh_token": signed_in.refresh_token,
        "client_id": codex.client_id,
    }
    post_token_request(codex, codex.token_url, fields)  # spent by another client
    clock.advance(LIFETIME)

    with pytest.raises(NeedsSignIn) as needs:
        keeper.access(connection_id)

    assert needs.value.reason.startswith("refresh_token_reused")
    assert fake.count("codex.token") == 2


def test_a_429_is_retried_once_after_its_retry_after(new_keeper, fake, clock, database, sign_in):
    waits = Waits()
    keeper = new_keeper(sleep=waits)
    connection_id = keeper.save_signed_in(sign_in())
    fake.fail_token(429, times=1, endpoint="claude-code.token", retry_after=3)
    clock.advance(LIFETIME)

    grant = keeper.access(connection_id)

    assert grant.token == stored_tokens(database, connection_id).access_token
    assert fake.count("claude-code.token") == 2 and waits == [3.0]


def test_a_failing_token_endpoint_makes_the_account_unavailable_for_a_while(
    new_keeper, fake, clock, database, sign_in
):
    waits = Waits()
    keeper = new_keeper(sleep=waits)
    signed_in = sign_in()
    connection_id = keeper.save_signed_in(signed_in)
    fake.fail_token(503, times=3, endpoint="claude-code.token")
    clock.advance(LIFETIME)
    pause = RenewalPolicy().failure_pause

    with pytest.raises(TokenUnavailable) as unavailable:
        keeper.access(connection_id)
    assert unavailable.value.retry_after == pause
    assert fake.count("claude-code.token") == 3 and waits == [1.0, 2.0]
    with pytest.raises(TokenUnavailable):
        keeper.access(connection_id)
    assert fake.count("claude-code.token") == 3  # paused: the pipeline tries another account
    clock.advance(pause)
    grant = keeper.access(connection_id)
    renewed = stored_tokens(database, connection_id).access_token
    assert grant.token == renewed != signed_in.access_token


def test_refresh_now_renews_a_token_that_is_not_due(new_keeper, fake, clock, sign_in):
    keeper = new_keeper()
    signed_in = sign_in()
    connection_id = keeper.save_signed_in(signed_in)
    assert keeper.access(connection_id).token == signed_in.access_token

    renewed = keeper.refresh_now(connection_id)

    assert renewed.token != signed_in.access_token
    assert keeper.access(connection_id).token == renewed.token
    assert fake.count("claude-code.token") == 1


def test_the_hot_path_is_served_from_memory(new_keeper, fake, clock, database, sign_in):
    keeper = new_keeper()
    signed_in = sign_in()
    connection_id = keeper.save_signed_in(signed_in)
    keeper.access(connection_id)
    with database.connection_context():
        connections.delete_connection(connection_id)  # behind the keeper's back
    assert keeper.access(connection_id).token == signed_in.access_token
    keeper.forget(connection_id)
    with pytest.raises(NeedsSignIn):
        keeper.access(connection_id)


def test_copilot_exchanges_the_github_token_and_renews_at_refresh_in(
    new_keeper, fake, clock, sign_in
):
    keeper = new_keeper()
    signed_in = sign_in("github-copilot")
    connection_id = keeper.save_signed_in(signed_in)

    grant = keeper.access(connection_id)
    exchange = fake.requests[-1]
    assert exchange.endpoint == "github-copilot.copilot_token"
    assert exchange.headers["authorization"] == f"token {signed_in.access_token}"
    assert exchange.headers["editor-version"].startswith("vscode/")
    assert grant.token.startswith("tid=") and grant.token in fake.state.copilot
    assert dict(grant.extra) == {"api": fake.copilot_api}
    refresh_in = fake.copilot_lifetime - 300
    clock.advance(refresh_in - 1)
    assert keeper.access(connection_id).token == grant.token
    assert fake.count("github-copilot.copilot_token") == 1
    clock.advance(1)

    renewed = keeper.access(connection_id)

    assert renewed.token.startswith("tid=") and renewed.token != grant.token
    assert fake.count("github-copilot.copilot_token") == 2
    fake.revoke(signed_in.access_token)  # the GitHub token was revoked
    clock.advance(refresh_in)
    with pytest.raises(NeedsSignIn) as needs:
        keeper.access(connection_id)
    assert needs.value.reason.startswith("http_401")


def test_kiro_refreshes_with_its_client_registration_in_its_region(
    new_keeper, fake, clock, providers
):
    keeper = new_keeper()
    kiro = providers["kiro"]
    started = start_device(kiro, region="eu-central-1")
    fake.approve(started.user_code)
    signed_in = poll_once(kiro, started.device, clock=clock)
    connection_id = keeper.save_signed_in(signed_in)
    clock.advance(LIFETIME)

    grant = keeper.access(connection_id)

    assert grant.token != signed_in.access_token and grant.token in fake.state.access
    refresh = fake.requests[-1]
    assert (refresh.endpoint, refresh.region) == ("kiro.token", "eu-central-1")
    assert refresh.body["refreshToken"] == signed_in.refresh_token
    assert "clientSecret" not in grant.extra and grant.extra["region"] == "eu-central-1"


def test_gemini_refreshes_with_the_client_secret_and_keeps_its_refresh_token(
    new_keeper, fake, clock, monkeypatch, sign_in
):
    monkeypatch.setenv("GEMINI_CLI_OAUTH_CLIENT_SECRET", GOOGLE_SECRET)
    keeper = new_keeper()
    signed_in = sign_in("gemini-cli")
    connection_id = keeper.save_signed_in(signed_in)
    for _ in range(2):
        clock.advance(LIFETIME)
        assert keeper.access(connection_id).token in fake.state.access
    refreshes = [r.body for r in fake.requests if r.endpoint == "gemini-cli.token"]
    assert [body["refresh_token"] for body in refreshes] == [signed_in.refresh_token] * 2
    assert {body["client_secret"] for body in refreshes} == {GOOGLE_SECRET}


def test_no_token_is_in_the_clear_in_the_database_file(new_keeper, fake, clock, tmp_path, sign_in):
    keeper = new_keeper()
    claude = keeper.save_signed_in(sign_in())
    copilot = keeper.save_signed_in(sign_in("github-copilot"))
    keeper.access(copilot)
    clock.advance(LIFETIME)
    keeper.access(claude)

    stored = b"".join(path.read_bytes() for path in tmp_path.glob("store.db*"))
    issued = [*fake.state.access, *fake.state.refresh, *fake.state.copilot]
    assert len(issued) == 6  # Claude: 2 sign-in + 2 renewed; GitHub; Copilot
    for token in issued:
        assert token.encode() not in stored


def test_no_token_is_in_a_refusal_or_the_log(new_keeper, fake, clock, sign_in, caplog):
    caplog.set_level(logging.INFO)
    keeper = new_keeper(sleep=Waits())
    signed_in = sign_in()
    connection_id = keeper.save_signed_in(signed_in)
    fake.revoke(signed_in.refresh_token)
    clock.advance(LIFETIME)
    with pytest.raises(NeedsSignIn) as needs:
        keeper.access(connection_id)
    shown = [str(needs.value), *(record.getMessage() for record in caplog.records)]
    for text in shown:
        assert signed_in.refresh_token not in text and signed_in.access_token not in text
