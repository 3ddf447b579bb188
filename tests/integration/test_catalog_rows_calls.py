"""New catalog rows answer through the real pipeline: an account of each kind of row (a host
of open models with slash ids, a model maker's own API, an aggregator, a subscription API, a
keyless local server) has its base URL pointed at the fake upstream, and a chat request named
by the row's prefix reaches it with the provider's model id and the account's key; a row
without `stream_options` support is not sent it; an embeddings row answers /v1/embeddings."""

from __future__ import annotations

import json

import pytest
import requests

from tests.fakes.media_upstream import MediaUpstream

HELLO = [{"role": "user", "content": "hello there"}]


def chat(gateway, model: str, **fields) -> requests.Response:
    body = {"model": model, "messages": HELLO, **fields}
    return requests.post(gateway.v1 + "/chat/completions", json=body, timeout=10)


@pytest.mark.parametrize(
    ("provider", "model", "upstream_model"),
    [
        ("deepinfra", "deepinfra/deepseek-ai/DeepSeek-V3.2", "deepseek-ai/DeepSeek-V3.2"),
        ("zai", "zai/glm-4.7", "glm-4.7"),
        ("vercel-ai-gateway", "vercel/openai/gpt-4o", "openai/gpt-4o"),
        ("ollama-cloud", "ollama-cloud/gpt-oss:120b", "gpt-oss:120b"),
        ("maritaca", "maritaca/sabia-4", "sabia-4"),
    ],
)
def test_a_new_rows_chat_reaches_its_api_with_its_model_and_key(
    gateway, upstream, provider, model, upstream_model
):
    gateway.add_connection(upstream.url, provider=provider, apiKey=f"sk-{provider}")
    answer = chat(gateway, model)
    assert answer.status_code == 200, answer.text
    assert answer.headers["X-OmniRoute-Provider"] == provider
    assert answer.json()["choices"][0]["message"]["content"] == "echo: hello there"
    [sent] = upstream.chat_requests()
    assert sent.path.endswith("/v1/chat/completions")
    assert (sent.body["model"], sent.api_key) == (upstream_model, f"sk-{provider}")


def test_a_keyless_local_server_row_is_called_without_a_key(gateway, upstream):
    gateway.add_connection(upstream.url, provider="sglang-local", apiKey="")
    answer = chat(gateway, "sglang-local/Qwen/Qwen3-8B")
    assert answer.status_code == 200, answer.text
    [sent] = upstream.chat_requests()
    assert sent.body["model"] == "Qwen/Qwen3-8B"
    assert "authorization" not in sent.headers


@pytest.mark.parametrize(
    ("provider", "model", "asked"),
    [("ai21", "ai21/jamba-mini", False), ("deepinfra", "deepinfra/zai-org/GLM-4.7", True)],
)
def test_stream_usage_is_asked_only_of_rows_that_accept_it(
    gateway, upstream, provider, model, asked
):
    gateway.add_connection(upstream.url, provider=provider)
    answer = chat(gateway, model, stream=True)
    assert answer.status_code == 200
    events = [line for line in answer.text.splitlines() if line.startswith("data: {")]
    assert "echo: hello there" in "".join(
        json.loads(line[6:])["choices"][0]["delta"].get("content") or ""
        for line in events
        if json.loads(line[6:])["choices"]
    )
    [sent] = upstream.chat_requests()
    assert ("stream_options" in sent.body) is asked


@pytest.fixture(scope="module")
def media_server():
    server = MediaUpstream().start()
    yield server
    server.stop()


def test_an_embeddings_row_answers_v1_embeddings(gateway, media_server):
    media_server.requests.clear()
    gateway.add_connection(media_server.openai_url, provider="voyage", apiKey="pa-voyage")
    answer = requests.post(
        gateway.v1 + "/embeddings",
        json={"model": "voyage/voyage-3.5", "input": ["hi"], "encoding_format": "float"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"][0]["embedding"]
    [sent] = media_server.requests
    assert sent.path == "/v1/embeddings"
    assert (sent.body["model"], sent.api_key) == ("voyage-3.5", "pa-voyage")
