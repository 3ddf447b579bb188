"""Routing settings and fallback chains over HTTP: GET|PATCH /api/settings (defaults, partial
updates that persist and change routing at once, field errors that save nothing) and
GET|POST|DELETE /api/fallback/chains, with a chain taking over when the primary's accounts
answer 429."""

from __future__ import annotations

import pytest
import requests

from tests.fake_upstream import Behavior
from tests.gateway_harness import start_gateway

SETTINGS = "/api/settings"
CHAINS = "/api/fallback/chains"
DEFAULTS = {
    "routingStrategy": "fill-first",
    "stickyRoundRobinLimit": 3,
    "comboStrategy": "priority",
    "comboRetries": 1,
    "maxAttempts": 10,
    # the AI, Security and Advanced settings (tests/integration/test_settings_tabs.py)
    "thinkingPolicy": "passthrough",
    "thinkingBudgetCap": 8192,
    "thinkingBudgetFixed": 8192,
    "effortBudgets": {"minimal": 1024, "low": 2048, "medium": 8192, "high": 24576, "xhigh": 32768},
    "globalSystemPrompt": "",
    "globalSystemPromptPosition": "before",
    "sessionAffinity": True,
    "sessionAffinityHeader": "",
    "sessionAffinityMaxEntries": 10_000,
    "sessionAffinityTtlSeconds": 3600.0,
    "responseCache": True,
    "responseCacheStreams": False,
    "responseCacheTtlSeconds": 300.0,
    "responseCacheMaxEntries": 1000,
    "responseCacheMaxBytes": 32 * 1024 * 1024,
    "idempotencyWindowSeconds": 5.0,
    "modelsRequireKey": True,
    "upstreamConnectTimeout": 10.0,
    "upstreamReadTimeout": 300.0,
    "upstreamIdleTimeout": 300.0,
    "requestLogs": False,
    "requestLogHours": 24.0,
}
GLM_KEYS = ["sk-glm-aaaa", "sk-glm-bbbb", "sk-glm-cccc"]
DS_KEY = "sk-deepseek-0001"


@pytest.fixture(scope="class")
def shared(tmp_path_factory):
    """One gateway for a class of cases that save nothing (each checks that). Class-scoped:
    the store binds one gateway's database at a time, so a shared gateway serves only tests
    that run back to back, before the next gateway starts."""
    running = start_gateway(str(tmp_path_factory.mktemp("settings") / "data"))
    with running.admin() as session:
        yield running, session
    running.stop()


def add_account(gateway, admin, upstream, provider: str, key: str, **fields) -> dict:
    body = {"provider": provider, "name": key, "apiKey": key, "baseUrl": upstream.url, **fields}
    response = admin.post(gateway.url + "/api/providers", json=body)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def accounts(gateway, admin, upstream):
    """Three glm accounts (priority order a, b, c), an inactive fourth one, and a deepseek
    account."""
    for priority, key in enumerate(GLM_KEYS, 1):
        add_account(gateway, admin, upstream, "glm", key, priority=priority)
    add_account(gateway, admin, upstream, "glm", "sk-glm-off0", priority=0, isActive=False)
    add_account(gateway, admin, upstream, "deepseek", DS_KEY)
    return gateway


def chat(gateway, model: str = "glm/glm-4.7", stream: bool = False):
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}], "stream": stream}
    return requests.post(gateway.v1 + "/chat/completions", json=body, timeout=30)


def keys_used(gateway, upstream, count: int, model: str = "glm/glm-4.7") -> list[str]:
    """The API key of the account that answered each of `count` sequential requests."""
    upstream.requests.clear()
    for _ in range(count):
        assert chat(gateway, model).status_code == 200
    return [r.api_key for r in upstream.chat_requests()]


def letters(keys: list[str]) -> str:
    return "".join(key[-1] for key in keys)  # sk-glm-aaaa → "a"


# --- /api/settings -----------------------------------------------------------------------------


def test_defaults(gateway, admin):
    response = admin.get(gateway.url + SETTINGS)
    assert response.status_code == 200
    assert response.json() == DEFAULTS


def test_partial_update_persists_and_survives_a_new_session(gateway, admin):
    changed = admin.patch(gateway.url + SETTINGS, json={"stickyRoundRobinLimit": 2})
    assert changed.status_code == 200
    assert changed.json() == {**DEFAULTS, "stickyRoundRobinLimit": 2}
    more = {"routingStrategy": "p2c", "maxAttempts": 4, "comboRetries": 0}
    assert admin.patch(gateway.url + SETTINGS, json=more).json() == {
        **DEFAULTS,
        "stickyRoundRobinLimit": 2,
        **more,
    }
    with gateway.admin() as fresh:
        assert fresh.get(gateway.url + SETTINGS).json() == {
            **DEFAULTS,
            "stickyRoundRobinLimit": 2,
            **more,
        }
    assert admin.patch(gateway.url + SETTINGS, json={}).json()["routingStrategy"] == "p2c"


