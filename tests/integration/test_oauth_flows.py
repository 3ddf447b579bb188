"""Browser sign-ins end to end against the fake OAuth server on 127.0.0.1: the authorization
code with PKCE, completed by every shape a user can paste (Claude's `code#state` page, a
failed localhost redirect, a bare query, a fragment, Google's bare code) and by the one-shot
loopback listener; `state` checked every time; expiry on a clock the test moves."""

from __future__ import annotations

import re
import socket
import time

import pytest
import requests

from omniroute.oauth.authorization import exchange_code
from omniroute.oauth.loopback import LoopbackListener
from omniroute.oauth.sign_in import SignInError, status_public
from omniroute.oauth.token_endpoint import TokenEndpointError


@pytest.fixture(autouse=True)
def consenting_user(fake):
    fake.deny_authorize = False  # a test that refuses consent sets it for itself


def browser_redirect(authorize_url: str) -> str:
    """Open the authorize URL as the browser would; where the provider sends it back."""
    answer = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def hosted_code(redirect: str) -> str:
    """What the provider's own code page shows for the user to copy."""
    page = requests.get(redirect, timeout=10).text
    return re.search(r'<code id="code">(.*?)</code>', page).group(1)


def split_redirect(redirect: str) -> tuple[str, str]:
    code = re.search(r"code=([^&]+)", redirect).group(1)
    state = re.search(r"state=([^&]+)", redirect).group(1)
    return code, state


# -- paste ---------------------------------------------------------------------------------
def test_claude_hosted_page_code_hash_state(service, saved, fake):
    started = service.start("claude-code")
    assert started.flow == "paste"
    shown = hosted_code(browser_redirect(started.authorize_url))
    assert shown.endswith("#" + started.state)

    status = service.callback("claude-code", shown, started.state)

    assert (status.status, status.connection_id) == ("done", 1)
    (signed_in,) = saved
    assert signed_in.provider == "claude-code"
    assert signed_in.account == fake.accounts["claude-code"]
    assert signed_in.access_token.startswith("sk-ant-oat01-")
    assert signed_in.refresh_token.startswith("sk-ant-ort01-")
    assert service.status("claude-code", started.state) == status


PASTE_SHAPES = {
    "full URL": lambda redirect, code, state: redirect,
    "URL with a fragment": lambda redirect, code, state: redirect.replace("?", "#"),
    "bare query": lambda redirect, code, state: f"?code={code}&state={state}",
    "code=…&state=…": lambda redirect, code, state: f"state={state}&code={code}",
    "fragment": lambda redirect, code, state: f"#code={code}&state={state}",
    "fragment without state": lambda redirect, code, state: f"#code={code}",
    "code#state": lambda redirect, code, state: f"{code}#{state}",
    "bare code": lambda redirect, code, state: code,
}


@pytest.mark.parametrize("shape", PASTE_SHAPES)
def test_codex_paste_of_every_shape(service, saved, fake, shape):
    """On a VPS the browser lands on a localhost page that fails; the user copies it."""
    started = service.start("codex", "paste")
    redirect = browser_redirect(started.authorize_url)
    assert redirect.startswith(fake.codex_redirect + "?")
    code, state = split_redirect(redirect)
    assert state == started.state

    status = service.callback("codex", PASTE_SHAPES[shape](redirect, code, state), started.state)

    assert status.status == "done"
    (signed_in,) = saved
    assert signed_in.account == fake.accounts["codex"]
    assert signed_in.extra["chatgpt_plan_type"] == "plus"
    assert signed_in.extra["chatgpt_account_id"].startswith("acct-")
    assert signed_in.expires_at is not None


def test_a_paste_carrying_its_state_needs_no_state_from_the_dashboard(service, saved):
    started = service.start("claude-code")
    shown = hosted_code(browser_redirect(started.authorize_url))
    assert service.callback("claude-code", shown).status == "done"


def test_gemini_code_page_shows_the_code_alone(service, saved, fake):
    started = service.start("gemini-cli")
    shown = hosted_code(browser_redirect(started.authorize_url))
    assert "#" not in shown
    assert service.callback("gemini-cli", shown, started.state).status == "done"
    assert saved[0].account == fake.accounts["gemini-cli"]


def test_a_paste_for_another_sign_in_is_refused_and_spends_nothing(service, saved, fake):
    first = service.start("claude-code")
    second = service.start("claude-code")
    shown = hosted_code(browser_redirect(first.authorize_url))
    tokens_before = fake.count("claude-code.token")
    with pytest.raises(SignInError) as error:
        service.callback("claude-code", shown, second.state)
    assert error.value.code == "state_mismatch"
    assert fake.count("claude-code.token") == tokens_before
    assert service.callback("claude-code", shown, first.state).status == "done"


