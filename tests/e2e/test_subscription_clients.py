"""Real clients on signed-in subscription accounts (`cc/…`, `cx/…`, `gh/…`), end to end.

The gateway's accounts are signed in through its own sign-in, against the fake OAuth server
(tests/fakes/oauth_server.py; DATA_DIR/oauth-providers.json points every URL at it): Claude
Code by pasting what its hosted page shows, Codex by importing the CLI's auth.json, GitHub
Copilot with a device code. Their calls reach the strict fake subscription upstreams
(tests/fakes/subscriptions.py), which accept only the tokens that sign-in issued and refuse
what the real APIs refuse (an x-api-key, a Bearer token without the OAuth beta flag or
`?beta=true`, a Codex call not streamed or stored, a Copilot call without its editor headers,
a `*-codex` model at Copilot's /chat/completions).

The clients: Claude Code and the Codex CLI (the pinned npm packages in e2e/, offline, run as
test_e2e_clients.py runs them) and the openai and anthropic SDKs. Each test checks that the text
the fake wrote reached the client, and what the fake received: the account's own token as
Bearer, the headers its API requires, no x-api-key and never the gateway's own API key.
Last, the guide's maximize-claude combo with Claude Code: while the Claude window is spent the
cheap key answers, and after the window's reset (a few seconds) the subscription answers again.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import anthropic
import openai
import pytest
import requests

from tests.admin_api import AdminApi
from tests.e2e.test_e2e_clients import claude_env, cli, codex_config, run
from tests.fake_clock import FakeClock
from tests.fake_upstream import Behavior
from tests.fakes import oauth_devices
from tests.fakes.oauth_server import OAuthFake
from tests.fakes.oauth_tokens import chatgpt_account_id
from tests.fakes.recording import Recorded
from tests.fakes.subscriptions import SubscriptionUpstream, issued_by
from tests.gateway_harness import Gateway, start_gateway

CLAUDE, CODEX = "cc/claude-opus-4-6", "cx/gpt-5.2-codex"
COPILOT, COPILOT_CODEX = "gh/gpt-5", "gh/gpt-5.3-codex"
FAKE_OF = {"cc": "claude", "cx": "codex", "gh": "copilot"}  # model prefix → fake upstream
OAUTH_ID = {"claude": "claude-code", "codex": "codex"}
OAUTH_BETAS = ["claude-code-20250219", "oauth-2025-04-20"]
REST_SECONDS = 3  # the spent Claude window resets this long after the refused call


# -- the fakes and a gateway signed in to one account of each provider ---------------------------
@pytest.fixture(scope="module")
def oauth():
    server = OAuthFake().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def subscription_server(oauth):
    server = SubscriptionUpstream().start()
    oauth.copilot_api = server.base_url("copilot")  # the API base Copilot's token exchange names
    yield server
    server.stop()


@pytest.fixture
def fake(subscription_server, oauth):
    subscription_server.reset()
    subscription_server.issuer = issued_by(oauth)
    yield subscription_server
    subscription_server.reset()
    subscription_server.clock = time.time


@pytest.fixture(scope="module")
def subscribed(tmp_path_factory, oauth, subscription_server):
    """A gateway requiring API keys, signed in to Claude (paste), Codex (import) and Copilot
    (device code), its Claude and Codex accounts pointed at the fakes."""
    gateway = keyed_gateway(tmp_path_factory.mktemp("subscribed"), oauth)
    admin = AdminApi(gateway)
    sign_in_by_paste(admin, oauth, subscription_server)
    import_codex_file(admin, oauth, subscription_server)
    sign_in_by_device(admin, oauth)
    yield gateway
    gateway.stop()


def keyed_gateway(data_dir: Path, oauth: OAuthFake) -> Gateway:
    oauth.overrides(data_dir)
    gateway = start_gateway(str(data_dir), REQUIRE_API_KEY=True)
    with gateway.admin() as admin:
        created = admin.post(gateway.url + "/api/keys", json={"name": "clients"})
    assert created.status_code == 201, created.text
    gateway.key = created.json()["key"]
    return gateway


def sign_in_by_paste(admin: AdminApi, oauth: OAuthFake, fake: SubscriptionUpstream) -> str:
    """Claude Code's paste flow, as a user does it; the account's access token."""
    before = set(oauth.state.access)
    started = admin.json("GET", "/api/oauth/claude-code/start?flow=paste")
    redirect = requests.get(started["authorizeUrl"], allow_redirects=False, timeout=10)
    page = requests.get(redirect.headers["Location"], timeout=10).text
    shown = re.search(r'<code id="code">(.*?)</code>', page).group(1)  # `code#state`
    done = admin.json("POST", "/api/oauth/claude-code/callback", json={"value": shown})
    assert done["status"] == "done", done
    point_at(admin, done["connectionId"], fake.base_url("claude"))
    [token] = set(oauth.state.access) - before
    return token


def import_codex_file(admin: AdminApi, oauth: OAuthFake, fake: SubscriptionUpstream) -> None:
    """An upload of the Codex CLI's ~/.codex/auth.json holding tokens the fake issued."""
    issued = oauth.issue_tokens("codex")
    account_id = chatgpt_account_id(oauth.accounts["codex"])
    auth = {
        "OPENAI_API_KEY": None,
        "tokens": {
            "id_token": issued["id_token"],
            "access_token": issued["access_token"],
            "refresh_token": issued["refresh_token"],
            "account_id": account_id,
        },
        "last_refresh": "2026-11-20T10:00:00Z",
    }
    upload = {"file": ("auth.json", json.dumps(auth).encode())}
    created = admin.json("POST", "/api/oauth/codex/import", 201, files=upload)
    point_at(admin, created["connectionId"], fake.base_url("codex"))


