"""Dedicated provider routes: which model ids a provider owns, its /models list, custom models
on provider nodes, and providers refused until their sign-in flow exists.

Through a real gateway with the chat fake upstream playing each provider; the scoping rule
checked directly (pure, no database) is in tests/unit/test_scoped_models.py.
"""

from __future__ import annotations

import openai
import pytest
import requests

from omniroute.proxy.provider_scope import usable_model_entries


def _chat(gateway, provider: str, model: str):
    client = openai.OpenAI(
        base_url=f"{gateway.v1}/providers/{provider}", api_key="unused", max_retries=0
    )
    return client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "hello"}]
    )


@pytest.mark.parametrize(
    ("provider", "model", "sent"),
    [
        ("openrouter", "openai/gpt-4o", "openai/gpt-4o"),
        ("openrouter", "anthropic/claude-sonnet-4", "anthropic/claude-sonnet-4"),
        ("groq", "openai/gpt-oss-120b", "openai/gpt-oss-120b"),
        ("nvidia", "nvidia/llama-3.3-70b-instruct", "nvidia/llama-3.3-70b-instruct"),
    ],
)
def test_dedicated_routes_send_the_providers_own_id(gateway, upstream, provider, model, sent):
    gateway.add_connection(upstream.url, provider=provider)
    reply = _chat(gateway, provider, model)
    assert reply.choices[0].message.content == "echo: hello"
    assert upstream.chat_requests()[-1].body["model"] == sent


def test_a_custom_slash_model_on_a_plain_provider_end_to_end(gateway, upstream):
    gateway.add_connection(upstream.url, provider="deepseek")
    with pytest.raises(openai.BadRequestError) as error:
        _chat(gateway, "deepseek", "openai/gpt-4o")
    assert "belongs to provider 'openai'" in error.value.message
    assert error.value.body["type"] == "invalid_request_error"
    with gateway.admin() as admin:
        body = {"provider": "ds", "modelId": "openai/gpt-4o"}  # the short prefix works too
        assert admin.post(gateway.url + "/api/provider-models", json=body).status_code == 201
    _chat(gateway, "deepseek", "openai/gpt-4o")
    assert upstream.chat_requests()[-1].body["model"] == "openai/gpt-4o"


def _models(gateway, path: str) -> list[dict]:
    return requests.get(gateway.v1 + path, timeout=10).json()["data"]


def test_provider_models_list_what_v1_models_lists(gateway, upstream):
    gateway.add_connection(upstream.url)
    with gateway.admin() as admin:
        body = {"provider": "openai", "modelId": "gpt-4.5-preview", "modelName": "GPT-4.5"}
        assert admin.post(gateway.url + "/api/provider-models", json=body).status_code == 201
        hide = {"provider": "openai", "modelId": "gpt-4o", "hidden": True}
        assert admin.patch(gateway.url + "/api/provider-models", json=hide).status_code == 200
    scoped = _models(gateway, "/providers/openai/models")
    ids = [m["id"] for m in scoped]
    assert "openai/gpt-4.5-preview" in ids and "openai/gpt-4o" not in ids
    assert "openai/gpt-4o-mini" in ids
    everything = [m for m in _models(gateway, "/models") if m["owned_by"] == "openai"]
    assert scoped == everything  # same entries, same shape (owned_by, capabilities)
    embed = next(m for m in scoped if m["id"] == "openai/text-embedding-3-small")
    assert embed["capabilities"] == {"type": "embedding", "context_length": 8191}


def _add_node(gateway, url: str, prefix: str = "mynode") -> None:
    node = {"name": "My node", "prefix": prefix, "baseUrl": url, "apiType": "openai"}
    with gateway.admin() as admin:
        assert admin.post(gateway.url + "/api/provider-nodes", json=node).status_code == 201


def test_provider_nodes_take_custom_models_end_to_end(gateway, upstream):
    _add_node(gateway, upstream.url)
    with gateway.admin() as admin:
        body = {"provider": "mynode", "modelId": "llama3.1:8b", "modelName": "Llama 3.1"}
        added = admin.post(gateway.url + "/api/provider-models", json=body)
        assert added.status_code == 201, added.text
        assert added.json()["id"] == "mynode/llama3.1:8b" and added.json()["custom"] is True
        rows = admin.get(gateway.url + "/api/provider-models?provider=mynode").json()["data"]
        assert [r["modelId"] for r in rows] == ["llama3.1:8b"]
        unknown = admin.post(
            gateway.url + "/api/provider-models", json={"provider": "nosuch", "modelId": "m"}
        )
        assert unknown.status_code == 400 and unknown.json()["error"]["param"] == "provider"
    listed = _models(gateway, "/providers/mynode/models")
    assert [(m["id"], m["owned_by"]) for m in listed] == [("mynode/llama3.1:8b", "mynode")]
    with gateway.services.database.connection_context():
        entries = usable_model_entries(gateway.services.routes.snapshot())
    assert "mynode/llama3.1:8b" in [e["id"] for e in entries]  # what /v1/models can list

    client = openai.OpenAI(base_url=gateway.v1, api_key="unused", max_retries=0)
    reply = client.chat.completions.create(
        model="mynode/llama3.1:8b", messages=[{"role": "user", "content": "hi"}]
    )
    assert reply.choices[0].message.content == "echo: hi"
    assert upstream.chat_requests()[-1].body["model"] == "llama3.1:8b"
    _chat(gateway, "mynode", "llama3.1:8b")
    assert upstream.chat_requests()[-1].body["model"] == "llama3.1:8b"


@pytest.mark.parametrize(
    ("provider", "route", "model"),
    [("kiro", "kr", "claude-sonnet-4.5"), ("gemini-cli", "gc", "gemini-2.5-pro")],
)
def test_providers_without_their_sign_in_flow_are_refused(
    gateway, upstream, provider, route, model
):
    gateway.add_connection(upstream.url, provider=provider)
    response = requests.post(
        f"{gateway.v1}/providers/{route}/chat/completions",
        json={"model": model, "messages": [{"role": "user", "content": "hi"}]},
        timeout=10,
    )
    assert response.status_code == 501
    error = response.json()["error"]
    assert "sign-in flow not available yet" in error["message"]
    assert error["code"] == "sign_in_required"
    assert upstream.chat_requests() == []


def test_embeddings_on_a_sign_in_provider_are_refused(gateway, upstream):
    gateway.add_connection(upstream.url, provider="gemini-cli")
    response = requests.post(
        gateway.v1 + "/embeddings", json={"model": "gc/gemini-2.5-pro", "input": "x"}, timeout=10
    )
    assert response.status_code == 501
    assert "sign-in flow not available yet" in response.json()["error"]["message"]
    assert upstream.requests == []


def test_the_plain_client_paths_refuse_a_sign_in_provider_in_the_callers_shape(gateway, upstream):
    gateway.add_connection(upstream.url, provider="kiro")
    chat = requests.post(
        gateway.v1 + "/chat/completions",
        json={"model": "kr/claude-sonnet-4.5", "messages": [{"role": "user", "content": "hi"}]},
        timeout=10,
    )
    assert chat.status_code == 501
    assert chat.json()["error"]["code"] == "sign_in_required"
    messages = requests.post(
        gateway.v1 + "/messages",
        json={
            "model": "kr/claude-sonnet-4.5",
            "max_tokens": 10,
            "messages": [{"role": "user", "content": "hi"}],
        },
        timeout=10,
    )
    assert messages.status_code == 501
    assert messages.json()["type"] == "error"
    assert "sign-in flow not available yet" in messages.json()["error"]["message"]
    assert upstream.requests == []
