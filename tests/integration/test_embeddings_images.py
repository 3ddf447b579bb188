"""/v1/embeddings, /v1/images/generations and /v1/providers/{provider}/… through a real gateway.

OpenAI-compatible and Gemini providers are played by tests.fakes.media_upstream (real HTTP);
dedicated chat routes use the chat fake upstream. Clients are the openai SDK and plain requests.
"""

from __future__ import annotations

import base64
import json
import struct

import openai
import pytest
import requests

from tests.fakes.media_upstream import IMAGE_USAGE, MediaUpstream

EMBED_MODEL = "openai/text-embedding-3-small"
GEMINI_MODEL = "gemini/gemini-embedding-001"


@pytest.fixture(scope="module")
def media_server():
    server = MediaUpstream().start()
    yield server
    server.stop()


@pytest.fixture
def media(media_server):
    media_server.requests.clear()
    media_server.faults.clear()
    return media_server


def sdk(gateway, base: str | None = None) -> openai.OpenAI:
    return openai.OpenAI(base_url=base or gateway.v1, api_key="unused", max_retries=0)


def post(gateway, path: str, **kwargs) -> requests.Response:
    return requests.post(gateway.url + path, timeout=10, **kwargs)


def usage_rows(gateway):
    from omniroute.store.usage_queries import recent_usage

    gateway.flush_usage()
    with gateway.services.database.connection_context():
        return list(reversed(recent_usage(100)))


def floats(encoded: str) -> list[float]:
    raw = base64.b64decode(encoded)
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))


# -- embeddings: OpenAI-compatible passthrough ----------------------------------------------


def test_openai_embeddings_float_pass_through_with_model_rewritten(gateway, media):
    gateway.add_connection(media.openai_url)
    reply = sdk(gateway).embeddings.create(
        model=EMBED_MODEL, input=["hi", "there!"], encoding_format="float"
    )
    assert [d.embedding for d in reply.data] == [[2.0, 0.0, 0.5], [6.0, 1.0, 0.5]]
    assert reply.usage.prompt_tokens == 10
    sent = media.requests[-1]
    assert sent.path == "/v1/embeddings"
    assert sent.api_key == "sk-test-key-0001"
    assert sent.body == {
        "model": "text-embedding-3-small",
        "input": ["hi", "there!"],
        "encoding_format": "float",
    }
    row = usage_rows(gateway)[-1]
    assert (row.endpoint, row.provider, row.model) == (
        "embeddings",
        "openai",
        "text-embedding-3-small",
    )
    assert (row.requested_model, row.status, row.prompt_tokens) == (EMBED_MODEL, 200, 10)
    # priced by its input alone: 10 tokens at $0.02 per 1M
    assert row.cost_usd == pytest.approx(10 * 0.02 / 1_000_000)


def test_openai_embeddings_base64_and_token_arrays_pass_through(gateway, media):
    gateway.add_connection(media.openai_url)
    reply = sdk(gateway).embeddings.create(model=EMBED_MODEL, input=[[1, 2, 3], [4]], dimensions=4)
    assert media.requests[-1].body["encoding_format"] == "base64"  # the SDK's default
    assert media.requests[-1].body["input"] == [[1, 2, 3], [4]]
    assert [d.embedding for d in reply.data] == [[3.0, 0.0, 0.5, 0.5], [1.0, 1.0, 0.5, 0.5]]


# -- embeddings: Gemini translation --------------------------------------------------------