def test_a_new_setting_changes_routing_at_once(accounts, admin, upstream):
    # fill-first: the first account by priority takes everything; the inactive one never
    assert letters(keys_used(accounts, upstream, 4)) == "aaaa"
    changes = {"routingStrategy": "round-robin", "stickyRoundRobinLimit": 2}
    assert admin.patch(accounts.url + SETTINGS, json=changes).status_code == 200
    assert letters(keys_used(accounts, upstream, 8)) == "aabbccaa"
    assert admin.patch(accounts.url + SETTINGS, json={"stickyRoundRobinLimit": 1}).ok
    # a has served its two calls in a row: the turn passes on at once
    assert letters(keys_used(accounts, upstream, 6)) == "bcabca"
    assert admin.patch(accounts.url + SETTINGS, json={"routingStrategy": "fill-first"}).ok
    assert letters(keys_used(accounts, upstream, 3)) == "aaa"


def test_round_robin_with_the_default_sticky_limit_over_real_requests(accounts, admin, upstream):
    assert admin.patch(accounts.url + SETTINGS, json={"routingStrategy": "round-robin"}).ok
    assert letters(keys_used(accounts, upstream, 10)) == "aaabbbccca"


def test_max_attempts_setting_caps_upstream_calls(accounts, admin, upstream):
    upstream.add(Behavior(status=500, error_message="down"))
    assert admin.patch(accounts.url + SETTINGS, json={"maxAttempts": 2, "comboRetries": 0}).ok
    response = chat(accounts)
    assert response.status_code == 502
    assert len(upstream.chat_requests()) == 2


class TestSettingsRefusals:
    """Bad settings bodies and anonymous callers: refused, and nothing saved."""

    @pytest.mark.parametrize(
        "body, param",
        [
            ({"routingStrategy": "fastest"}, "routingStrategy"),
            ({"routingStrategy": None}, "routingStrategy"),
            ({"stickyRoundRobinLimit": 0}, "stickyRoundRobinLimit"),
            ({"stickyRoundRobinLimit": 1001}, "stickyRoundRobinLimit"),
            ({"stickyRoundRobinLimit": "3"}, "stickyRoundRobinLimit"),
            ({"stickyRoundRobinLimit": 2.5}, "stickyRoundRobinLimit"),
            ({"stickyRoundRobinLimit": True}, "stickyRoundRobinLimit"),
            ({"comboStrategy": "fill-first"}, "comboStrategy"),
            ({"comboRetries": 6}, "comboRetries"),
            ({"comboRetries": -1}, "comboRetries"),
            ({"maxAttempts": 0}, "maxAttempts"),
            ({"maxAttempts": 51}, "maxAttempts"),
            ({"colour": "blue"}, "colour"),
            # a good value next to a bad one: nothing is saved
            ({"routingStrategy": "random", "maxAttempts": 99}, "maxAttempts"),
            ({"routingStrategy": "random", "unknownThing": 1}, "unknownThing"),
        ],
        ids=lambda value: None if isinstance(value, dict) else value,
    )
    def test_bad_values_and_unknown_fields_are_400_and_save_nothing(self, shared, body, param):
        gateway, admin = shared
        response = admin.patch(gateway.url + SETTINGS, json=body)
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["param"] == param and error["type"] == "invalid_request_error"
        assert error["message"].startswith(param + ":")
        assert admin.get(gateway.url + SETTINGS).json() == DEFAULTS

    def test_a_body_that_is_not_an_object_is_400(self, shared):
        gateway, admin = shared
        for data in (b"{broken", b"[]", b"3"):
            response = admin.patch(
                gateway.url + SETTINGS, data=data, headers={"Content-Type": "application/json"}
            )
            assert response.status_code == 400
            assert response.json()["error"]["param"] == "body"
        assert admin.get(gateway.url + SETTINGS).json() == DEFAULTS

    def test_settings_need_a_login(self, shared):
        gateway, _ = shared
        assert requests.get(gateway.url + SETTINGS).status_code == 401
        response = requests.patch(gateway.url + SETTINGS, json={"routingStrategy": "random"})
        assert response.status_code == 401
        for method in ("get", "post", "delete"):
            response = requests.request(method, gateway.url + CHAINS, json={"model": "x"})
            assert response.status_code == 401


# --- /api/fallback/chains ----------------------------------------------------------------------