@pytest.mark.parametrize(
    ("pasted", "state", "code", "http_status"),
    [
        ("ac_x#made-up-state", None, "unknown_state", 400),
        ("ac_x", None, "missing_state", 400),
        ("", "any", "invalid_paste", 400),
        ("http://localhost/cb?error=access_denied&state=s", "s", "invalid_paste", 400),
    ],
)
def test_bad_pastes_are_clear_errors(service, pasted, state, code, http_status):
    with pytest.raises(SignInError) as error:
        service.callback("claude-code", pasted, state)
    assert (error.value.code, error.value.http_status) == (code, http_status)


def test_a_state_of_another_provider_is_refused(service):
    started = service.start("claude-code")
    with pytest.raises(SignInError) as error:
        service.callback("codex", f"ac_x#{started.state}")
    assert error.value.code == "wrong_provider"


def test_a_sign_in_expires_after_ten_minutes(service, clock, fake):
    started = service.start("claude-code")
    shown = hosted_code(browser_redirect(started.authorize_url))
    clock.advance(600)
    with pytest.raises(SignInError) as error:
        service.callback("claude-code", shown, started.state)
    assert error.value.code == "expired"
    status = service.status("claude-code", started.state)
    assert status.status == "failed" and "expired" in status.reason


def test_a_code_is_completed_once(service):
    started = service.start("claude-code")
    shown = hosted_code(browser_redirect(started.authorize_url))
    service.callback("claude-code", shown, started.state)
    with pytest.raises(SignInError) as error:
        service.callback("claude-code", shown, started.state)
    assert (error.value.code, error.value.http_status) == ("finished", 409)


def test_a_refused_code_fails_the_sign_in(service, fake):
    started = service.start("claude-code")
    browser_redirect(started.authorize_url)
    with pytest.raises(SignInError) as error:
        service.callback("claude-code", f"ac_forged#{started.state}")
    assert (error.value.code, error.value.http_status) == ("provider_refused", 400)
    status = service.status("claude-code", started.state)
    assert status.status == "failed"
    assert "invalid_grant" in status.reason


def test_a_token_endpoint_outage_lets_the_user_paste_again(service, fake):
    started = service.start("codex", "paste")
    redirect = browser_redirect(started.authorize_url)
    fake.fail_token(503, times=1, endpoint="codex.token")
    with pytest.raises(SignInError) as error:
        service.callback("codex", redirect, started.state)
    assert (error.value.code, error.value.http_status) == ("provider_refused", 502)
    assert service.status("codex", started.state).status == "pending"
    assert service.callback("codex", redirect, started.state).status == "done"


def test_the_exchange_proves_the_verifier_and_the_redirect(service, fake):
    """The fake refuses a wrong verifier or redirect, as the real server does."""
    provider = service.providers["codex"]
    started = service.start("codex", "paste")
    code, _ = split_redirect(browser_redirect(started.authorize_url))
    sign_in = service.flows.pending(started.state, "codex")
    for verifier, redirect in [
        ("w" * 64, sign_in.redirect_uri),
        (sign_in.verifier, "http://localhost:1/elsewhere"),
    ]:
        with pytest.raises(TokenEndpointError) as error:
            exchange_code(provider, code=code, verifier=verifier, redirect_uri=redirect)
        assert error.value.code == "invalid_grant"
    signed_in = exchange_code(
        provider, code=code, verifier=sign_in.verifier, redirect_uri=sign_in.redirect_uri
    )
    assert signed_in.account == fake.accounts["codex"]


def test_claude_exchange_sends_state_in_a_json_body(service, fake):
    started = service.start("claude-code")
    service.callback("claude-code", hosted_code(browser_redirect(started.authorize_url)))
    exchange = [r for r in fake.requests if r.endpoint == "claude-code.token"][-1]
    assert exchange.body_style == "json"
    assert exchange.body["state"] == started.state
    assert exchange.body["grant_type"] == "authorization_code"


def test_nothing_secret_leaves_through_start_or_status(service):
    started = service.start("claude-code")
    sign_in = service.flows.pending(started.state, "claude-code")
    shown = str(started.public()) + str(status_public(service.status("claude-code", started.state)))
    assert sign_in.verifier not in shown
    assert "authorizeUrl" in started.public()


