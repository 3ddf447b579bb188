"""Session affinity over real HTTP: a gateway with three glm accounts on the fake upstream under
round-robin (one call per turn, so plain requests visibly rotate). One conversation stays on one
account while other conversations spread; when that account rests (a 429 cools it down, or its
provider's breaker opens) the conversation moves and then stays on the new account; the same
identity under another API key is another conversation; with affinity off the conversation
rotates like any request. Claude Code's and Codex's own identities (metadata.user_id,
prompt_cache_key) pin as the X-Session-Id header does, streamed or not."""

from __future__ import annotations

import pytest
import requests

from omniroute.routing.affinity import AffinityOptions
from omniroute.store.affinity_options import save_affinity_options
from tests.fake_upstream import Behavior

MODEL = "glm/glm-4.7"
GLM_KEYS = ["sk-glm-aaaa", "sk-glm-bbbb", "sk-glm-cccc"]
# provider id → (model through its prefix, the API key of its one account)
COMBO_TARGETS = {
    "glm": (MODEL, "sk-glm-0001"),
    "deepseek": ("ds/deepseek-chat", "sk-deepseek-0001"),
    "groq": ("groq/llama-3.3-70b-versatile", "sk-groq-0001"),
}
ROUND_ROBIN = {"routingStrategy": "round-robin", "stickyRoundRobinLimit": 1}


def add_account(gateway, upstream, provider: str, key: str, **fields) -> None:
    body = {"provider": provider, "name": key, "apiKey": key, "baseUrl": upstream.url, **fields}
    response = gateway.admin().post(gateway.url + "/api/providers", json=body)
    assert response.status_code == 201, response.text


def round_robin_accounts(gateway, upstream):
    for priority, key in enumerate(GLM_KEYS, 1):
        add_account(gateway, upstream, "glm", key, priority=priority)
    response = gateway.admin().patch(gateway.url + "/api/settings", json=ROUND_ROBIN)
    assert response.status_code == 200, response.text
    return gateway


@pytest.fixture
def three(gateway, upstream):
    return round_robin_accounts(gateway, upstream)