def test_chains_post_get_delete(gateway, admin):
    url = gateway.url + CHAINS
    created = admin.post(url, json={"model": "glm/glm-4.7", "chain": ["ds/deepseek-chat"]})
    assert created.status_code == 200, created.text
    assert created.json() == {
        "success": True,
        "model": "glm/glm-4.7",
        "name": "",
        "chain": ["ds/deepseek-chat"],
    }
    objects = [
        {"model": "ds/deepseek-chat", "priority": 5},
        {"provider": "groq/llama-3.3-70b-versatile", "priority": 1},
        {"model": "mistral/mistral-large-2501", "priority": 0, "enabled": False},
        {"model": "openai/gpt-4o"},  # priority: its position (3)
        "ds/deepseek-chat",  # a repeat: kept once
    ]
    wild = admin.post(url, json={"model": "glm/*", "chain": objects, "name": "glm backup"})
    assert wild.status_code == 200, wild.text
    expected = ["groq/llama-3.3-70b-versatile", "openai/gpt-4o", "ds/deepseek-chat"]
    assert wild.json()["chain"] == expected
    listing = admin.get(url).json()["data"]
    assert sorted(listing, key=lambda c: c["model"]) == [
        {"model": "glm/*", "name": "glm backup", "chain": expected},
        {"model": "glm/glm-4.7", "name": "", "chain": ["ds/deepseek-chat"]},
    ]
    # POST again replaces
    replaced = admin.post(url, json={"model": "glm/glm-4.7", "chain": ["openai/gpt-4o"]})
    assert replaced.json()["chain"] == ["openai/gpt-4o"]
    assert len(admin.get(url).json()["data"]) == 2

    assert admin.delete(url, params={"model": "glm/glm-4.7"}).status_code == 204
    assert admin.delete(url, json={"model": "glm/*"}).status_code == 204
    assert admin.get(url).json() == {"data": []}
    gone = admin.delete(url, params={"model": "glm/*"})
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
    missing = admin.delete(url)
    assert missing.status_code == 400 and missing.json()["error"]["param"] == "model"


class TestChainValidation:
    """Bad chain bodies: a 400 naming the field, and nothing saved."""

    @pytest.mark.parametrize(
        "body, param",
        [
            ({"chain": ["ds/deepseek-chat"]}, "model"),
            ({"model": "", "chain": ["ds/deepseek-chat"]}, "model"),
            ({"model": "glm 4", "chain": ["ds/deepseek-chat"]}, "model"),
            ({"model": "glm/[x]", "chain": ["ds/deepseek-chat"]}, "model"),
            ({"model": "glm/glm-4.7"}, "chain"),
            ({"model": "glm/glm-4.7", "chain": []}, "chain"),
            ({"model": "glm/glm-4.7", "chain": "ds/deepseek-chat"}, "chain"),
            ({"model": "glm/glm-4.7", "chain": ["x/y"] * 21}, "chain"),
            ({"model": "glm/glm-4.7", "chain": [7]}, "chain"),
            ({"model": "glm/glm-4.7", "chain": ["ds/deepseek chat"]}, "chain"),
            ({"model": "glm/glm-4.7", "chain": [{"model": "x/y", "priority": "1"}]}, "chain"),
            ({"model": "glm/glm-4.7", "chain": ["x/y"], "name": "n" * 101}, "name"),
            ({"model": "glm/glm-4.7", "chain": ["x/y"], "name": 5}, "name"),
        ],
        ids=lambda value: None if isinstance(value, dict) else value,
    )
    def test_chain_validation_names_the_field(self, shared, body, param):
        gateway, admin = shared
        response = admin.post(gateway.url + CHAINS, json=body)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["param"] == param
        assert admin.get(gateway.url + CHAINS).json() == {"data": []}


def test_a_chain_takes_over_when_the_primary_accounts_answer_429(accounts, admin, upstream):
    url = accounts.url + CHAINS
    assert admin.post(url, json={"model": "glm/*", "chain": ["ds/deepseek-chat"]}).ok
    upstream.add(Behavior(status=429, error_message="quota", headers={"Retry-After": "40"}),
                 model="glm-4.7")  # fmt: skip

    response = chat(accounts)
    assert response.status_code == 200, response.text
    assert response.headers["X-OmniRoute-Provider"] == "deepseek"
    assert response.headers["X-OmniRoute-Fallback-Attempts"] == "3"  # each glm account once
    tried = [(r.model, r.api_key) for r in upstream.chat_requests()]
    assert tried == [*(("glm-4.7", key) for key in GLM_KEYS), ("deepseek-chat", DS_KEY)]

    # the glm accounts now rest for this model: the chain is planned straight away
    upstream.requests.clear()
    assert chat(accounts).headers["X-OmniRoute-Provider"] == "deepseek"
    assert [r.model for r in upstream.chat_requests()] == ["deepseek-chat"]
    # another glm model is not resting, and falls under the same wildcard chain
    assert chat(accounts, "glm/glm-4.6").headers["X-OmniRoute-Provider"] == "glm"

    # without the chain, every account for the model is resting: 429 with Retry-After
    assert admin.delete(url, params={"model": "glm/*"}).status_code == 204
    refused = chat(accounts)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 40