def test_gemini_embeddings_are_translated_both_ways(gateway, media):
    gateway.add_connection(media.gemini_url, provider="gemini", apiKey="g-key-1")
    reply = sdk(gateway).embeddings.create(
        model=GEMINI_MODEL, input=["hello", "abc"], dimensions=4, encoding_format="float"
    )
    sent = media.requests[-1]
    assert sent.path == "/v1beta/models/gemini-embedding-001:batchEmbedContents"
    assert sent.api_key == "g-key-1" and "Authorization" not in sent.headers
    part = {"model": "models/gemini-embedding-001", "outputDimensionality": 4}
    assert sent.body == {
        "requests": [
            {**part, "content": {"parts": [{"text": "hello"}]}},
            {**part, "content": {"parts": [{"text": "abc"}]}},
        ]
    }
    assert reply.object == "list" and reply.model == GEMINI_MODEL
    assert [(d.object, d.index) for d in reply.data] == [("embedding", 0), ("embedding", 1)]
    assert [d.embedding for d in reply.data] == [[5.0, 0.0, 0.5, 0.5], [3.0, 1.0, 0.5, 0.5]]
    # Gemini counts no tokens: the estimate is ceil(chars / 4) per input = 2 + 1.
    assert (reply.usage.prompt_tokens, reply.usage.total_tokens) == (3, 3)
    row = usage_rows(gateway)[-1]
    assert (row.endpoint, row.provider, row.format_out, row.prompt_tokens) == (
        "embeddings",
        "gemini",
        "gemini",
        3,
    )
    assert row.cost_usd == pytest.approx(3 * 0.15 / 1_000_000)  # gemini-embedding-001


def test_gemini_embeddings_honour_base64(gateway, media):
    gateway.add_connection(media.gemini_url, provider="gemini")
    body = {"model": GEMINI_MODEL, "input": "twelve chars", "encoding_format": "base64"}
    answer = post(gateway, "/v1/embeddings", json=body).json()
    encoded = answer["data"][0]["embedding"]
    assert isinstance(encoded, str) and floats(encoded) == [12.0, 0.0, 0.5]
    assert "outputDimensionality" not in media.requests[-1].body["requests"][0]
    # the SDK asks for base64 by default and decodes it
    reply = sdk(gateway).embeddings.create(model=GEMINI_MODEL, input="abcd")
    assert reply.data[0].embedding == [4.0, 0.0, 0.5]


def test_gemini_rejects_token_array_input(gateway, media):
    gateway.add_connection(media.gemini_url, provider="gemini")
    response = post(gateway, "/v1/embeddings", json={"model": GEMINI_MODEL, "input": [1, 2]})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "input"
    assert media.requests == []


# -- fallback and errors ---------------------------------------------------------------------


def test_embeddings_fall_back_to_the_next_account_on_500(gateway, media):
    gateway.add_connection(media.openai_url, name="first", apiKey="sk-first-0001")
    second = gateway.add_connection(media.openai_url, name="second", apiKey="sk-second-002")
    media.fail(500, api_key="sk-first-0001", times=5)
    reply = sdk(gateway).embeddings.create(model=EMBED_MODEL, input="hi", encoding_format="float")
    assert reply.data[0].embedding == [2.0, 0.0, 0.5]
    # one same-account retry of the transient 500, then the next account
    assert [r.api_key for r in media.requests] == [
        "sk-first-0001",
        "sk-first-0001",
        "sk-second-002",
    ]
    row = usage_rows(gateway)[-1]
    assert (row.attempts, row.connection_id, row.status) == (3, second["id"], 200)


def test_last_account_failing_is_an_openai_shaped_error_and_a_row(gateway, media):
    gateway.add_connection(media.openai_url)
    media.fail(500, times=5)
    with pytest.raises(openai.InternalServerError):
        sdk(gateway).embeddings.create(model=EMBED_MODEL, input="hi")
    response = post(gateway, "/v1/embeddings", json={"model": EMBED_MODEL, "input": "hi"})
    assert response.status_code == 502 and "scripted failure" in response.json()["error"]["message"]
    row = usage_rows(gateway)[-1]
    assert (row.endpoint, row.status) == ("embeddings", 502)
    assert row.attempts == 2 and row.provider == "openai"  # one call and its transient retry
    assert [call["status"] for call in json.loads(row.attempt_chain)] == [500, 500]


