"""IBM watsonx.ai end to end: the connection's IBM Cloud API key is exchanged at a fake IAM
(tests/fakes/token_exchanges.py) for a bearer token, kept until it expires, and the OpenAI and
Anthropic SDKs' chats reach the strict watsonx fake (tests/fakes/cloud_platforms_more.py) as
text/chat calls: the region's host, `version`, `model_id` and `project_id` in the body, the
stream on /chat_stream; its answers (watsonx's extra fields, `event: message` streams without
`[DONE]`) come back in each client's shape. Sync models reads foundation_model_specs."""

from __future__ import annotations

import time

import anthropic
import openai
import pytest
import requests

from omniroute.providers import watsonx
from tests.fakes.cloud_platforms import CloudPlatformFake
from tests.fakes.cloud_platforms_more import Watsonx
from tests.fakes.token_exchanges import IbmIamFake

API_KEY = "ibm-cloud-api-key-0123456789abcdef"
PROJECT = "63dc4cf1-252f-424b-b52d-5cdd9814987f"
HELLO = [{"role": "user", "content": "hello"}]


@pytest.fixture
def iam():
    fake = IbmIamFake(frozenset({API_KEY})).start()
    yield fake
    fake.stop()


@pytest.fixture
def platform(upstream, iam):
    fake = CloudPlatformFake(Watsonx(iam, PROJECT), upstream.url).start()
    yield fake
    fake.stop()


def _connect(gateway, platform, iam, key: str = API_KEY) -> dict:
    options = {"projectId": PROJECT, "region": "eu-de", "iamUrl": iam.url}
    return gateway.add_connection(platform.base, "watsonx", apiKey=key, options=options)


def _openai(gateway) -> openai.OpenAI:
    return openai.OpenAI(base_url=gateway.v1, api_key="unused", max_retries=0)


def test_watsonx_chats_with_an_iam_token_in_its_own_body_and_path(gateway, upstream, iam, platform):
    made = _connect(gateway, platform, iam)
    assert made["options"] == {
        "projectId": PROJECT,
        "region": "eu-de",
        "apiVersion": watsonx.DEFAULT_VERSION,
        "iamUrl": iam.url,
    }
    model = "watsonx/ibm/granite-3-3-8b-instruct"
    reply = _openai(gateway).chat.completions.create(model=model, messages=HELLO)
    assert reply.choices[0].message.content == "echo: hello"
    seen = platform.requests[-1]
    assert (seen.path, seen.query) == ("/ml/v1/text/chat", {"version": [watsonx.DEFAULT_VERSION]})
    assert seen.body["model_id"] == "ibm/granite-3-3-8b-instruct"
    assert seen.body["project_id"] == PROJECT and "model" not in seen.body
    assert upstream.chat_requests()[-1].body["model"] == "ibm/granite-3-3-8b-instruct"

    chunks = _openai(gateway).chat.completions.create(model=model, messages=HELLO, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "echo: hello"
    assert platform.requests[-1].path == "/ml/v1/text/chat_stream"
    assert "stream" not in platform.requests[-1].body

    claude = anthropic.Anthropic(base_url=gateway.url, api_key="unused", max_retries=0)
    message = claude.messages.create(model=model, max_tokens=64, messages=HELLO)
    assert message.content[0].text == "echo: hello"
    with claude.messages.stream(model=model, max_tokens=64, messages=HELLO) as stream:
        assert "".join(stream.text_stream) == "echo: hello"
    assert iam.exchanges == 1  # one token, kept for every call


def test_watsonx_exchanges_the_key_again_when_the_token_expires(
    gateway, upstream, iam, platform, monkeypatch
):
    _connect(gateway, platform, iam)
    model = "watsonx/meta-llama/llama-3-3-70b-instruct"
    _openai(gateway).chat.completions.create(model=model, messages=HELLO)
    first = platform.requests[-1].headers["authorization"]
    iam.expire_all()
    monkeypatch.setattr(watsonx.TOKENS, "clock", lambda: time.time() + iam.lifetime)
    reply = _openai(gateway).chat.completions.create(model=model, messages=HELLO)
    assert reply.choices[0].message.content == "echo: hello"
    assert iam.exchanges == 2 and platform.requests[-1].headers["authorization"] != first


def test_a_key_iam_refuses_makes_the_account_unavailable(gateway, upstream, iam, platform):
    _connect(gateway, platform, iam, key="ibm-cloud-api-key-unknown")
    with pytest.raises(openai.APIStatusError) as error:
        _openai(gateway).chat.completions.create(
            model="watsonx/ibm/granite-3-3-8b-instruct", messages=HELLO
        )
    assert error.value.status_code == 503
    assert "IBM Cloud IAM refused the key" in error.value.message
    assert not platform.requests


def test_the_watsonx_fake_refuses_openai_fields_and_a_stale_token(iam, platform):
    token = requests.post(
        iam.url, data={"grant_type": watsonx.APIKEY_GRANT, "apikey": API_KEY}, timeout=10
    ).json()["access_token"]
    url = platform.base + "/ml/v1/text/chat?version=2025-02-11"
    body = {"model_id": "m", "project_id": PROJECT, "messages": HELLO}
    auth = {"Authorization": f"Bearer {token}"}
    openai_body = {**body, "model": "m"}
    assert requests.post(url, json=openai_body, headers=auth, timeout=10).status_code == 400
    iam.expire_all()
    assert requests.post(url, json=body, headers=auth, timeout=10).status_code == 401


def test_sync_models_reads_the_chat_model_specs(gateway, upstream, iam, platform):
    made = _connect(gateway, platform, iam)
    platform.model_ids = ["ibm/granite-3-3-8b-instruct", "ibm/granite-4-h-small"]
    response = gateway.admin().post(f"{gateway.url}/api/providers/{made['id']}/sync-models")
    assert response.status_code == 200, response.text
    assert response.json()["added"] == ["ibm/granite-4-h-small"]
    seen = platform.requests[-1]
    assert seen.path == "/ml/v1/foundation_model_specs"
    assert seen.query["filters"] == ["function_text_chat"]
    offered = {m["id"] for m in requests.get(gateway.v1 + "/models", timeout=10).json()["data"]}
    assert "watsonx/ibm/granite-4-h-small" in offered


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({}, "options.projectId"),
        ({"projectId": "my-project"}, "options.projectId"),
        ({"projectId": PROJECT, "spaceId": PROJECT}, "options.projectId"),
        ({"projectId": PROJECT, "region": "Dallas"}, "options.region"),
        ({"projectId": PROJECT, "apiVersion": "latest"}, "options.apiVersion"),
        ({"projectId": PROJECT, "iamUrl": "http://iam.example.com/token"}, "options.iamUrl"),
    ],
)
def test_bad_options_are_a_400_naming_the_field(gateway, options, field):
    body = {"name": "w", "provider": "watsonx", "apiKey": API_KEY, "options": options}
    response = gateway.admin().post(gateway.url + "/api/providers", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == field
