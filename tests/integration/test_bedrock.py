"""Amazon Bedrock end to end: the Converse API, every call signed with SigV4 by botocore.

A real gateway calls the strict Bedrock fake (tests/fakes/bedrock.py), which recomputes each
call's SigV4 signature with the secret it holds (or checks a Bedrock API key sent as Bearer),
validates the Converse body as Bedrock does, and answers JSON or AWS event-stream frames.
Clients speak OpenAI Chat and Anthropic Messages; the gateway translates both ways.
"""

from __future__ import annotations

import json

import anthropic
import openai
import pytest

from tests.fakes.bedrock import CACHE_READ, REASONING_TEXT, BedrockFake
from tests.fakes.bedrock_auth import AwsKey, BedrockAuth

REGION = "eu-central-1"
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TEMP_KEY, TEMP_SECRET, SESSION = (
    "ASIAIOSFODNN7EXAMPLE",
    "temp/secret/0123456789",
    "FwoGZXIvYXdzEXAMPLE",
)
API_KEY = "ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlMDEyMzQ1Njc4OQ=="
NOVA = "amazon.nova-lite-v1:0"
CLAUDE = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"
HELLO = [{"role": "user", "content": "hello"}]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
    },
}


@pytest.fixture
def bedrock():
    auth = BedrockAuth(
        REGION,
        {ACCESS_KEY: AwsKey(SECRET_KEY), TEMP_KEY: AwsKey(TEMP_SECRET, SESSION)},
        {API_KEY},
    )
    fake = BedrockFake(auth).start()
    yield fake
    fake.stop()


def _connect(gateway, bedrock, secret: str = f"{ACCESS_KEY}:{SECRET_KEY}", **fields) -> dict:
    fields.setdefault("options", {"region": REGION})
    return gateway.add_connection(bedrock.base, "bedrock", apiKey=secret, **fields)


def _openai(gateway) -> openai.OpenAI:
    return openai.OpenAI(base_url=gateway.v1, api_key="unused", max_retries=0)


def _anthropic(gateway) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=gateway.url, api_key="unused", max_retries=0)


def test_an_openai_client_is_answered_through_converse_signed_with_sigv4(gateway, bedrock):
    made = _connect(gateway, bedrock)
    assert made["options"] == {"region": REGION}
    assert SECRET_KEY not in json.dumps(made)

    reply = _openai(gateway).chat.completions.create(model=f"bedrock/{NOVA}", messages=HELLO)
    assert reply.choices[0].message.content == "echo: hello"
    seen = bedrock.requests[-1]
    assert seen.path == "/model/amazon.nova-lite-v1%3A0/converse" and seen.model == NOVA
    assert (
        seen.headers["authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/")
        and f"/{REGION}/bedrock/aws4_request" in seen.headers["authorization"]
    )
    assert seen.body == {"messages": [{"role": "user", "content": [{"text": "hello"}]}]}
    # cached input tokens are part of the prompt (Converse reports them apart)
    assert reply.usage.prompt_tokens == 1 + CACHE_READ
    assert reply.usage.prompt_tokens_details.cached_tokens == CACHE_READ

    chunks = _openai(gateway).chat.completions.create(
        model=f"bedrock/{NOVA}", messages=HELLO, stream=True, stream_options={"include_usage": True}
    )
    pieces = list(chunks)
    assert "".join(c.choices[0].delta.content or "" for c in pieces if c.choices) == "echo: hello"
    assert pieces[-1].usage.prompt_tokens == 1 + CACHE_READ
    assert bedrock.requests[-1].path.endswith("/converse-stream")
    assert bedrock.requests[-1].headers["accept"] == "application/vnd.amazon.eventstream"


def test_an_anthropic_client_is_answered_through_converse_streamed_or_not(gateway, bedrock):
    _connect(gateway, bedrock)
    client = _anthropic(gateway)
    answer = client.messages.create(
        model=f"bedrock/{NOVA}", max_tokens=64, system="Be brief.", messages=HELLO
    )
    assert answer.content[0].text == "echo: hello" and answer.stop_reason == "end_turn"
    sent = bedrock.requests[-1].body
    assert sent["system"] == [{"text": "Be brief."}]
    assert sent["inferenceConfig"] == {"maxTokens": 64}

    with client.messages.stream(model=f"bedrock/{NOVA}", max_tokens=64, messages=HELLO) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == "echo: hello" and final.stop_reason == "end_turn"
    assert final.usage.output_tokens > 0


def test_a_tool_call_goes_both_ways(gateway, bedrock):
    _connect(gateway, bedrock)
    client = _openai(gateway)
    first = client.chat.completions.create(
        model=f"bedrock/{NOVA}", messages=[{"role": "user", "content": "Paris"}], tools=[WEATHER]
    )
    call = first.choices[0].message.tool_calls[0]
    assert first.choices[0].finish_reason == "tool_calls"
    assert call.function.name == "get_weather" and json.loads(call.function.arguments) == {
        "query": "Paris"
    }
    tool_spec = bedrock.requests[-1].body["toolConfig"]["tools"][0]["toolSpec"]
    assert tool_spec["inputSchema"] == {"json": WEATHER["function"]["parameters"]}

    history = [
        {"role": "user", "content": "Paris"},
        first.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "sunny"},
    ]
    second = client.chat.completions.create(
        model=f"bedrock/{NOVA}", messages=history, tools=[WEATHER]
    )
    assert second.choices[0].message.content == "tool said: sunny"
    result = bedrock.requests[-1].body["messages"][2]["content"][0]["toolResult"]
    assert result == {"toolUseId": call.id, "content": [{"text": "sunny"}]}

    chunks = client.chat.completions.create(
        model=f"bedrock/{NOVA}", messages=[{"role": "user", "content": "Oslo"}], tools=[WEATHER],
        stream=True,
    )  # fmt: skip
    calls = [tc for c in chunks if c.choices for tc in (c.choices[0].delta.tool_calls or [])]
    assert calls[0].function.name == "get_weather"
    assert json.loads("".join(tc.function.arguments or "" for tc in calls)) == {"query": "Oslo"}