def test_providers_without_embeddings_or_images_are_400(gateway, media):
    gateway.add_connection(media.openai_url, provider="anthropic")
    gateway.add_connection(media.gemini_url, provider="gemini")
    with pytest.raises(openai.BadRequestError) as error:
        sdk(gateway).embeddings.create(model="anthropic/claude-haiku-4-5", input="hi")
    assert "does not support embeddings" in error.value.message
    with pytest.raises(openai.BadRequestError) as error:
        sdk(gateway).images.generate(model="gemini/imagen-4", prompt="a cat")
    assert "does not support image generation" in error.value.message
    assert media.requests == []


def test_unknown_model_is_404(gateway, media):
    gateway.add_connection(media.openai_url)
    gateway.add_connection(media.gemini_url, provider="gemini")
    with pytest.raises(openai.NotFoundError) as error:
        sdk(gateway).embeddings.create(model="nosuch/embedder", input="hi")
    assert error.value.body["code"] == "model_not_found"


@pytest.mark.parametrize(
    ("path", "body", "param"),
    [
        ("/v1/embeddings", b"{not json", None),
        ("/v1/embeddings", b'["a list"]', None),
        ("/v1/embeddings", b'{"input": "hi"}', "model"),
        ("/v1/embeddings", b'{"model": "openai/e"}', "input"),
        ("/v1/embeddings", b'{"model": "openai/e", "input": []}', "input"),
        ("/v1/embeddings", b'{"model": "openai/e", "input": [1, "a"]}', "input"),
        (
            "/v1/embeddings",
            b'{"model": "openai/e", "input": "a", "encoding_format": "x"}',
            "encoding_format",
        ),
        ("/v1/embeddings", b'{"model": "openai/e", "input": "a", "dimensions": 0}', "dimensions"),
        ("/v1/images/generations", b'{"model": "openai/gpt-image-1"}', "prompt"),
        ("/v1/providers/openai/embeddings", b"{not json", None),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_bodies_are_400_in_openai_shape(gateway, media, path, body, param):
    gateway.add_connection(media.openai_url)
    response = post(gateway, path, data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["message"]
    assert error.get("param") == param
    assert media.requests == []


# -- images ------------------------------------------------------------------------------------


def test_images_generate_pass_through_and_usage(gateway, media):
    gateway.add_connection(media.openai_url)
    reply = sdk(gateway).images.generate(model="openai/gpt-image-1", prompt="a cat", n=2)
    assert [image.url for image in reply.data] == [
        "https://images.example/0.png",
        "https://images.example/1.png",
    ]
    sent = media.requests[-1]
    assert sent.path == "/v1/images/generations"
    assert sent.body == {"model": "gpt-image-1", "prompt": "a cat", "n": 2}
    row = usage_rows(gateway)[-1]
    assert (row.endpoint, row.model, row.status) == ("images.generations", "gpt-image-1", 200)
    assert (row.prompt_tokens, row.completion_tokens) == (
        IMAGE_USAGE["input_tokens"],
        IMAGE_USAGE["output_tokens"],
    )


def test_images_fall_back_on_500(gateway, media):
    gateway.add_connection(media.openai_url, name="a", apiKey="sk-aaaa-0001")
    gateway.add_connection(media.openai_url, name="b", apiKey="sk-bbbb-0002")
    media.fail(503, api_key="sk-aaaa-0001")
    reply = sdk(gateway).images.generate(
        model="openai/dall-e-3", prompt="a dog", response_format="b64_json"
    )
    assert base64.b64decode(reply.data[0].b64_json) == b"png0"
    assert len(media.requests) == 2


# -- dedicated provider routes -------------------------------------------------------------


def test_dedicated_embeddings_and_images_add_the_prefix(gateway, media):
    gateway.add_connection(media.openai_url)
    scoped = sdk(gateway, gateway.v1 + "/providers/openai")
    scoped.embeddings.create(model="text-embedding-3-large", input="x", encoding_format="float")
    assert media.requests[-1].body["model"] == "text-embedding-3-large"
    scoped.images.generate(model="openai/gpt-image-1", prompt="p")  # own prefix kept
    assert media.requests[-1].body["model"] == "gpt-image-1"
    rows = usage_rows(gateway)[-2:]
    assert [r.requested_model for r in rows] == [
        "openai/text-embedding-3-large",
        "openai/gpt-image-1",
    ]


def test_dedicated_chat_goes_through_the_chat_pipeline(gateway, upstream):
    gateway.add_connection(upstream.url, provider="deepseek")
    scoped = sdk(gateway, gateway.v1 + "/providers/deepseek")  # catalog id; its prefix is "ds"
    reply = scoped.chat.completions.create(
        model="deepseek-chat", messages=[{"role": "user", "content": "hello"}]
    )
    assert reply.choices[0].message.content == "echo: hello"
    assert upstream.chat_requests()[-1].body["model"] == "deepseek-chat"
    row = usage_rows(gateway)[-1]
    assert (row.endpoint, row.requested_model, row.provider) == (
        "chat.completions",
        "ds/deepseek-chat",
        "deepseek",
    )
    streamed = scoped.chat.completions.create(
        model="ds/deepseek-chat", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    assert "".join(c.choices[0].delta.content or "" for c in streamed if c.choices) == "echo: hi"


def test_dedicated_route_rejects_another_providers_model(gateway, media):
    gateway.add_connection(media.openai_url)
    scoped = sdk(gateway, gateway.v1 + "/providers/openai")
    with pytest.raises(openai.BadRequestError) as error:
        scoped.chat.completions.create(
            model="anthropic/claude-sonnet-4-5", messages=[{"role": "user", "content": "x"}]
        )
    assert error.value.body["param"] == "model"
    assert "belongs to provider 'anthropic'" in error.value.message
    with pytest.raises(openai.BadRequestError):
        scoped.embeddings.create(model="gemini/gemini-embedding-001", input="x")
    assert media.requests == []


def test_dedicated_route_on_a_provider_node_prefix(gateway, media):
    with gateway.admin() as session:
        node = {
            "name": "Local",
            "prefix": "local",
            "baseUrl": media.openai_url,
            "apiType": "openai",
        }
        assert session.post(gateway.url + "/api/provider-nodes", json=node).status_code == 201
    reply = sdk(gateway, gateway.v1 + "/providers/local").embeddings.create(
        model="nomic-embed-text", input="abc", encoding_format="float"
    )
    assert reply.data[0].embedding == [3.0, 0.0, 0.5]
    assert media.requests[-1].body["model"] == "nomic-embed-text"
    assert usage_rows(gateway)[-1].provider == "local"


def test_dedicated_models_list(gateway):
    models = requests.get(gateway.v1 + "/providers/openai/models", timeout=10).json()
    ids = [m["id"] for m in models["data"]]
    assert "openai/gpt-4o" in ids and all(i.startswith("openai/") for i in ids)
    assert {m["owned_by"] for m in models["data"]} == {"openai"}
    by_id = requests.get(gateway.v1 + "/providers/deepseek/models", timeout=10).json()
    assert "ds/deepseek-chat" in [m["id"] for m in by_id["data"]]
    unknown = requests.get(gateway.v1 + "/providers/nosuch/models", timeout=10)
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "provider_not_found"


@pytest.mark.parametrize("path", ["/embeddings", "/v1/v1/embeddings"])
def test_unprefixed_and_doubled_embeddings_paths(gateway, media, path):
    gateway.add_connection(media.openai_url)
    response = post(gateway, path, json={"model": EMBED_MODEL, "input": "hi"})
    assert response.status_code == 200, response.text
    assert response.json()["data"][0]["object"] == "embedding"
    assert "Vary" not in response.headers  # no cookie session on the client API


@pytest.mark.parametrize("path", ["/images/generations", "/v1/v1/images/generations"])
def test_unprefixed_and_doubled_images_paths(gateway, media, path):
    gateway.add_connection(media.openai_url)
    response = post(gateway, path, json={"model": "openai/gpt-image-1", "prompt": "a cat"})
    assert response.status_code == 200, response.text
