"""POST /v1/rerank and POST /v1/audio/speech through a real gateway to strict fakes of Cohere,
Jina, Voyage, OpenAI, ElevenLabs and Cartesia (tests.fakes.media_apis, real HTTP)."""

from __future__ import annotations

import json

import openai
import pytest
import requests

from tests.fakes.media_apis import MediaApis

DOCUMENTS = ["the cat sat", "dogs bark loudly", "a cat and a dog"]


@pytest.fixture(scope="module")
def apis_server():
    server = MediaApis().start()
    yield server
    server.stop()


@pytest.fixture
def apis(apis_server):
    apis_server.requests.clear()
    apis_server.faults.clear()
    return apis_server


def post(gateway, path: str, body: dict) -> requests.Response:
    return requests.post(gateway.v1 + path, json=body, timeout=10)


# -- rerank ---------------------------------------------------------------------------------


def test_cohere_rerank_goes_to_v2_rerank_and_records_search_units(gateway, apis):
    gateway.add_connection(apis.base + "/compatibility/v1", provider="cohere", apiKey="co-key-01")
    body = {"model": "cohere/rerank-v3.5", "query": "cat", "documents": DOCUMENTS, "top_n": 2}
    answer = post(gateway, "/rerank", body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"] == [
        {"index": 0, "relevance_score": 1.0},
        {"index": 2, "relevance_score": 1.0},
    ]
    assert answer.json()["usage"] == {"search_units": 1}
    [sent] = apis.requests
    assert sent.path == "/v2/rerank" and sent.api_key == "co-key-01"
    assert sent.body == {"model": "rerank-v3.5", "query": "cat", "documents": DOCUMENTS, "top_n": 2}
    row = gateway.last_usage_row()
    assert (row.endpoint, row.provider, row.model, row.status) == (
        "rerank",
        "cohere",
        "rerank-v3.5",
        200,
    )
    assert row.prompt_tokens == 1  # one search unit


def test_voyage_rerank_takes_top_k_and_gives_documents_back(gateway, apis):
    gateway.add_connection(apis.base + "/voyage/v1", provider="voyage", apiKey="pa-voyage-1")
    body = {
        "model": "voyage/rerank-2.5",
        "query": "dogs bark",
        "documents": [{"text": d} for d in DOCUMENTS],
        "top_n": 1,
        "return_documents": True,
    }
    answer = post(gateway, "/rerank", body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"] == [
        {"index": 1, "relevance_score": 1.0, "document": {"text": "dogs bark loudly"}}
    ]
    sent = apis.requests[-1]
    assert sent.body["top_k"] == 1 and "top_n" not in sent.body
    assert gateway.last_usage_row().prompt_tokens == 33  # the tokens Voyage billed


def test_jina_rerank_falls_back_to_the_next_account(gateway, apis):
    gateway.add_connection(apis.base + "/jina/v1", provider="jina", name="a", apiKey="jina-aaaa")
    second = gateway.add_connection(
        apis.base + "/jina/v1", provider="jina", name="b", apiKey="jina-bbbb"
    )
    apis.fail(500, api_key="jina-aaaa", times=5)
    body = {
        "model": "jina/jina-reranker-v2-base-multilingual",
        "query": "cat",
        "documents": DOCUMENTS,
    }
    answer = post(gateway, "/rerank", body)
    assert answer.status_code == 200, answer.text
    assert [r["index"] for r in answer.json()["results"]] == [0, 2, 1]
    assert apis.requests[-1].api_key == "jina-bbbb"
    assert apis.requests[-1].body["return_documents"] is False
    row = gateway.last_usage_row()
    assert (row.connection_id, row.prompt_tokens) == (second["id"], 21)


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"query": ""}, "query"),
        ({"documents": []}, "documents"),
        ({"documents": [1, 2]}, "documents"),
        ({"top_n": 0}, "top_n"),
        ({"return_documents": "yes"}, "return_documents"),
    ],
)
def test_bad_rerank_input_is_a_400_before_any_call(gateway, apis, change, param):
    gateway.add_connection(apis.base + "/jina/v1", provider="jina")
    body = {"model": "jina/jina-reranker-v2-base-multilingual", "query": "q", "documents": ["d"]}
    answer = post(gateway, "/rerank", {**body, **change})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["param"] == param
    assert apis.requests == []


def test_a_rerank_refusal_keeps_its_status(gateway, apis):
    gateway.add_connection(apis.base + "/compatibility/v1", provider="cohere")
    apis.fail(429, times=5, message="too many searches")
    answer = post(
        gateway, "/rerank", {"model": "cohere/rerank-v3.5", "query": "q", "documents": ["d"]}
    )
    assert answer.status_code == 429, answer.text
    assert "too many searches" in answer.json()["error"]["message"]
    row = gateway.last_usage_row()
    assert (row.endpoint, row.status) == ("rerank", 429)


# -- speech ---------------------------------------------------------------------------------


def test_openai_speech_is_passed_through_and_counts_characters(gateway, apis):
    gateway.add_connection(apis.base + "/openai/v1", apiKey="sk-speech-01")
    client = openai.OpenAI(base_url=gateway.v1, api_key="unused", max_retries=0)
    reply = client.audio.speech.create(model="openai/tts-1", input="Hello there", voice="alloy")
    assert reply.content == b"ID3Hello there"
    assert reply.response.headers["content-type"] == "audio/mpeg"
    sent = apis.requests[-1]
    assert sent.path == "/openai/v1/audio/speech"
    assert sent.body == {"model": "tts-1", "input": "Hello there", "voice": "alloy"}
    row = gateway.last_usage_row()
    assert (row.endpoint, row.provider, row.prompt_tokens) == ("audio.speech", "openai", 11)


