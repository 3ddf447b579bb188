"""Device-code sign-ins end to end against the fake OAuth server: GitHub (RFC 8628), Codex
(deviceauth) and Kiro (AWS SSO-OIDC), each through pending, slow_down, expiry and refusal, polled
one step per status request on a clock the test moves."""

from __future__ import annotations

import pytest

from omniroute.oauth.sign_in import SignInError

POLL_ENDPOINT = {
    "github-copilot": "github-copilot.token",
    "codex": "codex.device_token",
    "kiro": "kiro.token",
}


@pytest.fixture(autouse=True)
def aws_errors_in_their_usual_field(fake):
    fake.aws_error_style = "error"  # a test of the `__type` style sets it for itself


def polls(fake, provider: str) -> int:
    return fake.count(POLL_ENDPOINT[provider])


def wait_and_check(service, clock, provider, started, seconds):
    clock.advance(seconds)
    return service.status(provider, started.state)


@pytest.mark.parametrize("provider", ["github-copilot", "codex", "kiro"])
def test_pending_until_the_user_enters_the_code(service, saved, fake, clock, provider):
    started = service.start(provider, "device")
    assert started.flow == "device"
    assert started.user_code and started.verification_url.startswith(fake.url)
    assert started.interval > 0

    first = polls(fake, provider)
    assert service.status(provider, started.state).status == "pending"
    assert polls(fake, provider) == first  # the interval has not passed: no poll yet
    assert wait_and_check(service, clock, provider, started, started.interval).status == "pending"
    assert polls(fake, provider) == first + 1

    fake.approve(started.user_code)
    done = wait_and_check(service, clock, provider, started, started.interval)

    assert (done.status, done.connection_id) == ("done", 1)
    assert saved[0].provider == provider
    assert service.status(provider, started.state) == done  # no further polling once done


def test_github_account_is_the_login_from_the_user_endpoint(service, saved, fake, clock):
    started = service.start("github-copilot")
    fake.approve(started.user_code)
    wait_and_check(service, clock, "github-copilot", started, started.interval)
    assert saved[0].account == fake.accounts["github-copilot"]
    assert saved[0].access_token.startswith("ghu_")
    assert fake.count("github-copilot.user") >= 1


@pytest.mark.parametrize(
    ("provider", "style"),
    [
        ("github-copilot", "error"),
        ("codex", "error"),
        ("kiro", "error"),  # {"error": "slow_down"} with the name in x-amzn-ErrorType
        ("kiro", "type"),  # {"__type": "SlowDownException"}
    ],
)
def test_slow_down_adds_five_seconds_to_the_interval(service, fake, clock, provider, style):
    fake.aws_error_style = style
    started = service.start(provider, "device")
    interval = started.interval
    fake.script_device(started.user_code, "authorization_pending", "slow_down")
    assert wait_and_check(service, clock, provider, started, interval).status == "pending"
    assert wait_and_check(service, clock, provider, started, interval).status == "pending"
    before = polls(fake, provider)
    fake.approve(started.user_code)
    assert wait_and_check(service, clock, provider, started, interval).status == "pending"
    assert polls(fake, provider) == before  # still waiting: the interval grew by 5 s
    assert wait_and_check(service, clock, provider, started, 5).status == "done"


@pytest.mark.parametrize("provider", ["github-copilot", "codex", "kiro"])
@pytest.mark.parametrize("style", ["error", "type"])
def test_an_expired_device_code_fails_the_sign_in(service, saved, fake, clock, provider, style):
    fake.aws_error_style = style
    started = service.start(provider, "device")
    fake.expire(started.user_code)
    status = wait_and_check(service, clock, provider, started, started.interval)
    assert status.status == "failed"
    assert "expired" in status.reason
    assert saved == []


@pytest.mark.parametrize("provider", ["github-copilot", "kiro"])
def test_a_refusal_on_the_providers_page_fails_the_sign_in(service, saved, fake, clock, provider):
    started = service.start(provider, "device")
    fake.deny(started.user_code)
    status = wait_and_check(service, clock, provider, started, started.interval)
    assert status.status == "failed"
    assert "refused" in status.reason
    assert saved == []


def test_codex_pending_is_403_or_404_then_the_code_exchange(service, saved, fake, clock):
    started = service.start("codex", "device")
    fake.script_device(started.user_code, "authorization_pending", "not_found")
    assert wait_and_check(service, clock, "codex", started, 5).status == "pending"
    assert wait_and_check(service, clock, "codex", started, 5).status == "pending"
    exchanges = fake.count("codex.token")
    fake.approve(started.user_code)
    assert wait_and_check(service, clock, "codex", started, 5).status == "done"
    assert fake.count("codex.token") == exchanges + 1  # with the device redirect
    exchange = [r for r in fake.requests if r.endpoint == "codex.token"][-1]
    assert exchange.body["redirect_uri"] == f"{fake.url}/codex/deviceauth/callback"
    assert saved[0].account == fake.accounts["codex"]
    assert saved[0].extra["chatgpt_plan_type"] == "plus"


def test_kiro_keeps_the_client_registration_and_region(service, saved, fake, clock):
    started = service.start("kiro", region="eu-west-1")
    fake.approve(started.user_code)
    assert wait_and_check(service, clock, "kiro", started, 1).status == "done"
    extra = saved[0].extra
    assert extra["region"] == "eu-west-1"
    assert fake.state.aws_clients[extra["clientId"]] == (extra["clientSecret"], "eu-west-1")
    register = [r for r in fake.requests if r.endpoint == "kiro.register"][-1]
    assert register.region == "eu-west-1"
    assert register.body["clientType"] == "public"


def test_an_invalid_region_never_reaches_a_url(service, fake):
    before = fake.count("kiro.register")
    with pytest.raises(SignInError) as error:
        service.start("kiro", region="us-east-1.evil.example/x")
    assert (error.value.code, error.value.http_status) == ("invalid_region", 400)
    assert fake.count("kiro.register") == before


def test_a_device_sign_in_expires_after_ten_minutes_without_polling(service, fake, clock):
    started = service.start("github-copilot")
    before = polls(fake, "github-copilot")
    status = wait_and_check(service, clock, "github-copilot", started, 600)
    assert status.status == "failed" and "expired" in status.reason
    assert polls(fake, "github-copilot") == before


def test_a_token_endpoint_outage_keeps_polling(service, fake, clock):
    started = service.start("github-copilot")
    fake.fail_token(503, times=1, endpoint="github-copilot.token")
    assert wait_and_check(service, clock, "github-copilot", started, 5).status == "pending"
    fake.approve(started.user_code)
    assert wait_and_check(service, clock, "github-copilot", started, 5).status == "done"


def test_a_device_sign_in_is_not_completed_by_a_paste(service):
    started = service.start("github-copilot")
    with pytest.raises(SignInError) as error:
        service.callback("github-copilot", "ac_1", started.state)
    assert error.value.code == "wrong_flow"
    assert service.status("github-copilot", started.state).status == "pending"


def test_the_device_code_never_leaves_through_start(service, fake):
    started = service.start("github-copilot")
    device_code = service.flows.pending(started.state, "github-copilot").device["device_code"]
    assert device_code not in str(started.public())
    assert started.public()["userCode"] == started.user_code