def chat(gateway, session: str | None, model: str = MODEL, api_key: str | None = None):
    headers = {}
    if session is not None:
        headers["X-Session-Id"] = session
    if api_key is not None:
        headers["Authorization"] = f"Bearer {api_key}"
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}]}
    response = requests.post(gateway.v1 + "/chat/completions", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response


def answered_by(upstream, call) -> str:
    """The key of the account that answered `call()` (the last upstream request it made)."""
    upstream.requests.clear()
    call()
    return letter(upstream.chat_requests()[-1].api_key)


def letter(key: str) -> str:
    return key[-1]  # sk-glm-aaaa → "a"


def test_one_conversation_stays_on_one_account_while_others_spread(three, upstream):
    ours, others = [], []
    for turn in range(6):
        ours.append(answered_by(upstream, lambda: chat(three, "conversation-1")))
        others.append(answered_by(upstream, lambda turn=turn: chat(three, f"other-{turn}")))
    assert len(set(ours)) == 1, ours
    assert set(others) == {"a", "b", "c"}, others
    plain = [answered_by(upstream, lambda: chat(three, None)) for _ in range(3)]
    assert sorted(plain) == ["a", "b", "c"]
    stats = three.services.pipeline.affinity.stats()
    assert stats["kept"] == 5 and stats["moved"] == 0
    assert stats["entries"] == 7


def test_a_conversation_moves_when_its_account_cools_down_then_stays(three, upstream):
    pinned = answered_by(upstream, lambda: chat(three, "conversation-1"))
    resting_key = next(key for key in GLM_KEYS if letter(key) == pinned)
    upstream.add(Behavior(status=429, headers={"Retry-After": "3600"}), api_key=resting_key)
    upstream.requests.clear()
    chat(three, "conversation-1")
    tried = [letter(r.api_key) for r in upstream.chat_requests()]
    assert tried[0] == pinned and len(tried) == 2  # the pin went first, then the fallback
    moved_to = tried[1]
    later = [answered_by(upstream, lambda: chat(three, "conversation-1")) for _ in range(5)]
    assert later == [moved_to] * 5
    assert pinned not in later
    stats = three.services.pipeline.affinity.stats()
    assert stats["moved"] == 1 and stats["kept"] == 5


def test_a_conversation_moves_when_its_providers_breaker_opens_then_stays(gateway, upstream):
    """A combo over three providers (one account each) taking turns: the conversation holds its
    target until that provider's breaker opens, then holds the one it moved to."""
    for provider, (_, key) in COMBO_TARGETS.items():
        add_account(gateway, upstream, provider, key)
    admin = gateway.admin()
    models = [model for model, _ in COMBO_TARGETS.values()]
    combo = {"name": "team", "models": models, "strategy": "round-robin"}
    assert admin.post(gateway.url + "/api/combos", json=combo).status_code == 201
    assert admin.patch(gateway.url + "/api/settings", json={"comboRetries": 0}).ok

    def provider_of(session: str) -> str:
        return chat(gateway, session, "team").headers["X-OmniRoute-Provider"]

    first = [provider_of("conversation-1") for _ in range(4)]
    assert len(set(first)) == 1, first
    assert len({provider_of(f"other-{n}") for n in range(3)}) == 3  # the combo takes turns
    failing = first[0]
    failing_model, failing_key = COMBO_TARGETS[failing]
    upstream.add(Behavior(status=500, error_message="down"), api_key=failing_key)
    breakers = gateway.services.resilience.breakers
    body = {"model": failing_model, "messages": [{"role": "user", "content": "hi"}]}
    for _ in range(20):  # plain calls to the failing provider until its breaker opens
        if not breakers.available(failing):
            break
        assert requests.post(gateway.v1 + "/chat/completions", json=body).status_code == 502
    assert not breakers.available(failing)
    after = [provider_of("conversation-1") for _ in range(5)]
    assert failing not in after
    assert len(set(after)) == 1, after


def test_the_same_identity_under_another_api_key_is_another_conversation(start, upstream):
    gateway = round_robin_accounts(start(REQUIRE_API_KEY=True), upstream)
    keys = []
    for name in ("laptop", "desktop"):
        response = gateway.admin().post(gateway.url + "/api/keys", json={"name": name})
        assert response.status_code == 201, response.text
        keys.append(response.json()["key"])
    laptop, desktop = keys

    def by(api_key: str) -> str:
        return answered_by(upstream, lambda: chat(gateway, "shared-id", api_key=api_key))

    # one call per turn: a, b, c in turn for whatever has no pin
    assert [by(laptop), by(desktop)] == ["a", "b"]
    assert [by(laptop), by(desktop), by(laptop), by(desktop)] == ["a", "b", "a", "b"]


def test_with_affinity_off_a_conversation_rotates_like_any_request(three, upstream):
    with three.services.database.connection_context():
        save_affinity_options(AffinityOptions(enabled=False))
    three.services.pipeline.affinity.invalidate()
    turns = [answered_by(upstream, lambda: chat(three, "conversation-1")) for _ in range(6)]
    assert turns == ["a", "b", "c", "a", "b", "c"]
    assert three.services.pipeline.affinity.stats()["entries"] == 0


def test_a_configured_header_names_the_conversation(three, upstream):
    settings = three.url + "/api/settings"
    refused = three.admin().patch(settings, json={"sessionAffinityHeader": "x_chat_thread"})
    assert refused.status_code == 400  # waitress drops headers with "_": it could never match
    assert refused.json()["error"]["param"] == "sessionAffinityHeader"
    saved = three.admin().patch(settings, json={"sessionAffinityHeader": "X-Chat-Thread"})
    assert saved.status_code == 200, saved.text

    def turn() -> str:
        body = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}
        headers = {"X-Chat-Thread": "thread-7"}
        return answered_by(
            upstream,
            lambda: requests.post(three.v1 + "/chat/completions", json=body, headers=headers),
        )

    assert len({turn() for _ in range(4)}) == 1


def test_claude_code_and_codex_identities_pin_through_their_own_formats(three, upstream):
    user_id = '{"device_id":"d1","account_uuid":"","session_id":"2cf3a238-481d-45fd"}'
    messages = {
        "model": MODEL,
        "max_tokens": 64,
        "messages": [{"role": "user", "content": "hi"}],
        "metadata": {"user_id": user_id},
        "stream": True,  # as Claude Code sends it
    }
    responses = {"model": MODEL, "input": "hi", "prompt_cache_key": "01a2010a-00a9-7862"}

    def send(path: str, body: dict) -> str:
        def call():
            response = requests.post(three.v1 + path, json=body)
            assert response.status_code == 200, response.text
            assert response.text  # a stream read to its end

        return answered_by(upstream, call)

    claude = [send("/messages", messages) for _ in range(4)]
    codex = [send("/responses", responses) for _ in range(4)]
    assert len(set(claude)) == 1 and len(set(codex)) == 1, (claude, codex)
