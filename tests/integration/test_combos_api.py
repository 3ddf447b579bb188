"""Combos over HTTP: /api/combos CRUD and validation, /api/combos/test, /v1/models, a combo as
the model of every inbound wire format, and round-robin under 100 concurrent requests."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.fake_upstream import Behavior
from tests.fakes import probe
from tests.gateway_harness import start_gateway

COMBOS = "/api/combos"
GLM, DS, GROQ, MISTRAL = (
    "glm/glm-4.7",
    "ds/deepseek-chat",
    "groq/llama-3.3-70b-versatile",
    "mistral/mistral-large-2501",
)
# provider id, catalog model id, API key of its one account
ACCOUNTS = {
    GLM: ("glm", "glm-4.7", "sk-glm-0001"),
    DS: ("deepseek", "deepseek-chat", "sk-deepseek-0001"),
    GROQ: ("groq", "llama-3.3-70b-versatile", "sk-groq-0001"),
    MISTRAL: ("mistral", "mistral-large-2501", "sk-mistral-0001"),
}
CHAT_PATHS = {
    "openai": "/v1/chat/completions",
    "anthropic": "/v1/messages",
    "responses": "/v1/responses",
}


def connect_all(gateway, admin, upstream_url: str) -> None:
    """One account on each of four catalog providers, all at the fake upstream (one login)."""
    for provider, _, key in ACCOUNTS.values():
        body = {"provider": provider, "name": provider, "apiKey": key, "baseUrl": upstream_url}
        response = admin.post(gateway.url + "/api/providers", json=body)
        assert response.status_code == 201, response.text


@pytest.fixture
def four(gateway, admin, upstream):
    connect_all(gateway, admin, upstream.url)
    return gateway


@pytest.fixture(scope="class")
def shared(tmp_path_factory):
    """One gateway for a class of validation cases, which save nothing (each checks that).
    Class-scoped: the store binds one gateway's database at a time, so a shared gateway serves
    only tests that run back to back, before the next gateway starts."""
    running = start_gateway(str(tmp_path_factory.mktemp("combos") / "data"))
    with running.admin() as session:
        yield running, session
    running.stop()


@pytest.fixture(scope="class")
def team(tmp_path_factory, upstream_server):
    """One gateway with the four accounts and the combo "team" (xai, then glm, then deepseek),
    for the tests whose requests all succeed (no cooldown carries over)."""
    running = start_gateway(str(tmp_path_factory.mktemp("team") / "data"))
    with running.admin() as session:
        connect_all(running, session, upstream_server.url)
        create(running, session, "team", "xai/grok-4", GLM, DS)
    yield running
    running.stop()


def create(gateway, admin, name, *models, **extra):
    response = admin.post(
        gateway.url + COMBOS, json={"name": name, "models": list(models), **extra}
    )
    assert response.status_code == 201, response.text
    return response.json()


def listed(gateway, admin) -> list[dict]:
    response = admin.get(gateway.url + COMBOS)
    assert response.status_code == 200
    return response.json()["data"]


def assert_field_error(response, param: str, *words: str) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    for word in words:
        assert word in error["message"]


def ask(gateway, fmt: str, model: str, stream: bool = False, text: str = "hello there"):
    body = probe.body_for(fmt, [probe.user_turn(fmt, text)], stream)
    if fmt == "gemini":
        action = "streamGenerateContent?alt=sse" if stream else "generateContent"
        url = f"{gateway.url}/v1beta/models/{model}:{action}"
    else:
        body["model"] = model
        url = gateway.url + CHAT_PATHS[fmt]
    return requests.post(url, json=body, stream=stream, timeout=30)


def answer_of(fmt: str, response, stream: bool) -> str:
    if stream:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        return probe.streamed(fmt, probe.sse_events(response))[0]
    return probe.answer_text(fmt, response.json())


# --- CRUD --------------------------------------------------------------------------------------


def test_create_list_get_update_delete(gateway, admin):
    url = gateway.url + COMBOS
    created = create(gateway, admin, "team", GLM, {"model": DS, "weight": 3}, strategy="weighted")
    combo_id = created["id"]
    assert isinstance(combo_id, int)
    assert created == {
        "id": combo_id,
        "name": "team",
        "strategy": "weighted",
        "models": [{"model": GLM, "weight": 1}, {"model": DS, "weight": 3}],
        "systemPrompt": None,  # the global one (Settings → AI)
    }
    assert listed(gateway, admin) == [created]
    assert admin.get(f"{url}/{combo_id}").json() == created

    body = {"name": "team-2", "models": [DS, "team-x"], "strategy": "round-robin"}
    updated = admin.put(f"{url}/{combo_id}", json=body)
    assert updated.status_code == 200, updated.text
    expected = {
        "id": combo_id,
        "name": "team-2",
        "strategy": "round-robin",
        "models": [{"model": DS, "weight": 1}, {"model": "team-x", "weight": 1}],
        "systemPrompt": None,
    }
    assert updated.json() == expected
    assert admin.get(f"{url}/{combo_id}").json() == expected

    assert admin.delete(f"{url}/{combo_id}").status_code == 204
    assert admin.get(f"{url}/{combo_id}").status_code == 404
    assert admin.delete(f"{url}/{combo_id}").status_code == 404
    assert admin.put(f"{url}/{combo_id}", json=body).status_code == 404
    assert listed(gateway, admin) == []


def test_strategy_defaults_to_the_routing_settings_combo_strategy(gateway, admin):
    assert create(gateway, admin, "plain", GLM)["strategy"] == "priority"
    patched = admin.patch(gateway.url + "/api/settings", json={"comboStrategy": "least-used"})
    assert patched.status_code == 200
    assert create(gateway, admin, "later", GLM)["strategy"] == "least-used"
    assert create(gateway, admin, "chosen", GLM, strategy="random")["strategy"] == "random"


class TestValidation:
    """Bad bodies: a 400 naming the field, and nothing saved."""

    @pytest.mark.parametrize(
        "body, param, words",
        [
            ({"name": "a/b", "models": [GLM]}, "name", ["no /"]),
            ({"name": "", "models": [GLM]}, "name", []),
            ({"name": "-dash-first", "models": [GLM]}, "name", []),
            ({"name": "has space", "models": [GLM]}, "name", []),
            ({"models": [GLM]}, "name", ["required"]),
            ({"name": "c", "models": [GLM], "strategy": "fastest"}, "strategy", ["weighted"]),
            ({"name": "c", "models": []}, "models", []),
            ({"name": "c"}, "models", []),
            ({"name": "c", "models": GLM}, "models", []),
            ({"name": "c", "models": [GLM] * 51}, "models", ["50"]),
            ({"name": "c", "models": [{"model": GLM, "weight": -1}]}, "models", ["weight"]),
            ({"name": "c", "models": [{"model": GLM, "weight": 1001}]}, "models", ["weight"]),
            ({"name": "c", "models": [{"model": GLM, "weight": "3"}]}, "models", ["weight"]),
            ({"name": "c", "models": [{"model": GLM, "weight": True}]}, "models", ["weight"]),
            ({"name": "c", "models": [{"model": GLM, "weight": 2.5}]}, "models", ["weight"]),
            ({"name": "c", "models": ["glm/glm 4.7"]}, "models", ["spaces"]),
            ({"name": "c", "models": [7]}, "models", []),
        ],
        ids=lambda value: None if isinstance(value, dict | list) else str(value),
    )
    def test_validation_errors_name_the_field_and_save_nothing(self, shared, body, param, words):
        gateway, admin = shared
        response = admin.post(gateway.url + COMBOS, json=body)
        assert_field_error(response, param, *words)
        assert listed(gateway, admin) == []

    def test_a_target_without_model_is_refused(self, shared):
        gateway, admin = shared
        response = admin.post(gateway.url + COMBOS, json={"name": "c", "models": [{"weight": 2}]})
        assert response.status_code == 400
        assert response.json()["error"]["param"] in ("models", "model")
        assert "required" in response.json()["error"]["message"]
        assert listed(gateway, admin) == []


def test_weights_at_the_bounds_are_accepted(gateway, admin):
    models = [{"model": GLM, "weight": 0}, {"model": DS, "weight": 1000}]
    assert [m["weight"] for m in create(gateway, admin, "bounds", *models)["models"]] == [0, 1000]


def test_bad_json_and_non_object_bodies_are_400(gateway, admin):
    for data in (b"{not json", b"[1, 2]", b'"text"'):
        response = admin.post(
            gateway.url + COMBOS, data=data, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["type"] == "invalid_request_error" and error["param"]
        assert error["message"].startswith(error["param"] + ":")
    assert listed(gateway, admin) == []


def test_duplicate_name_is_409(gateway, admin):
    create(gateway, admin, "team", GLM)
    other = create(gateway, admin, "other", DS)
    again = admin.post(gateway.url + COMBOS, json={"name": "team", "models": [DS]})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    assert "team" in again.json()["error"]["message"]
    # renaming another combo onto the name is refused too; keeping its own name is fine
    renamed = admin.put(
        f"{gateway.url}{COMBOS}/{other['id']}", json={"name": "team", "models": [DS]}
    )
    assert renamed.status_code == 409
    kept = admin.put(
        f"{gateway.url}{COMBOS}/{other['id']}", json={"name": "other", "models": [GLM]}
    )
    assert kept.status_code == 200
    assert sorted(c["name"] for c in listed(gateway, admin)) == ["other", "team"]


def test_cycles_are_refused(gateway, admin):
    url = gateway.url + COMBOS
    assert_field_error(admin.post(url, json={"name": "me", "models": ["me"]}), "models", "cycle")
    first = create(gateway, admin, "a", GLM)
    create(gateway, admin, "b", "a")
    closing = admin.put(f"{url}/{first['id']}", json={"name": "a", "models": [GLM, "b"]})
    assert_field_error(closing, "models", "cycle")
    message = closing.json()["error"]["message"]
    assert "a → b → a" in message or "b → a → b" in message
    assert admin.get(f"{url}/{first['id']}").json()["models"] == [{"model": GLM, "weight": 1}]


def test_three_deep_nesting_is_accepted_four_deep_refused(gateway, admin):
    create(gateway, admin, "level3", GLM)
    create(gateway, admin, "level2", "level3")
    create(gateway, admin, "level1", "level2", DS)
    deeper = admin.post(gateway.url + COMBOS, json={"name": "level0", "models": ["level1"]})
    assert_field_error(deeper, "models", "3 deep", "level0 → level1 → level2 → level3")
    assert sorted(c["name"] for c in listed(gateway, admin)) == ["level1", "level2", "level3"]


def test_deleting_a_combo_another_uses_is_409_naming_it(gateway, admin):
    url = gateway.url + COMBOS
    inner = create(gateway, admin, "inner", GLM)
    outer = create(gateway, admin, "outer", "inner", DS)
    refused = admin.delete(f"{url}/{inner['id']}")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "in_use"
    assert "outer" in refused.json()["error"]["message"]
    assert admin.delete(f"{url}/{outer['id']}").status_code == 204
    assert admin.delete(f"{url}/{inner['id']}").status_code == 204


def test_anonymous_callers_get_401(gateway, admin):
    combo_id = create(gateway, admin, "team", GLM)["id"]
    url = gateway.url + COMBOS
    calls = [
        ("get", url),
        ("post", url),
        ("get", f"{url}/{combo_id}"),
        ("put", f"{url}/{combo_id}"),
        ("delete", f"{url}/{combo_id}"),
        ("post", f"{url}/test"),
    ]
    for method, target in calls:
        response = requests.request(method, target, json={"name": "x", "models": [GLM]})
        assert response.status_code == 401, (method, target)
        assert response.json()["error"]["code"] == "unauthorized"
    assert [c["name"] for c in listed(gateway, admin)] == ["team"]


# --- combos as models --------------------------------------------------------------------------


def test_v1_models_lists_combos(four, admin):
    create(four, admin, "team", GLM, DS, strategy="round-robin")
    create(four, admin, "solo", MISTRAL)
    data = requests.get(four.v1 + "/models").json()["data"]
    combos = {m["id"]: m for m in data if m["owned_by"] == "combo"}
    assert set(combos) == {"team", "solo"}
    assert combos["team"]["models"] == [GLM, DS]
    assert combos["team"]["capabilities"] == {"type": "combo", "strategy": "round-robin"}
    assert "glm/glm-4.7" in {m["id"] for m in data}  # the providers' models are still listed


class TestEveryInboundFormat:
    """The combo "team" as the model of each client format, whole and streamed."""

    @pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
    @pytest.mark.parametrize("fmt", probe.FORMATS)
    def test_a_combo_answers_in_every_inbound_format(self, team, upstream, fmt, stream):
        # xai has no account: the first routable target (glm) answers
        response = ask(team, fmt, "team", stream)
        assert response.status_code == 200, response.text
        assert response.headers["X-OmniRoute-Provider"] == "glm"
        assert response.headers["X-OmniRoute-Model"] == "glm-4.7"
        assert answer_of(fmt, response, stream) == "echo: hello there"
        [sent] = upstream.chat_requests()
        assert (sent.model, sent.api_key) == ("glm-4.7", "sk-glm-0001")
        assert sent.body.get("stream", False) is stream


@pytest.mark.parametrize("fmt", ["openai", "gemini"])
def test_a_failing_first_target_falls_back_to_the_next(four, upstream, admin, fmt):
    create(four, admin, "team", GLM, DS)
    upstream.add(Behavior(status=429, error_message="slow down"), model="glm-4.7")
    response = ask(four, fmt, "team", stream=True)
    assert response.status_code == 200, response.text
    assert response.headers["X-OmniRoute-Provider"] == "deepseek"
    assert response.headers["X-OmniRoute-Fallback-Attempts"] == "1"
    assert answer_of(fmt, response, True) == "echo: hello there"
    assert [r.model for r in upstream.chat_requests()] == ["glm-4.7", "deepseek-chat"]


def test_a_combo_of_unroutable_targets_is_503_naming_them(four, admin):
    create(four, admin, "nowhere", "xai/grok-4", "openai/gpt-4o")
    response = ask(four, "openai", "nowhere")
    assert response.status_code == 503
    message = response.json()["error"]["message"]
    assert "nowhere" in message and "xai" in message and "openai" in message


# --- POST /api/combos/test ---------------------------------------------------------------------


def test_combo_test_reports_each_target(four, upstream, admin):
    combo = create(four, admin, "team", GLM, DS)
    upstream.add(Behavior(status=500, error_message="glm is down"), model="glm-4.7")
    for body in ({"name": "team"}, {"id": combo["id"]}):
        response = admin.post(four.url + COMBOS + "/test", json=body)
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["name"] == "team" and report["ok"] is True
        failed, worked = report["results"]
        assert failed["model"] == GLM and failed["ok"] is False
        # a provider's 5xx reaches the caller as 502 (errors.py), with the provider's message
        assert failed["status"] == 502 and "glm is down" in failed["error"]
        assert worked == {
            "model": DS,
            "ok": True,
            "status": 200,
            "latencyMs": worked["latencyMs"],
            "provider": "deepseek",
            "answeredBy": "deepseek-chat",
        }
        for result in report["results"]:
            assert isinstance(result["latencyMs"], float) and result["latencyMs"] >= 0
    # each target was tried on its own: glm never fell back to deepseek
    keys = Counter(r.api_key for r in upstream.chat_requests())
    assert keys["sk-deepseek-0001"] == 2 and keys["sk-glm-0001"] >= 2
    assert set(keys) == {"sk-deepseek-0001", "sk-glm-0001"}


def test_combo_test_all_failing_and_unknown_combo(four, upstream, admin):
    create(four, admin, "broken", GLM)
    upstream.add(Behavior(status=500), api_key="sk-glm-0001")
    report = admin.post(four.url + COMBOS + "/test", json={"name": "broken"}).json()
    assert report["ok"] is False and report["results"][0]["status"] == 502
    missing = admin.post(four.url + COMBOS + "/test", json={"name": "nope"})
    assert missing.status_code == 404
    assert_field_error(admin.post(four.url + COMBOS + "/test", json={}), "name")


# --- concurrency ---------------------------------------------------------------------------------


@pytest.fixture
def roomy(tmp_path):
    """A gateway that admits 100 requests at once (the default fixture's limit is 40)."""
    running = start_gateway(str(tmp_path / "roomy"), THREADS=160, MAX_IN_FLIGHT=120)
    yield running
    running.stop()


def fire(gateway, model: str, count: int = 100) -> None:
    def one(i: int) -> int:
        body = {"model": model, "messages": [{"role": "user", "content": f"n{i}"}]}
        return requests.post(gateway.v1 + "/chat/completions", json=body, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=count) as pool:
        statuses = list(pool.map(one, range(count)))
    assert statuses == [200] * count


def test_round_robin_shares_100_concurrent_requests_evenly(roomy, upstream):
    with roomy.admin() as admin:
        connect_all(roomy, admin, upstream.url)
        create(roomy, admin, "spread", GLM, DS, GROQ, MISTRAL, strategy="round-robin")
    upstream.add(Behavior(delay=0.05))  # keep many requests in flight at once
    fire(roomy, "spread")
    by_target = Counter((r.model, r.api_key) for r in upstream.chat_requests())
    assert by_target == {(model, key): 25 for _, model, key in ACCOUNTS.values()}


def test_account_round_robin_shares_100_concurrent_requests_evenly(roomy, upstream):
    keys = [f"sk-kimi-000{i}" for i in range(1, 5)]
    with roomy.admin() as admin:
        for key in keys:
            body = {"provider": "kimi", "name": key, "apiKey": key, "baseUrl": upstream.url}
            assert admin.post(roomy.url + "/api/providers", json=body).status_code == 201
        changes = {"routingStrategy": "round-robin", "stickyRoundRobinLimit": 1}
        assert admin.patch(roomy.url + "/api/settings", json=changes).status_code == 200
        create(roomy, admin, "k", "kimi/kimi-k2-0905-preview")
    upstream.add(Behavior(delay=0.05))
    fire(roomy, "k")
    assert Counter(r.api_key for r in upstream.chat_requests()) == dict.fromkeys(keys, 25)


def test_renaming_a_combo_another_combo_uses_is_refused(gateway):
    admin = gateway.admin()
    inner = admin.post(
        gateway.url + "/api/combos", json={"name": "inner", "models": ["glm/glm-4.7"]}
    )
    admin.post(gateway.url + "/api/combos", json={"name": "outer", "models": ["inner"]})
    renamed = admin.put(
        gateway.url + f"/api/combos/{inner.json()['id']}",
        json={"name": "inner2", "models": ["glm/glm-4.7"]},
    )
    assert renamed.status_code == 409
    assert (
        renamed.json()["error"]["code"] == "in_use"
        and "outer" in renamed.json()["error"]["message"]
    )
    kept = admin.put(
        gateway.url + f"/api/combos/{inner.json()['id']}",
        json={"name": "inner", "models": ["glm/glm-4.6"]},
    )
    assert kept.status_code == 200  # changing targets under the same name is fine


@pytest.mark.parametrize("path", ["/api/combos", "/api/fallback/chains"])
def test_a_body_that_is_not_a_json_object_names_the_body(gateway, path):
    admin = gateway.admin()
    for data in ("{not json", "[1, 2]"):
        reply = admin.post(
            gateway.url + path, data=data, headers={"Content-Type": "application/json"}
        )
        assert reply.status_code == 400
        assert reply.json()["error"]["param"] == "body"


def test_a_target_without_a_model_names_the_models_field(gateway):
    reply = gateway.admin().post(
        gateway.url + "/api/combos", json={"name": "x", "models": [{"weight": 2}]}
    )
    assert reply.status_code == 400 and reply.json()["error"]["param"] == "models"
