"""The rest of Gemini's API through a real gateway, as Gemini clients call it: `:countTokens`
(the provider's own count when it has a counter, else the marked estimate), `GET /v1beta/models`
and `GET /v1beta/models/{model}` in Gemini's shape listing what `GET /v1/models` lists, the `v1`
paths Google serves beside `v1beta`, and `GET /v1/models/{id}` in OpenAI's shape beside them."""

from __future__ import annotations

import json

import pytest
import requests

from tests.fakes import anthropic as fake_anthropic
from tests.integration.test_count_tokens_upstream import CountingServer

MODEL = "openai/gpt-4o-mini"
HELLO = [{"role": "user", "parts": [{"text": "hello there"}]}]
HELLO_ESTIMATE = 6  # the gateway's estimate for HELLO (as for Anthropic's count_tokens)
CHAT_METHODS = ["generateContent", "streamGenerateContent", "countTokens"]


def count(gateway, model: str, body: dict, version: str = "v1beta", **kwargs):
    url = f"{gateway.url}/{version}/models/{model}:countTokens"
    return requests.post(url, json=body, timeout=30, **kwargs)


def gemini_error(response: requests.Response, status: int, name: str) -> str:
    """The message of an error answer in Gemini's shape, after checking its status."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == status and error["status"] == name, error
    return error["message"]


@pytest.fixture
def counter():
    server = CountingServer()
    yield server
    server.stop()


# --- :countTokens ---------------------------------------------------------------------------


def test_count_tokens_estimates_for_a_provider_without_a_counter(connected, upstream):
    response = count(connected, MODEL, {"contents": HELLO})
    assert response.status_code == 200, response.text
    assert response.json() == {"totalTokens": HELLO_ESTIMATE}
    assert response.headers["x-omniroute-estimate"] == "true"
    assert not upstream.requests  # an OpenAI provider has nothing to ask


def test_count_tokens_reads_a_whole_generate_content_request(connected, upstream):
    body = {
        "generateContentRequest": {
            "model": f"models/{MODEL}",
            "contents": HELLO,
            "systemInstruction": {"parts": [{"text": "12345678"}]},  # +2 tokens
        }
    }
    response = count(connected, MODEL, body)
    assert response.status_code == 200, response.text
    assert response.json() == {"totalTokens": HELLO_ESTIMATE + 2}


def test_count_tokens_asks_a_gemini_provider(connected, counter):
    connected.add_connection(counter.url + "/gm", provider="gemini", apiKey="gm-key-0001")
    response = count(connected, "gemini/gemini-2.5-flash", {"contents": HELLO})
    assert response.status_code == 200, response.text
    assert response.json() == {"totalTokens": 1234}
    assert "x-omniroute-estimate" not in response.headers
    [(path, headers, body)] = counter.received
    assert path == "/gm/models/gemini-2.5-flash:countTokens"
    assert headers["x-goog-api-key"] == "gm-key-0001"
    assert body["generateContentRequest"]["model"] == "models/gemini-2.5-flash"
    assert body["generateContentRequest"]["contents"] == HELLO


def test_count_tokens_asks_an_anthropic_provider_only_what_count_tokens_takes(connected, upstream):
    connected.add_connection(upstream.url, provider="anthropic")
    body = {
        "contents": HELLO,
        "systemInstruction": {"parts": [{"text": "be brief"}]},
        "generationConfig": {"maxOutputTokens": 64, "temperature": 0.5},
    }
    response = count(connected, "anthropic/claude-sonnet-4-5", body)
    assert response.status_code == 200, response.text
    assert "x-omniroute-estimate" not in response.headers
    [sent] = [r for r in upstream.requests if r.route.action == "count_tokens"]
    assert sent.body["model"] == "claude-sonnet-4-5"
    assert "hello there" in json.dumps(sent.body["messages"])
    assert "be brief" in json.dumps(sent.body["system"])
    # /messages/count_tokens refuses what only /messages takes
    assert not {"max_tokens", "temperature", "stream", "top_p"} & set(sent.body)
    assert response.json() == {
        "totalTokens": fake_anthropic.count_tokens(sent.body)["input_tokens"]
    }


def test_count_tokens_refuses_a_model_the_key_may_not_use(connected):
    with connected.admin() as session:
        created = session.post(
            connected.url + "/api/keys", json={"name": "limited", "allowedModels": [MODEL]}
        )
    key = created.json()["key"]
    refused = count(
        connected, "openai/gpt-4o", {"contents": HELLO}, headers={"x-goog-api-key": key}
    )
    assert "openai/gpt-4o" in gemini_error(refused, 403, "PERMISSION_DENIED")
    allowed = count(connected, MODEL, {"contents": HELLO}, headers={"x-goog-api-key": key})
    assert allowed.json() == {"totalTokens": HELLO_ESTIMATE}


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "contents"),
        ({"contents": []}, "contents"),
        ({"generateContentRequest": "hello"}, "generateContentRequest"),
        ({"generateContentRequest": {"model": "models/x"}}, "contents"),
    ],
)
def test_a_bad_count_tokens_body_is_a_400_in_geminis_shape(connected, body, field):
    message = gemini_error(count(connected, MODEL, body), 400, "INVALID_ARGUMENT")
    assert field in message


# --- the v1 paths ---------------------------------------------------------------------------


def test_the_v1_paths_serve_gemini_clients(connected, upstream):
    v1 = f"{connected.url}/v1/models/{MODEL}"
    answer = requests.post(v1 + ":generateContent", json={"contents": HELLO}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["candidates"][0]["content"]["parts"][0]["text"] == "echo: hello there"
    streamed = requests.post(
        v1 + ":streamGenerateContent", params={"alt": "sse"}, json={"contents": HELLO}
    )
    assert streamed.status_code == 200, streamed.text
    assert streamed.headers["Content-Type"].startswith("text/event-stream")
    events = [
        json.loads(line[len("data: ") :])
        for line in streamed.text.splitlines()
        if line.startswith("data: ")
    ]
    text = "".join(
        part.get("text", "") for e in events for part in e["candidates"][0]["content"]["parts"]
    )
    assert text == "echo: hello there"
    counted = count(connected, MODEL, {"contents": HELLO}, version="v1")
    assert counted.json() == {"totalTokens": HELLO_ESTIMATE}
    assert [r.model for r in upstream.requests_for("openai")] == ["gpt-4o-mini", "gpt-4o-mini"]


def test_errors_on_the_v1_paths_come_in_geminis_shape(connected):
    unknown_action = requests.post(
        f"{connected.url}/v1/models/{MODEL}:embedEverything", json={"contents": HELLO}
    )
    assert ":countTokens" in gemini_error(unknown_action, 400, "INVALID_ARGUMENT")
    bad_body = requests.post(f"{connected.url}/v1/models/{MODEL}:generateContent", json={})
    assert "contents" in gemini_error(bad_body, 400, "INVALID_ARGUMENT")


# --- keys -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("POST", f"/v1beta/models/{MODEL}:countTokens", {"contents": HELLO}),
        ("POST", f"/v1/models/{MODEL}:countTokens", {"contents": HELLO}),
        ("POST", f"/v1/models/{MODEL}:generateContent", {"contents": HELLO}),
        ("GET", "/v1beta/models", None),
        ("GET", f"/v1beta/models/{MODEL}", None),
    ],
)
def test_the_gemini_surface_takes_keys_as_gemini_clients_send_them(keyed, method, path, body):
    url = keyed.url + path
    missing = requests.request(method, url, json=body, timeout=30)
    gemini_error(missing, 401, "UNAUTHENTICATED")
    header = requests.request(
        method, url, json=body, headers={"x-goog-api-key": keyed.key}, timeout=30
    )
    assert header.status_code == 200, header.text
    query = requests.request(method, url, json=body, params={"key": keyed.key}, timeout=30)
    assert query.status_code == 200, query.text


# --- the model lists ------------------------------------------------------------------------


def openai_models(gateway) -> list[dict]:
    response = requests.get(gateway.v1 + "/models", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_gemini_lists_what_v1_models_lists(admin, connected):
    combo = {"name": "duo", "models": [MODEL, "openai/gpt-4o"]}
    assert admin.post(connected.url + "/api/combos", json=combo).status_code == 201
    listed = requests.get(connected.url + "/v1beta/models", params={"pageSize": 1000})
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert "nextPageToken" not in page
    names = [model["name"] for model in page["models"]]
    assert names == [f"models/{entry['id']}" for entry in openai_models(connected)]
    models = {model["name"]: model for model in page["models"]}
    mini = models[f"models/{MODEL}"]
    assert mini["baseModelId"] == MODEL and mini["displayName"]
    assert mini["supportedGenerationMethods"] == CHAT_METHODS
    assert mini["inputTokenLimit"] == 128_000 and mini["outputTokenLimit"] == 16_384
    assert models["models/duo"]["supportedGenerationMethods"] == CHAT_METHODS


def test_gemini_lists_a_page_at_a_time(connected):
    everything = [f"models/{entry['id']}" for entry in openai_models(connected)]
    assert len(everything) > 3
    names, token, pages = [], None, 0
    while True:
        params = {"pageSize": 2, **({"pageToken": token} if token else {})}
        page = requests.get(connected.url + "/v1beta/models", params=params).json()
        assert len(page["models"]) <= 2
        names += [model["name"] for model in page["models"]]
        pages += 1
        token = page.get("nextPageToken")
        if token is None:
            break
    assert names == everything and pages == (len(everything) + 1) // 2
    default = requests.get(connected.url + "/v1beta/models").json()
    assert len(default["models"]) == min(50, len(everything))


@pytest.mark.parametrize("params", [{"pageSize": "-1"}, {"pageSize": "many"}, {"pageToken": "x"}])
def test_a_bad_page_request_is_a_400_in_geminis_shape(connected, params):
    response = requests.get(connected.url + "/v1beta/models", params=params)
    gemini_error(response, 400, "INVALID_ARGUMENT")


def test_gemini_gets_one_model(connected):
    response = requests.get(f"{connected.url}/v1beta/models/{MODEL}")
    assert response.status_code == 200, response.text
    listed = requests.get(connected.url + "/v1beta/models", params={"pageSize": 1000}).json()
    assert response.json() == next(m for m in listed["models"] if m["name"] == f"models/{MODEL}")
    missing = requests.get(f"{connected.url}/v1beta/models/openai/no-such-model")
    assert "models/openai/no-such-model" in gemini_error(missing, 404, "NOT_FOUND")


def test_v1_models_gets_one_model_in_openais_shape(connected):
    entries = {entry["id"]: entry for entry in openai_models(connected)}
    response = requests.get(f"{connected.v1}/models/{MODEL}")
    assert response.status_code == 200, response.text
    assert response.json() == entries[MODEL]
    for path in (f"/models/{MODEL}", f"/v1/v1/models/{MODEL}"):
        assert requests.get(connected.url + path).json() == entries[MODEL]
    missing = requests.get(f"{connected.v1}/models/openai/no-such-model")
    assert missing.status_code == 404, missing.text
    error = missing.json()["error"]
    assert error["code"] == "model_not_found" and error["type"] == "invalid_request_error"
    assert "openai/no-such-model" in error["message"]
    for version in ("v1", "v1beta"):  # a Gemini target is its POST route's, not a model id
        target = requests.get(f"{connected.url}/{version}/models/{MODEL}:generateContent")
        assert target.status_code == 405 and target.headers["Allow"] == "POST", target.text


def test_v1_models_gets_an_id_with_a_colon(gateway, upstream):
    with gateway.admin() as admin:
        node = {"name": "Box", "prefix": "box", "baseUrl": upstream.url, "apiType": "openai"}
        assert admin.post(gateway.url + "/api/provider-nodes", json=node).status_code == 201
        model = {"provider": "box", "modelId": "qwen3:32b"}
        assert admin.post(gateway.url + "/api/provider-models", json=model).status_code == 201
    response = requests.get(gateway.v1 + "/models/box/qwen3:32b")
    assert response.status_code == 200, response.text
    assert response.json()["id"] == "box/qwen3:32b"
    gemini = requests.get(gateway.url + "/v1beta/models/box/qwen3:32b")
    assert gemini.json()["name"] == "models/box/qwen3:32b"
