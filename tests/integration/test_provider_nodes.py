"""Provider nodes: user-defined endpoints with a prefix, a base URL and an API type."""

from __future__ import annotations

import pytest
import requests

from tests.dashboard_user import browser_session, csrf_from

CHAT = {"messages": [{"role": "user", "content": "hi"}]}


def create(gateway, **fields):
    body = {
        "name": "Local",
        "prefix": "local",
        "baseUrl": "http://127.0.0.1:9/v1",
        "apiType": "openai",
        **fields,
    }
    with gateway.admin() as admin:
        return admin.post(gateway.url + "/api/provider-nodes", json=body)


def test_crud_and_secret_handling(gateway, upstream):
    created = create(
        gateway, baseUrl=upstream.url + "/chat/completions", apiKey="sk-node-secret-77"
    )
    assert created.status_code == 201
    node = created.json()
    assert node["baseUrl"] == upstream.url  # normalised
    assert node["apiKeyHint"] == "t-77" and "sk-node-secret-77" not in created.text
    url = f"{gateway.url}/api/provider-nodes/{node['id']}"
    with gateway.admin() as admin:
        assert admin.put(url, json={"name": "Renamed"}).json()["hasApiKey"] is True
        listing = admin.get(gateway.url + "/api/provider-nodes").json()["data"]
        assert [n["name"] for n in listing] == ["Renamed"]
        assert admin.delete(url).status_code == 204
        assert admin.delete(url).status_code == 404


@pytest.mark.parametrize(
    "fields, param",
    [
        ({"prefix": "Bad Prefix"}, "prefix"),
        ({"prefix": "openai"}, "prefix"),
        ({"prefix": "ds"}, "prefix"),
        ({"apiType": "soap"}, "apiType"),
        ({"baseUrl": "localhost:11434"}, "baseUrl"),
        ({"name": ""}, "name"),
    ],
)
def test_validation(gateway, fields, param):
    response = create(gateway, **fields)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == param


def test_duplicate_prefix_is_refused(gateway):
    assert create(gateway).status_code == 201
    response = create(gateway)
    assert response.status_code == 400 and response.json()["error"]["param"] == "prefix"


def test_requests_route_to_the_node_and_stop_when_it_is_removed(gateway, upstream):
    node = create(gateway, prefix="ollama", baseUrl=upstream.url).json()
    response = requests.post(
        gateway.v1 + "/chat/completions", json={**CHAT, "model": "ollama/llama3"}
    )
    assert response.status_code == 200
    sent = upstream.requests_for("openai")[-1]
    assert sent.model == "llama3" and sent.api_key is None
    with gateway.admin() as admin:
        admin.delete(f"{gateway.url}/api/provider-nodes/{node['id']}")
    response = requests.post(
        gateway.v1 + "/chat/completions", json={**CHAT, "model": "ollama/llama3"}
    )
    assert response.status_code == 503


def test_nodes_are_listed_as_models_owners(gateway, upstream):
    create(gateway, prefix="lmstudio", baseUrl=upstream.url)
    gateway.add_connection(upstream.url)
    ids = [m["id"] for m in requests.get(gateway.v1 + "/models").json()["data"]]
    assert "openai/gpt-4o-mini" in ids


def test_dashboard_form_adds_and_deletes_a_node(gateway, upstream):
    session = browser_session(gateway)
    token = csrf_from(session.get(gateway.url + "/providers").text)
    added = session.post(
        gateway.url + "/providers/nodes",
        allow_redirects=False,
        data={
            "csrf_token": token,
            "name": "vLLM box",
            "prefix": "vllm",
            "baseUrl": upstream.url,
            "apiType": "openai",
            "apiKey": "",
        },
    )
    assert added.status_code == 302
    page = session.get(gateway.url + "/providers").text
    assert "vLLM box" in page and "vllm/…" in page
    with gateway.admin() as admin:
        [node] = admin.get(gateway.url + "/api/provider-nodes").json()["data"]
    fragment = session.post(
        f"{gateway.url}/providers/nodes/{node['id']}/delete",
        data={"csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert "vLLM box" not in fragment.text and 'id="nodes-panel"' in fragment.text