def test_reasoning_comes_back_with_its_signature_to_bedrock(gateway, bedrock):
    _connect(gateway, bedrock)
    client = _anthropic(gateway)
    thinking = {"type": "enabled", "budget_tokens": 2048}
    first = client.messages.create(
        model=f"bedrock/{CLAUDE}", max_tokens=4096, thinking=thinking, messages=HELLO
    )
    sent = bedrock.requests[-1].body
    assert sent["additionalModelRequestFields"]["thinking"] == thinking
    block = first.content[0]
    assert block.type == "thinking" and block.thinking == REASONING_TEXT and block.signature
    assert first.content[1].text == "echo: hello"

    history = [
        *HELLO,
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
        {"role": "user", "content": "again"},
    ]
    with client.messages.stream(
        model=f"bedrock/{CLAUDE}", max_tokens=4096, thinking=thinking, messages=history
    ) as stream:
        final = stream.get_final_message()
    given_back = bedrock.requests[-1].body["messages"][1]["content"][0]["reasoningContent"]
    # the fake accepts only a signature it issued: the wrapped one came back unwrapped
    assert given_back["reasoningText"]["signature"] in bedrock.signatures
    assert final.content[0].type == "thinking" and final.content[0].signature
    assert final.content[-1].text == "echo: again"


def test_temporary_credentials_and_a_bedrock_api_key_are_accepted(gateway, bedrock):
    _connect(gateway, bedrock, f"{TEMP_KEY}:{TEMP_SECRET}:{SESSION}")
    reply = _openai(gateway).chat.completions.create(model=f"bedrock/{NOVA}", messages=HELLO)
    assert reply.choices[0].message.content == "echo: hello"
    assert bedrock.requests[-1].headers["x-amz-security-token"] == SESSION

    second = gateway.add_connection(
        bedrock.base, "bedrock", apiKey=API_KEY, options={"region": REGION}, priority=0
    )
    assert second["options"] == {"region": REGION}
    for connection in gateway.admin().get(gateway.url + "/api/providers").json()["data"]:
        if connection["id"] != second["id"]:
            gateway.admin().delete(gateway.url + f"/api/providers/{connection['id']}")
    reply = _openai(gateway).chat.completions.create(model=f"bedrock/{NOVA}", messages=HELLO)
    assert reply.choices[0].message.content == "echo: hello"
    assert bedrock.requests[-1].headers["authorization"] == f"Bearer {API_KEY}"


def test_a_wrong_secret_is_refused_as_an_auth_error(gateway, bedrock):
    _connect(gateway, bedrock, f"{ACCESS_KEY}:not-the-secret")
    with pytest.raises(openai.APIStatusError) as refused:
        _openai(gateway).chat.completions.create(model=f"bedrock/{NOVA}", messages=HELLO)
    assert refused.value.status_code in (401, 403)
    assert "signature we calculated does not match" in refused.value.message
    assert len(bedrock.requests) == 1


def test_an_account_with_a_wrong_secret_falls_back_to_the_next_account(gateway, bedrock):
    _connect(gateway, bedrock, f"{ACCESS_KEY}:not-the-secret", name="wrong", priority=1)
    _connect(gateway, bedrock, f"{TEMP_KEY}:{TEMP_SECRET}:{SESSION}", name="right", priority=2)
    reply = _openai(gateway).chat.completions.create(model=f"bedrock/{NOVA}", messages=HELLO)
    assert reply.choices[0].message.content == "echo: hello"
    credentials = [r.headers["authorization"].split("/")[0] for r in bedrock.requests]
    assert credentials == [
        f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}",
        f"AWS4-HMAC-SHA256 Credential={TEMP_KEY}",
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"options": {"region": "mars-1"}}, "options.region"),
        ({"options": {"zone": "x"}}, "options.zone"),
        ({"apiKey": f"{ACCESS_KEY}:"}, "apiKey"),
        ({"apiKey": "not an aws key:secret"}, "apiKey"),
    ],
)
def test_bad_options_or_credentials_are_refused_naming_the_field(gateway, fields, field):
    body = {"provider": "bedrock", "name": "b", "apiKey": f"{ACCESS_KEY}:{SECRET_KEY}", **fields}
    response = gateway.admin().post(gateway.url + "/api/providers", json=body)
    assert response.status_code == 400, response.text
    assert field in json.dumps(response.json())


def test_the_connection_test_sends_a_signed_converse_call(gateway, bedrock):
    good = _connect(gateway, bedrock)
    bad = _connect(gateway, bedrock, f"{ACCESS_KEY}:not-the-secret", name="bad")
    results = {
        made["id"]: gateway.admin().post(f"{gateway.url}/api/providers/{made['id']}/test").json()
        for made in (good, bad)
    }
    assert results[good["id"]]["ok"] is True, results
    assert results[bad["id"]]["ok"] is False
    assert "signature we calculated does not match" in results[bad["id"]]["error"]
    assert bedrock.requests[0].model == CLAUDE  # the catalog's first model
    assert bedrock.requests[0].body["inferenceConfig"] == {"maxTokens": 1}
