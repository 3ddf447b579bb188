"""The official SDKs against providers of OTHER wire formats, through a real gateway.

- openai SDK: Chat Completions (create, stream, the `.stream()` helper with tools) to a Gemini
  provider; Responses (create, the `.stream()` helper, a tool round) to an Anthropic provider.
- anthropic SDK 2.x (Bearer auth) in-process and 1.x (x-api-key auth) in a subprocess with the
  1.x package from .venv/anthropic-1 (installed by `make test`), both to an OpenAI provider.
Keys are required on this gateway, so each SDK's way of sending the key is exercised.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import anthropic
import openai
import pytest

from tests.fake_upstream import Behavior
from tests.gateway_harness import start_gateway

ROOT = Path(__file__).resolve().parents[2]  # the repository
ANTHROPIC_1 = ROOT / ".venv" / "anthropic-1"
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


@pytest.fixture
def keyed(tmp_path, upstream):
    """A gateway that requires API keys, with an OpenAI, an Anthropic and a Gemini provider."""
    gateway = start_gateway(str(tmp_path / "keyed"), REQUIRE_API_KEY=True)
    for provider in ("openai", "anthropic", "gemini"):
        gateway.add_connection(upstream.url, provider=provider, apiKey=f"sk-up-{provider}")
    with gateway.admin() as admin:
        gateway.key = admin.post(gateway.url + "/api/keys", json={"name": "sdk"}).json()["key"]
    yield gateway
    gateway.stop()


def openai_client(gateway) -> openai.OpenAI:
    return openai.OpenAI(base_url=gateway.v1, api_key=gateway.key, max_retries=0)


def test_openai_chat_to_a_gemini_provider(keyed, upstream):
    client = openai_client(keyed)
    reply = client.chat.completions.create(
        model="gemini/gemini-2.5-flash", messages=[{"role": "user", "content": "hello there"}]
    )
    assert reply.choices[0].message.content == "echo: hello there"
    assert reply.usage.prompt_tokens == 11
    sent = upstream.requests_for("gemini")[-1]
    assert sent.model == "gemini-2.5-flash" and sent.api_key == "sk-up-gemini"
    chunks = list(
        client.chat.completions.create(
            model="gemini/gemini-2.5-flash",
            stream=True,
            stream_options={"include_usage": True},
            messages=[{"role": "user", "content": "stream please"}],
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "echo: stream please"
    assert chunks[-1].usage.completion_tokens == 7


def test_openai_stream_helper_with_tools_to_a_gemini_provider(keyed, upstream):
    upstream.add(Behavior(tool_calls=[("get_weather", '{"city": "Paris"}')]))
    with openai_client(keyed).chat.completions.stream(
        model="gemini/gemini-2.5-flash",
        tools=[WEATHER],
        messages=[{"role": "user", "content": "weather?"}],
    ) as stream:
        final = stream.get_final_completion()
    call = final.choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Paris"}
    assert final.choices[0].finish_reason == "tool_calls"
    declared = upstream.requests_for("gemini")[-1].body["tools"][0]["functionDeclarations"]
    assert declared[0]["name"] == "get_weather"


def test_openai_responses_to_an_anthropic_provider(keyed, upstream):
    client = openai_client(keyed)
    reply = client.responses.create(
        model="anthropic/claude-sonnet-4-5",
        input="say hi",
        instructions="be brief",
        max_output_tokens=50,
    )
    assert reply.output_text == "echo: say hi"
    sent = upstream.requests_for("anthropic")[-1]
    assert sent.body["system"] in ("be brief", [{"type": "text", "text": "be brief"}])
    assert sent.body["max_tokens"] == 50 and sent.api_key == "sk-up-anthropic"
    with client.responses.stream(model="anthropic/claude-sonnet-4-5", input="stream it") as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert "".join(deltas) == final.output_text == "echo: stream it"
    assert final.usage.input_tokens == 11


def test_openai_responses_tool_round_to_an_anthropic_provider(keyed, upstream):
    client = openai_client(keyed)
    tool = {
        "type": "function",
        "name": "get_weather",
        "strict": False,
        "parameters": WEATHER["function"]["parameters"],
    }
    upstream.add(Behavior(tool_calls=[("get_weather", '{"city": "Rome"}')]), times=1)
    first = client.responses.create(
        model="anthropic/claude-sonnet-4-5", input="weather?", tools=[tool]
    )
    [call] = [item for item in first.output if item.type == "function_call"]
    assert (call.name, json.loads(call.arguments)) == ("get_weather", {"city": "Rome"})
    second = client.responses.create(
        model="anthropic/claude-sonnet-4-5",
        tools=[tool],
        input=[
            {"role": "user", "content": "weather?"},
            {
                "type": "function_call",
                "call_id": call.call_id,
                "name": call.name,
                "arguments": call.arguments,
            },
            {"type": "function_call_output", "call_id": call.call_id, "output": "cloudy"},
        ],
    )
    assert second.output_text == "tool said: cloudy"
    result = upstream.requests_for("anthropic")[-1].body["messages"][-1]["content"][0]
    assert result["type"] == "tool_result" and result["tool_use_id"] == call.call_id


def test_anthropic_sdk_2_to_an_openai_provider(keyed, upstream):
    client = anthropic.Anthropic(base_url=keyed.url, auth_token=keyed.key, max_retries=0)
    message = client.messages.create(
        model="openai/gpt-4o-mini", max_tokens=64, messages=[{"role": "user", "content": "say hi"}]
    )
    assert message.content[0].text == "echo: say hi"
    assert message.usage.input_tokens == 11 and message.stop_reason == "end_turn"
    upstream.add(Behavior(thinking="considering", text="thought it through"))
    with client.messages.stream(
        model="openai/gpt-5",  # a reasoning model: gpt-4o-mini refuses reasoning_effort
        max_tokens=2048,
        thinking={"type": "enabled", "budget_tokens": 1024},
        messages=[{"role": "user", "content": "think"}],
    ) as stream:
        final = stream.get_final_message()
    assert [b.type for b in final.content] == ["thinking", "text"]
    assert final.content[0].thinking == "considering"
    sent = upstream.requests_for("openai")[-1].body
    assert sent["reasoning_effort"] == "minimal" and sent["max_completion_tokens"] == 2048
    count = client.messages.count_tokens(
        model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
    )
    assert count.input_tokens >= 1


SDK_1_SCRIPT = """
import json, sys
import anthropic
assert anthropic.__version__.startswith("1."), anthropic.__version__
client = anthropic.Anthropic(base_url=sys.argv[1], api_key=sys.argv[2], max_retries=0)
message = client.messages.create(model="openai/gpt-4o-mini", max_tokens=64,
                                 messages=[{"role": "user", "content": "from one"}])
with client.messages.stream(model="openai/gpt-4o-mini", max_tokens=64,
                            messages=[{"role": "user", "content": "streamed"}]) as stream:
    text = "".join(stream.text_stream)
print(json.dumps({"text": message.content[0].text, "stream": text}))
"""


def test_anthropic_sdk_1_x_api_key_style_to_an_openai_provider(keyed, upstream):
    if not (ANTHROPIC_1 / "anthropic").is_dir():
        pytest.fail(f"{ANTHROPIC_1} is missing: run `make test`")
    env = {**os.environ, "PYTHONPATH": str(ANTHROPIC_1)}
    result = subprocess.run(
        [sys.executable, "-c", SDK_1_SCRIPT, keyed.url, keyed.key],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout) == {"text": "echo: from one", "stream": "echo: streamed"}
    assert len(upstream.requests_for("openai")) == 2