def sign_in_by_device(admin: AdminApi, oauth: OAuthFake) -> None:
    """GitHub's device code, entered and approved; the Copilot API base comes with the token."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(oauth_devices, "GITHUB_INTERVAL", 1)
        started = admin.json("GET", "/api/oauth/github-copilot/start?flow=device")
    oauth.approve(started["userCode"])
    status, deadline = {"status": "pending"}, time.monotonic() + 15
    while status["status"] == "pending" and time.monotonic() < deadline:
        time.sleep(0.25)
        status = admin.json("GET", f"/api/oauth/github-copilot/status?state={started['state']}")
    assert status["status"] == "done", status


def point_at(admin: AdminApi, connection_id: int, base_url: str) -> None:
    admin.json("PUT", f"/api/providers/{connection_id}", json={"baseUrl": base_url})


# -- what every call to a subscription upstream must carry ---------------------------------------
def calls_to(fake: SubscriptionUpstream, model: str) -> list[Recorded]:
    """The calls the client's requests for `model` made (its own provider's, that model's)."""
    prefix, _, name = model.partition("/")
    calls = [r for r in fake.requests_to(FAKE_OF[prefix]) if r.model == name]
    assert calls, f"nothing reached the fake for {model}"
    return calls


def assert_called_as_the_account(
    fake: SubscriptionUpstream, oauth: OAuthFake, gateway: Gateway, model: str
) -> list[Recorded]:
    """Each call for `model` carried the signed-in account's token and what its API needs."""
    assert fake.refusals == []
    calls = calls_to(fake, model)
    provider = FAKE_OF[model.partition("/")[0]]
    for sent in calls:
        scheme, _, token = sent.headers["authorization"].partition(" ")
        assert scheme == "Bearer"
        assert "x-api-key" not in sent.headers
        assert gateway.key not in json.dumps(sent.headers)
        if provider == "copilot":  # the Copilot token exchanged for the account's GitHub token
            github_token = oauth.state.copilot[token]
            assert oauth.state.access[github_token] == ("github-copilot", "octocat")
            assert sent.headers["copilot-integration-id"] == "vscode-chat"
            assert sent.headers["editor-version"].startswith("vscode/")
            continue
        account = oauth.accounts[OAUTH_ID[provider]]
        assert oauth.state.access[token] == (OAUTH_ID[provider], account)
        if provider == "claude":
            assert sent.headers["anthropic-beta"].split(",")[:2] == OAUTH_BETAS
            assert sent.query["beta"] == "true" and sent.headers["anthropic-version"]
        else:
            assert sent.headers["chatgpt-account-id"] == chatgpt_account_id(account)
            assert sent.body["store"] is False and sent.body["stream"] is True
    return calls


# -- Claude Code ---------------------------------------------------------------------------------
def run_claude_code(gateway: Gateway, model: str, home: Path) -> str:
    """`claude -p` with `model`; the result text it printed."""
    home.mkdir(exist_ok=True)
    env = {**claude_env(gateway, home), "ANTHROPIC_API_KEY": gateway.key}
    command = [cli("claude"), "-p", "say something", "--model", model, "--output-format", "json"]
    result = run(command, env, cwd=home)
    assert result.returncode == 0, result.stderr[-2000:] + result.stdout[-2000:]
    return json.loads(result.stdout)["result"]


@pytest.mark.parametrize(
    "model",
    [
        pytest.param(CLAUDE, id="anthropic-passthrough-to-claude"),
        pytest.param(CODEX, id="anthropic-to-codex-responses"),
    ],
)
def test_claude_code_on_a_subscription(subscribed, fake, oauth, tmp_path, model):
    text = f"Answered by {model} for Claude Code."
    fake.add(Behavior(text=text), model=model.partition("/")[2])
    assert run_claude_code(subscribed, model, tmp_path / "home") == text
    assert_called_as_the_account(fake, oauth, subscribed, model)


# -- Codex CLI -----------------------------------------------------------------------------------
def run_codex(gateway: Gateway, model: str, tmp_path: Path) -> str:
    """`codex exec` with `model` on the gateway; what it printed."""
    codex_home = codex_config(tmp_path, model, gateway.v1)
    env = {"CODEX_HOME": str(codex_home), "OMNIROUTE_API_KEY": gateway.key, "HOME": str(tmp_path)}
    command = [cli("codex"), "exec", "--skip-git-repo-check", "say something"]
    result = run(command, env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-2000:]
    return result.stdout