def test_elevenlabs_speech_puts_the_voice_in_the_path_and_the_key_in_xi_api_key(gateway, apis):
    gateway.add_connection(apis.base + "/elevenlabs/v1", provider="elevenlabs", apiKey="xi-01")
    body = {
        "model": "elevenlabs/eleven_flash_v2_5",
        "input": "Hi",
        "voice": "21m00Tcm4TlvDq8ikWAM",
        "speed": 1.1,
    }
    answer = post(gateway, "/audio/speech", body)
    assert answer.status_code == 200, answer.text
    assert answer.content == b"ID321m00Tcm4TlvDq8ikWAM:Hi"
    sent = apis.requests[-1]
    assert (
        sent.path
        == "/elevenlabs/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM?output_format=mp3_44100_128"
    )
    assert sent.headers["xi-api-key"] == "xi-01" and "Authorization" not in sent.headers
    assert sent.body == {
        "text": "Hi",
        "model_id": "eleven_flash_v2_5",
        "voice_settings": {"speed": 1.1},
    }
    assert gateway.last_usage_row().prompt_tokens == 2


def test_cartesia_speech_sends_its_version_and_output_format(gateway, apis):
    gateway.add_connection(apis.base + "/cartesia", provider="cartesia", apiKey="sk_car_01")
    body = {"model": "cartesia/sonic-3.5", "input": "Hey", "voice": "v-1", "response_format": "wav"}
    answer = post(gateway, "/audio/speech", body)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "audio/wav"
    sent = apis.requests[-1]
    assert sent.headers["Cartesia-Version"] and sent.api_key == "sk_car_01"
    assert sent.body["voice"] == {"mode": "id", "id": "v-1"}
    assert sent.body["output_format"]["container"] == "wav"


def test_speech_falls_back_across_accounts(gateway, apis):
    gateway.add_connection(
        apis.base + "/elevenlabs/v1", provider="elevenlabs", name="a", apiKey="xi-a"
    )
    gateway.add_connection(
        apis.base + "/elevenlabs/v1", provider="elevenlabs", name="b", apiKey="xi-b"
    )
    apis.fail(503, api_key="xi-a", times=5)
    body = {"model": "elevenlabs/eleven_multilingual_v2", "input": "x", "voice": "v"}
    answer = post(gateway, "/audio/speech", body)
    assert answer.status_code == 200, answer.text
    assert apis.requests[-1].api_key == "xi-b"


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"input": ""}, "input"),
        ({"input": "x" * 4097}, "input"),
        ({"voice": None}, "voice"),
        ({"response_format": "ogg"}, "response_format"),
        ({"response_format": ["mp3"]}, "response_format"),
        ({"speed": 9}, "speed"),
    ],
)
def test_bad_speech_input_is_a_400_before_any_call(gateway, apis, change, param):
    gateway.add_connection(apis.base + "/openai/v1")
    body = {"model": "openai/tts-1", "input": "hi", "voice": "alloy", **change}
    answer = post(gateway, "/audio/speech", body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["param"] == param
    assert apis.requests == []


def test_a_format_the_provider_cannot_make_is_a_400(gateway, apis):
    gateway.add_connection(apis.base + "/cartesia", provider="cartesia")
    body = {"model": "cartesia/sonic-3.5", "input": "hi", "voice": "v", "response_format": "aac"}
    answer = post(gateway, "/audio/speech", body)
    assert answer.status_code == 400 and answer.json()["error"]["param"] == "response_format"
    assert apis.requests == []


def test_a_chat_only_provider_does_not_speak(gateway, apis):
    gateway.add_connection(apis.base + "/openai/v1", provider="anthropic")
    answer = post(gateway, "/audio/speech", {"model": "anthropic/x", "input": "hi", "voice": "v"})
    assert answer.status_code == 400 and "does not support speech" in answer.text
    assert apis.requests == []


def test_a_speech_refusal_keeps_its_status_in_openai_shape(gateway, apis):
    gateway.add_connection(apis.base + "/elevenlabs/v1", provider="elevenlabs")
    apis.fail(401, times=5, message="Invalid API key")
    body = {"model": "elevenlabs/eleven_multilingual_v2", "input": "x", "voice": "v"}
    answer = post(gateway, "/audio/speech", body)
    assert answer.status_code == 401, answer.text
    assert "Invalid API key" in answer.json()["error"]["message"]
    row = gateway.last_usage_row()
    assert (row.endpoint, row.status, row.provider) == ("audio.speech", 401, "elevenlabs")
    assert [c["status"] for c in json.loads(row.attempt_chain)][0] == 401


def test_the_connection_test_checks_speech_keys_without_speaking(gateway, apis):
    ids = {
        "elevenlabs": gateway.add_connection(apis.base + "/elevenlabs/v1", provider="elevenlabs"),
        "cartesia": gateway.add_connection(apis.base + "/cartesia", provider="cartesia"),
    }
    with gateway.admin() as admin:
        for provider, connection in ids.items():
            result = admin.post(f"{gateway.url}/api/providers/{connection['id']}/test").json()
            assert result["ok"] is True, (provider, result)
    assert [r.path for r in apis.requests] == ["/elevenlabs/v1/models", "/cartesia/voices?limit=1"]


def test_chat_with_a_speech_model_is_a_clear_400(gateway, apis):
    gateway.add_connection(apis.base + "/elevenlabs/v1", provider="elevenlabs")
    body = {
        "model": "elevenlabs/eleven_multilingual_v2",
        "messages": [{"role": "user", "content": "hi"}],
    }
    answer = requests.post(gateway.v1 + "/chat/completions", json=body, timeout=10)
    assert answer.status_code == 400, answer.text
    assert "do not chat" in answer.json()["error"]["message"]
    assert apis.requests == []