def test_discontinued_and_unknown_providers_and_flows_are_refused(service):
    for provider, flow, code, status in [
        ("qwen", None, "discontinued", 400),
        ("iflow", None, "discontinued", 400),
        ("nobody", None, "unknown_provider", 404),
        ("github-copilot", "paste", "flow_not_offered", 400),
        ("claude-code", "import", "flow_not_offered", 400),
    ]:
        with pytest.raises(SignInError) as error:
            service.start(provider, flow)
        assert (error.value.code, error.value.http_status) == (code, status)


# -- loopback ------------------------------------------------------------------------------
def test_claude_loopback_on_a_free_port(service, saved, fake):
    started = service.start("claude-code", "loopback")
    redirect_uri = service.flows.pending(started.state, "claude-code").redirect_uri
    assert re.fullmatch(r"http://localhost:\d+/oauth/callback", redirect_uri)

    page = requests.get(started.authorize_url, timeout=10)  # the browser follows the redirect

    assert page.status_code == 200
    assert "You can close this tab" in page.text
    status = service.status("claude-code", started.state)
    assert (status.status, status.connection_id) == ("done", 1)
    assert saved[0].account == fake.accounts["claude-code"]
    with pytest.raises(requests.ConnectionError):  # the listener closed after one redirect
        requests.get(redirect_uri, timeout=10)


def test_codex_loopback_on_its_one_fixed_port(service, saved, fake):
    started = service.start("codex")
    assert started.flow == "loopback"
    page = requests.get(started.authorize_url, timeout=10)
    assert "You can close this tab" in page.text
    assert service.status("codex", started.state).status == "done"
    assert saved[0].extra["chatgpt_plan_type"] == "plus"


def bind_when_free(sock: socket.socket, port: int, seconds: float = 10.0) -> None:
    """Bind `sock` to `port` once an earlier test's one-shot listener there has closed."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            sock.bind(("127.0.0.1", port))
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_a_busy_loopback_port_points_at_paste_or_device(service, fake):
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past TIME_WAIT
        bind_when_free(squatter, fake.codex_port)
        squatter.listen()
        with pytest.raises(SignInError) as error:
            service.start("codex", "loopback")
    assert (error.value.code, error.value.http_status) == ("port_busy", 409)
    assert "paste or device" in str(error.value)


def test_a_refusal_in_the_browser_fails_the_loopback_sign_in(service, saved, fake):
    fake.deny_authorize = True
    started = service.start("claude-code", "loopback")
    page = requests.get(started.authorize_url, timeout=10)
    assert page.status_code == 400
    assert "access_denied" in page.text
    status = service.status("claude-code", started.state)
    assert status.status == "failed" and "access_denied" in status.reason
    assert saved == []


def test_a_forged_redirect_to_the_listener_is_refused(service, saved, fake):
    started = service.start("claude-code", "loopback")
    redirect_uri = service.flows.pending(started.state, "claude-code").redirect_uri
    tokens_before = fake.count("claude-code.token")
    page = requests.get(f"{redirect_uri}?code=ac_forged&state=another", timeout=10)
    assert page.status_code == 400
    assert "another sign-in" in page.text
    assert saved == []
    assert fake.count("claude-code.token") == tokens_before  # the code was never sent


def test_the_listener_answers_only_its_path(fake):
    received = []
    listener = LoopbackListener(
        "http://localhost:{port}/oauth/callback", lambda code, state: received.append(code)
    ).start()
    try:
        assert listener.port not in (0, 80)  # `{port}`: a free port picked by the system
        assert listener.redirect_uri == f"http://localhost:{listener.port}/oauth/callback"
        assert requests.get(f"http://127.0.0.1:{listener.port}/favicon.ico").status_code == 404
        assert not listener.closed
        ok = requests.get(f"{listener.redirect_uri}?code=c1&state=s1", timeout=10)
        assert ok.status_code == 200
        assert received == ["c1"]
    finally:
        listener.close()
    assert listener.closed


def test_the_listener_closes_when_the_sign_in_expires():
    listener = LoopbackListener(
        "http://localhost:{port}/cb", lambda code, state: None, timeout=0.0
    ).start()
    listener.close()  # waits for the serving thread, which stops at its deadline
    assert listener.closed
    with pytest.raises(requests.ConnectionError):
        requests.get(listener.redirect_uri, timeout=10)


def test_a_non_loopback_redirect_is_refused():
    with pytest.raises(ValueError, match="not a loopback redirect"):
        LoopbackListener("https://example.com/cb", lambda code, state: None)