@pytest.mark.parametrize(
    "model",
    [
        pytest.param(CLAUDE, id="responses-to-claude"),
        pytest.param(COPILOT, id="responses-to-copilot-chat"),
        pytest.param(COPILOT_CODEX, id="responses-passthrough-to-copilot-codex"),
    ],
)
def test_codex_cli_on_a_subscription(subscribed, fake, oauth, tmp_path, model):
    text = f"Answered by {model} for Codex."
    fake.add(Behavior(text=text), model=model.partition("/")[2])
    assert text in run_codex(subscribed, model, tmp_path)
    calls = assert_called_as_the_account(fake, oauth, subscribed, model)
    if model == COPILOT_CODEX:
        assert {sent.path for sent in calls} == {"/copilot/responses"}


# -- the SDKs ------------------------------------------------------------------------------------
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("model", [COPILOT, CODEX])
def test_openai_sdk_chat_on_a_subscription(subscribed, fake, oauth, model, stream):
    client = openai.OpenAI(base_url=subscribed.v1, api_key=subscribed.key, max_retries=0)
    messages = [{"role": "user", "content": "hello there"}]
    if stream:
        chunks = client.chat.completions.create(model=model, messages=messages, stream=True)
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    else:
        reply = client.chat.completions.create(model=model, messages=messages)
        text = reply.choices[0].message.content
    assert text == "echo: hello there"
    assert_called_as_the_account(fake, oauth, subscribed, model)


@pytest.mark.parametrize(
    "model, stream", [(CODEX, False), (COPILOT_CODEX, True)], ids=["codex-whole", "copilot-stream"]
)
def test_openai_sdk_responses_on_a_subscription(subscribed, fake, oauth, model, stream):
    client = openai.OpenAI(base_url=subscribed.v1, api_key=subscribed.key, max_retries=0)
    if stream:
        with client.responses.stream(model=model, input="hello there") as events:
            text = events.get_final_response().output_text
    else:
        text = client.responses.create(model=model, input="hello there").output_text
    assert text == "echo: hello there"
    assert_called_as_the_account(fake, oauth, subscribed, model)


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("model", [CLAUDE, COPILOT])
def test_anthropic_sdk_on_a_subscription(subscribed, fake, oauth, model, stream):
    client = anthropic.Anthropic(base_url=subscribed.url, api_key=subscribed.key, max_retries=0)
    asked = {
        "model": model,
        "max_tokens": 64,
        "messages": [{"role": "user", "content": "hello there"}],
    }
    if stream:
        with client.messages.stream(**asked) as events:
            text = events.get_final_text()
    else:
        text = client.messages.create(**asked).content[0].text
    assert text == "echo: hello there"
    assert_called_as_the_account(fake, oauth, subscribed, model)


# -- the guide's maximize-claude combo -----------------------------------------------------------
def test_maximize_claude_with_claude_code_falls_back_while_spent_and_returns_after_the_reset(
    tmp_path, oauth, fake, upstream
):
    gateway = keyed_gateway(tmp_path / "data", oauth)
    try:
        admin = AdminApi(gateway)
        token = sign_in_by_paste(admin, oauth, fake)
        admin.connect(upstream.url, "glm", name="cheap key", apiKey="sk-glm-cheap")
        admin.connect(upstream.url, "iflow", name="free", apiKey="sk-iflow-free")
        admin.combo("maximize-claude", [CLAUDE, "glm/glm-4.7", "if/kimi-k2-thinking"])
        fake.add(Behavior(text="From the Claude subscription."), model="claude-opus-4-6")
        upstream.add(Behavior(text="From the cheap key."), model="glm-4.7")
        # The fake's clock stands still until the refusal, so the window it reports as spent
        # resets REST_SECONDS after the refused call, however long the CLI takes to start.
        clock = FakeClock(float(int(time.time())))
        fake.clock = clock
        fake.exhaust("claude", token, until=clock() + REST_SECONDS)

        spent = run_claude_code(gateway, "maximize-claude", tmp_path / "home")
        ran_until = time.time()
        assert spent == "From the cheap key."
        refused = calls_to(fake, CLAUDE)
        assert {sent.headers["authorization"] for sent in refused} == {f"Bearer {token}"}
        assert [r.model for r in upstream.requests_for("openai")][:1] == ["glm-4.7"]

        clock.advance(REST_SECONDS)  # the window has reset…
        time.sleep(max(0.0, ran_until + REST_SECONDS + 0.2 - time.time()))  # …and the rest ends
        assert run_claude_code(gateway, "maximize-claude", tmp_path / "home") == (
            "From the Claude subscription."
        )
        assert len(calls_to(fake, CLAUDE)) > len(refused)
        assert fake.refusals == []
    finally:
        gateway.stop()
