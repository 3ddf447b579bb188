"""OpenAI Responses format: requests, answers, usage, errors and streams ⇄ canonical."""

from __future__ import annotations

import copy
import dataclasses
import json
import logging
import random
import typing

import pytest

from omniroute.errors import GatewayError, InvalidRequestError, UpstreamStatusError
from omniroute.formats import canonical as c
from omniroute.formats import dropped
from omniroute.formats.registry import FORMATS
from omniroute.formats.responses.stream_decoder import error_status
from omniroute.formats.responses.wire import WIRE as r
from omniroute.formats.sse import SSESplitter, event_fields
from tests.formats import responses_samples as samples
from tests.formats.client_fixtures import client_records, missing_fixtures_message


def _fixture_bodies() -> list[tuple[str, dict]]:
    return [
        (f"{stem}#{number}", record["body"])
        for stem, number, record in client_records()
        if record.get("path") == "/v1/responses"
    ]


FIXTURE_BODIES = _fixture_bodies()


def _codex_tool_exec() -> dict:
    """The Codex tool-exec request (a clear failure, not a collection error, when missing)."""
    found = [body for name, body in FIXTURE_BODIES if "tool-exec#1" in name]
    assert found, missing_fixtures_message() or "no codex tool-exec#1 client fixture"
    return found[0]


def _events(raw: bytes) -> list[dict]:
    """The JSON payloads of an SSE byte stream, checking `event:` names match `type`."""
    payloads = []
    for event in SSESplitter().feed(raw):
        name, data = event_fields(event)
        payload = json.loads(data)
        assert name == payload["type"]
        payloads.append(payload)
    return payloads


def _decode(raw: bytes, sizes: tuple[int, int] | None = None, seed: int = 0) -> list:
    decoder = r.stream_decoder()
    events: list = []
    if sizes is None:
        events += decoder.feed(raw)
    else:
        rng, position = random.Random(seed), 0
        while position < len(raw):
            step = rng.randint(*sizes)
            events += decoder.feed(raw[position : position + step])
            position += step
    return events + decoder.close()


def _encode(events: list, request: c.Request | None = None, close: bool = True) -> bytes:
    encoder = r.stream_encoder(request or c.Request(model="gpt-5", messages=()))
    out = b"".join(encoder.encode(event) for event in events)
    return out + (encoder.close() if close else b"")


def _sdk_event_models() -> dict[str, type]:
    types = pytest.importorskip("openai.types.responses")
    union = typing.get_args(types.ResponseStreamEvent)[0]
    models = {}
    for member in typing.get_args(union):
        model = typing.get_args(member)[0] if typing.get_args(member) else member
        literal = typing.get_args(model.model_fields["type"].annotation)
        if literal:
            models[literal[0]] = model
    return models


# ---------------------------------------------------------------------------------------------
# Requests: the captured client requests


def test_fixtures_hold_responses_requests():
    assert not missing_fixtures_message(), missing_fixtures_message()
    names = [name for name, _ in FIXTURE_BODIES]
    assert sum("codex" in name for name in names) == 3
    assert sum("python-sdks" in name for name in names) == 4


@pytest.mark.parametrize("name,body", FIXTURE_BODIES, ids=[n for n, _ in FIXTURE_BODIES])
def test_fixture_request_survives_a_same_format_rebuild(name, body):
    request = r.parse_request(copy.deepcopy(body))
    rebuilt = r.build_request(request)
    assert r.parse_request(rebuilt) == request
    assert rebuilt["model"] == body["model"]
    for key in ("instructions", "max_output_tokens", "stream", "tool_choice", "store", "include"):
        assert rebuilt.get(key) == body.get(key)


@pytest.mark.parametrize("name,body", FIXTURE_BODIES, ids=[n for n, _ in FIXTURE_BODIES])
def test_fixture_request_survives_the_canonical_path(name, body):
    """Without the kept tool list, everything is rebuilt from the canonical request."""
    request = r.parse_request(copy.deepcopy(body))
    extra = {k: v for k, v in request.extra.items() if k != "responses.tools.original"}
    rebuilt = r.build_request(dataclasses.replace(request, extra=extra))
    again = r.parse_request(rebuilt)
    assert dataclasses.replace(again, extra={}) == dataclasses.replace(request, extra={})
    changed = {k for k in set(extra) | set(again.extra) if extra.get(k) != again.extra.get(k)}
    assert changed <= {"responses.tools.original", "responses.tools.dropped"}
    assert "responses.tools.dropped" not in again.extra  # the rebuilt body has no hosted tool


def test_codex_request_maps_to_canonical():
    request = r.parse_request(copy.deepcopy(_codex_tool_exec()))
    assert request.model == "gpt-5" and request.stream and request.include_usage
    assert len(request.system) == 3  # two developer messages open the input, 1 + 2 parts
    assert request.system[0].text.startswith("You are a coding agent running in the Codex CLI")
    assert request.system[2].text.startswith("<permissions instructions>")
    assert request.extra["responses.input.system_layout"] == [
        ["developer", 1, "msg_ffc888b0-189f-5d4f-9027-39514c940962"],
        ["developer", 2, "msg_01a20100-cc56-7890-a1fb-eb7fa09a48b9"],
    ]
    assert [m.role for m in request.messages] == ["user", "user", "assistant", "user"]
    assert request.messages[0].text.startswith("<environment_context>")
    call = request.messages[2].parts[0]
    assert call == c.ToolUsePart(
        "call_NSzTsS6k9h2jSAG0SLcCtiPP",
        "exec_command",
        '{"cmd": "echo from-codex-$((6*7))"}',
    )
    result = request.messages[3].parts[0]
    assert isinstance(result, c.ToolResultPart)
    assert result.tool_use_id == call.id and result.name == "exec_command"
    assert result.text.endswith("Output:\nfrom-codex-42\n")
    assert request.tool_choice == c.ToolChoice("auto", disable_parallel=False)
    assert request.parallel_tool_calls is True
    assert request.reasoning == c.Reasoning(effort=None, summary="auto")
    assert request.extra["responses.store"] is False
    assert request.extra["responses.include"] == ["reasoning.encrypted_content"]
    assert request.extra["responses.prompt_cache_key"] == _codex_tool_exec()["prompt_cache_key"]
    assert request.extra["responses.client_metadata"] == _codex_tool_exec()["client_metadata"]


def test_codex_system_is_its_opening_developer_messages():
    request = r.parse_request(copy.deepcopy(_codex_tool_exec()))
    developer = [item for item in _codex_tool_exec()["input"] if item.get("role") == "developer"]
    texts = [part["text"] for item in developer for part in item["content"]]
    assert [part.text for part in request.system] == texts
    assert request.messages[1].text.startswith("CALLTOOL:exec_command")


def test_codex_tools_flatten_namespaces_and_drop_hosted_tools(caplog):
    request = r.parse_request(copy.deepcopy(_codex_tool_exec()))
    with caplog.at_level(logging.INFO, logger=dropped.log.name):
        FORMATS["openai"].build_request(request)  # another format: the drop is logged
    names = [tool.name for tool in request.tools]
    assert names[:4] == ["exec_command", "write_stdin", "request_user_input", "view_image"]
    assert "multi_agent_v1--spawn_agent" in names and "web_search" not in names
    assert request.extra["responses.tools.namespaced"]["multi_agent_v1--spawn_agent"] == [
        "multi_agent_v1",
        "spawn_agent",
    ]
    assert "'web_search' tool" in caplog.text
    exec_tool = request.tools[0]
    assert exec_tool.strict is False and exec_tool.parameters["required"] == ["cmd"]


def test_codex_rebuild_restores_items_ids_and_tools():
    body = copy.deepcopy(_codex_tool_exec())
    request = r.parse_request(body)
    extra = {k: v for k, v in request.extra.items() if k != "responses.tools.original"}
    rebuilt = r.build_request(dataclasses.replace(request, extra=extra))
    assert "instructions" not in rebuilt
    strip = ("status",)
    original = [{k: v for k, v in item.items() if k not in strip} for item in body["input"]]
    assert [item["id"] for item in rebuilt["input"]] == [item["id"] for item in original]
    assert rebuilt["input"][-2] == {
        "id": "fc_jwWum7dJ74rvcSsnsh6GyPRi",
        "type": "function_call",
        "call_id": "call_NSzTsS6k9h2jSAG0SLcCtiPP",
        "name": "exec_command",
        "arguments": '{"cmd": "echo from-codex-$((6*7))"}',
    }
    assert rebuilt["input"][-1]["output"] == body["input"][-1]["output"]
    assert rebuilt["input"][0]["role"] == "developer"
    namespace = next(t for t in rebuilt["tools"] if t["type"] == "namespace")
    original_ns = next(t for t in body["tools"] if t["type"] == "namespace")
    assert namespace["name"] == "multi_agent_v1"
    assert namespace["description"] == original_ns["description"]
    assert [t["name"] for t in namespace["tools"]] == [t["name"] for t in original_ns["tools"]]
    assert namespace["tools"][0]["parameters"] == original_ns["tools"][0]["parameters"]
    # the same-format rebuild keeps the client's own list, hosted tools included
    assert r.build_request(request)["tools"] == body["tools"]


def test_python_sdk_requests_map_to_canonical():
    by_name = dict(FIXTURE_BODIES)
    simple = r.parse_request(by_name["python-sdks_openai-3.54_anthropic-2.12#6"])
    assert simple.system == (c.TextPart("be brief"),)
    assert simple.messages == (c.Message("user", (c.TextPart("say hi"),)),)
    assert simple.max_tokens == 50 and not simple.stream
    assert r.build_request(simple)["instructions"] == "be brief"
    tools = r.parse_request(by_name["python-sdks_openai-3.54_anthropic-2.12#8"])
    assert tools.tools == (
        c.Tool(
            "get_weather",
            "",
            {
                "type": "object",
                "properties": {"location": {"type": "string"}},
                "required": ["location"],
            },
            strict=False,
        ),
    )
    follow_up = r.parse_request(by_name["python-sdks_openai-3.54_anthropic-2.12#9"])
    assert [m.role for m in follow_up.messages] == ["user", "assistant", "user"]
    assert follow_up.messages[2].parts == (
        c.ToolResultPart(
            "call_nWZwg52so8tmZ2EsLyuBFUmF", (c.TextPart("rainy"),), name="get_weather"
        ),
    )
    call = r.build_request(follow_up)["input"][1]
    assert call["id"] == "fc_YopE7nEKzsxjUZcpZaEdSMaF"
    assert call["arguments"] == '{"location": "Paris"}'


# ---------------------------------------------------------------------------------------------
# Requests: everything else the format carries

RICH_REQUEST = {
    "model": "gpt-5",
    "instructions": "Be terse.",
    "input": [
        {"role": "system", "content": "Opening system text."},
        {
            "type": "message",
            "role": "user",
            "content": [
                {"type": "input_text", "text": "Look:"},
                {
                    "type": "input_image",
                    "image_url": "data:image/png;base64,iVBORw0K",
                    "detail": "low",
                },
                {"type": "input_image", "image_url": "https://example.com/cat.jpg"},
                {
                    "type": "input_file",
                    "filename": "a.pdf",
                    "file_data": "data:application/pdf;base64,JVBERi0x",
                },
                {"type": "input_image", "file_id": "file-123"},
            ],
        },
        {
            "id": "rs_1",
            "type": "reasoning",
            "summary": [
                {"type": "summary_text", "text": "First."},
                {"type": "summary_text", "text": "Second."},
            ],
            "encrypted_content": "ENC1",
        },
        {
            "id": "msg_a1",
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "Checking."}],
        },
        {
            "type": "function_call",
            "id": "fc_1",
            "call_id": "c1",
            "name": "read",
            "arguments": '{"p":1}',
        },
        {
            "type": "function_call",
            "id": "fc_2",
            "call_id": "c2",
            "name": "spawn_agent",
            "namespace": "agents",
            "arguments": "{}",
        },
        {"type": "function_call_output", "call_id": "c1", "output": "one"},
        {
            "type": "function_call_output",
            "call_id": "c2",
            "output": [
                {"type": "input_text", "text": "two"},
                {"type": "input_image", "image_url": "https://example.com/x.png"},
            ],
        },
        {"type": "web_search_call", "id": "ws_1", "status": "completed"},
        {"role": "developer", "content": "Mid-conversation note."},
        {"role": "user", "content": "Go on."},
    ],
    "tools": [
        {
            "type": "function",
            "name": "read",
            "description": "Read",
            "parameters": {"type": "object"},
        },
        {
            "type": "namespace",
            "name": "agents",
            "description": "Agent tools",
            "tools": [
                {"type": "function", "name": "spawn_agent", "parameters": {"type": "object"}}
            ],
        },
        {"type": "file_search", "vector_store_ids": ["vs_1"]},
    ],
    "tool_choice": {"type": "function", "name": "read"},
    "parallel_tool_calls": False,
    "max_output_tokens": 2048,
    "temperature": 0.2,
    "top_p": 0.9,
    "reasoning": {"effort": "high", "summary": "detailed"},
    "text": {
        "format": {
            "type": "json_schema",
            "name": "answer",
            "schema": {"type": "object"},
            "strict": True,
            "description": "The answer",
        },
        "verbosity": "low",
    },
    "stream": True,
    "user": "u-1",
    "metadata": {"k": "v"},
    "store": False,
    "previous_response_id": "resp_prev",
    "include": ["reasoning.encrypted_content"],
    "truncation": "auto",
}


def test_rich_request_to_canonical(caplog):
    with caplog.at_level(logging.INFO, logger="omniroute.formats.responses"):
        request = r.parse_request(copy.deepcopy(RICH_REQUEST))
    assert request.system == (c.TextPart("Be terse."), c.TextPart("Opening system text."))
    user, assistant, results, note, last = request.messages
    assert user.parts == (
        c.TextPart("Look:"),
        c.ImagePart(media_type="image/png", data="iVBORw0K", detail="low"),
        c.ImagePart(url="https://example.com/cat.jpg"),
        c.DocumentPart(media_type="application/pdf", data="JVBERi0x", name="a.pdf"),
    )
    assert "file_id" in caplog.text and "web_search_call" in caplog.text
    assert assistant.role == "assistant" and assistant.parts == (
        c.ThinkingPart(text="First.\n\nSecond.", encrypted="ENC1", id="rs_1"),
        c.TextPart("Checking."),
        c.ToolUsePart("c1", "read", '{"p":1}'),
        c.ToolUsePart("c2", "agents--spawn_agent", "{}"),
    )
    assert results.role == "user" and results.parts == (
        c.ToolResultPart("c1", (c.TextPart("one"),), name="read"),
        c.ToolResultPart(
            "c2",
            (c.TextPart("two"), c.ImagePart(url="https://example.com/x.png")),
            name="agents--spawn_agent",
        ),
    )
    assert note == c.Message("system", (c.TextPart("Mid-conversation note."),))
    assert last == c.Message("user", (c.TextPart("Go on."),))
    assert [t.name for t in request.tools] == ["read", "agents--spawn_agent"]
    assert request.tools[0].strict is None
    assert request.tool_choice == c.ToolChoice("tool", "read", disable_parallel=True)
    assert (request.max_tokens, request.temperature, request.top_p) == (2048, 0.2, 0.9)
    assert request.reasoning == c.Reasoning(effort="high", summary="detailed")
    assert request.response_format == c.ResponseFormat(
        "json_schema", {"type": "object"}, "answer", True
    )
    assert request.user == "u-1" and request.stream and request.parallel_tool_calls is False
    assert request.extra["responses.text.verbosity"] == "low"
    assert request.extra["responses.text.format.description"] == "The answer"
    for key in ("metadata", "store", "previous_response_id", "include", "truncation"):
        assert request.extra[f"responses.{key}"] == RICH_REQUEST[key]


def test_rich_request_rebuilds():
    request = r.parse_request(copy.deepcopy(RICH_REQUEST))
    body = r.build_request(request)
    assert r.parse_request(body) == request
    assert body["instructions"] == "Be terse."
    assert body["input"][0] == {
        "type": "message",
        "role": "system",
        "content": [{"type": "input_text", "text": "Opening system text."}],
    }
    kinds = [item["type"] for item in body["input"]]
    assert kinds == [
        "message",
        "message",
        "reasoning",
        "message",
        "function_call",
        "function_call",
        "function_call_output",
        "function_call_output",
        "message",
        "message",
    ]
    reasoning = body["input"][2]
    assert reasoning == {
        "id": "rs_1",
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": "First.\n\nSecond."}],
        "encrypted_content": "ENC1",
    }
    assert body["input"][3]["id"] == "msg_a1"
    assert body["input"][5]["namespace"] == "agents" and body["input"][5]["name"] == "spawn_agent"
    assert body["input"][7]["output"][1] == {
        "type": "input_image",
        "image_url": "https://example.com/x.png",
    }
    assert body["input"][8]["role"] == "developer"
    assert body["text"] == {
        "format": {
            "type": "json_schema",
            "name": "answer",
            "schema": {"type": "object"},
            "strict": True,
            "description": "The answer",
        },
        "verbosity": "low",
    }
    assert body["reasoning"] == {"effort": "high", "summary": "detailed"}
    assert body["tool_choice"] == {"type": "function", "name": "read"}
    assert body["parallel_tool_calls"] is False
    assert body["user"] == "u-1" and body["previous_response_id"] == "resp_prev"


def test_request_from_another_format_builds_a_responses_body():
    request = c.Request(
        model="gpt-5",
        system=(c.TextPart("sys one"), c.TextPart("sys two", cache_control={"type": "ephemeral"})),
        messages=(
            c.Message("user", (c.TextPart("hi"), c.ImagePart("image/jpeg", "AAAA"))),
            c.Message(
                "assistant",
                (
                    c.ThinkingPart("thought", signature="anthropic-sig"),
                    c.RedactedThinkingPart("xx"),
                    c.TextPart("calling"),
                    c.ToolUsePart("toolu_1", "get", '{"a": 1}'),
                ),
            ),
            c.Message("user", (c.ToolResultPart("toolu_1", (c.TextPart("ok"),), is_error=True),)),
        ),
        tools=(c.Tool("get", "Get it", {"type": "object", "properties": {}}),),
        tool_choice=c.ToolChoice("required"),
        reasoning=c.Reasoning(budget_tokens=8000),
        max_tokens=100,
        top_k=5,
        stop=("END",),
    )
    body = r.build_request(request)
    assert body["instructions"] == "sys one\n\nsys two"
    assert body["input"] == [
        {
            "type": "message",
            "role": "user",
            "content": [
                {"type": "input_text", "text": "hi"},
                {"type": "input_image", "image_url": "data:image/jpeg;base64,AAAA"},
            ],
        },
        {
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "calling"}],
        },
        {"type": "function_call", "call_id": "toolu_1", "name": "get", "arguments": '{"a": 1}'},
        {"type": "function_call_output", "call_id": "toolu_1", "output": "ok"},
    ]
    assert body["tools"] == [
        {
            "type": "function",
            "name": "get",
            "description": "Get it",
            "parameters": {"type": "object", "properties": {}},
        }
    ]
    assert body["tool_choice"] == "required"
    assert body["reasoning"] == {"effort": c.effort_for_budget(8000)}
    assert body["max_output_tokens"] == 100
    assert "top_k" not in body and "stop" not in body and "stream" not in body


def test_string_input_and_missing_input():
    request = r.parse_request({"model": "m", "input": "hello"})
    assert request.messages == (c.Message("user", (c.TextPart("hello"),)),)
    assert r.parse_request({"model": "m", "previous_response_id": "resp_1"}).messages == ()


def test_unflattenable_namespace_is_dropped(caplog):
    body = {
        "model": "m",
        "input": "x",
        "tools": [
            {"type": "function", "name": "ns--f", "parameters": {}},
            {"type": "namespace", "name": "ns", "tools": [{"type": "function", "name": "f"}]},
            {
                "type": "namespace",
                "name": "bad--name",
                "tools": [{"type": "function", "name": "g"}],
            },
            {"type": "namespace", "name": "ok", "tools": [{"type": "custom", "name": "patch"}]},
        ],
    }
    request = r.parse_request(body)
    with caplog.at_level(logging.INFO, logger=dropped.log.name):
        r.build_request(request)  # a Responses body takes the client's tools back as they were
        assert caplog.text == ""
        FORMATS["openai"].build_request(request)
    assert [t.name for t in request.tools] == ["ns--f"]
    assert "responses.tools.namespaced" not in request.extra
    assert caplog.text.count("dropping") == 3


def test_build_response_splits_namespaced_tool_names():
    response = c.Response("resp_1", "m", (c.ToolUsePart("call_9", "crm--find", "{}"),), "tool_use")
    item = r.build_response(response)["output"][0]
    assert (item["namespace"], item["name"], item["id"]) == ("crm", "find", "fc_9")


# ---------------------------------------------------------------------------------------------
# Malformed bodies


BAD_BODIES = [
    ([], None),
    ("text", None),
    (None, None),
    ({}, "model"),
    ({"model": ""}, "model"),
    ({"model": 5}, "model"),
    ({"model": "m"}, "input"),
    ({"model": "m", "input": 7}, "input"),
    ({"model": "m", "input": {"role": "user"}}, "input"),
    ({"model": "m", "input": ["hi"]}, "input[0]"),
    ({"model": "m", "input": [{"content": "x"}]}, "input[0].type"),
    ({"model": "m", "input": [{"type": 3}]}, "input[0].type"),
    ({"model": "m", "input": [{"role": "robot", "content": "x"}]}, "input[0].role"),
    ({"model": "m", "input": [{"role": "user", "content": 5}]}, "input[0].content"),
    ({"model": "m", "input": [{"role": "user", "content": [5]}]}, "input[0].content[0]"),
    (
        {"model": "m", "input": [{"role": "user", "content": [{"type": "input_text"}]}]},
        "input[0].content[0].text",
    ),
    ({"model": "m", "input": [{"type": "function_call", "name": "f"}]}, "input[0].call_id"),
    ({"model": "m", "input": [{"type": "function_call", "call_id": "c"}]}, "input[0].name"),
    (
        {"model": "m", "input": [{"type": "function_call_output", "output": "x"}]},
        "input[0].call_id",
    ),
    (
        {"model": "m", "input": [{"type": "function_call_output", "call_id": "c"}]},
        "input[0].output",
    ),
    ({"model": "m", "input": [{"type": "reasoning", "summary": "x"}]}, "input[0].summary"),
    ({"model": "m", "input": "x", "instructions": ["a"]}, "instructions"),
    ({"model": "m", "input": "x", "tools": {}}, "tools"),
    ({"model": "m", "input": "x", "tools": [{"name": "f"}]}, "tools[0]"),
    ({"model": "m", "input": "x", "tools": [{"type": "function"}]}, "tools[0].name"),
    (
        {
            "model": "m",
            "input": "x",
            "tools": [{"type": "function", "name": "f", "parameters": []}],
        },
        "tools[0].parameters",
    ),
    ({"model": "m", "input": "x", "tools": [{"type": "namespace", "name": "n"}]}, "tools[0]"),
    ({"model": "m", "input": "x", "tool_choice": "sometimes"}, "tool_choice"),
    ({"model": "m", "input": "x", "tool_choice": {"type": "function"}}, "tool_choice.name"),
    ({"model": "m", "input": "x", "max_output_tokens": "9"}, "max_output_tokens"),
    ({"model": "m", "input": "x", "max_output_tokens": 0}, "max_output_tokens"),
    ({"model": "m", "input": "x", "max_output_tokens": True}, "max_output_tokens"),
    ({"model": "m", "input": "x", "temperature": "hot"}, "temperature"),
    ({"model": "m", "input": "x", "top_p": False}, "top_p"),
    ({"model": "m", "input": "x", "stream": "yes"}, "stream"),
    ({"model": "m", "input": "x", "parallel_tool_calls": 1}, "parallel_tool_calls"),
    ({"model": "m", "input": "x", "user": 1}, "user"),
    ({"model": "m", "input": "x", "reasoning": "high"}, "reasoning"),
    ({"model": "m", "input": "x", "reasoning": {"effort": 3}}, "reasoning.effort"),
    ({"model": "m", "input": "x", "text": "json"}, "text"),
    ({"model": "m", "input": "x", "text": {"format": {"type": "xml"}}}, "text.format"),
    (
        {"model": "m", "input": "x", "text": {"format": {"type": "json_schema", "schema": 1}}},
        "text.format.schema",
    ),
]


@pytest.mark.parametrize("body,param", BAD_BODIES)
def test_malformed_body_is_a_400_naming_the_field(body, param):
    with pytest.raises(InvalidRequestError) as caught:
        r.parse_request(body)
    assert caught.value.status == 400
    assert caught.value.param == param
    error = r.error_body(caught.value)["error"]
    assert error["type"] == "invalid_request_error" and error["param"] == param


_JUNK = [None, True, 0, -1, 2.5, "", "x", [], [None], {}, {"type": None}, {"type": "message"}]


def _mutations(value, rng: random.Random):
    """Copies of `value` with one nested value swapped for junk, at random places."""
    paths = []

    def walk(node, path):
        paths.append(path)
        if isinstance(node, dict):
            for key, child in node.items():
                walk(child, (*path, key))
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, (*path, index))

    walk(value, ())
    for path in rng.sample(paths, min(len(paths), 300)):
        for junk in rng.sample(_JUNK, 3):
            mutated = copy.deepcopy(value)
            if not path:
                yield junk
                continue
            node = mutated
            for step in path[:-1]:
                node = node[step]
            node[path[-1]] = copy.deepcopy(junk)
            yield mutated


@pytest.mark.parametrize("source", ["rich", "python-sdk", "codex"])
def test_fuzzed_bodies_never_raise_anything_but_a_400(source):
    base = {
        "rich": RICH_REQUEST,
        "python-sdk": dict(FIXTURE_BODIES)["python-sdks_openai-3.54_anthropic-2.12#9"],
        "codex": {**_codex_tool_exec(), "tools": _codex_tool_exec()["tools"][:5]},
    }[source]
    rng = random.Random(source)
    parsed = rejected = 0
    for body in _mutations(base, rng):
        try:
            request = r.parse_request(body)
        except InvalidRequestError as error:
            assert error.status == 400 and error.message
            rejected += 1
            continue
        r.parse_request(r.build_request(request))  # what parses, rebuilds and parses again
        parsed += 1
    assert parsed and rejected


# ---------------------------------------------------------------------------------------------
# Answers and usage


def test_parse_golden_response():
    response = r.parse_response(samples.RESPONSE)
    assert response.id == "resp_68af0c" and response.model == "gpt-5-2025-08-07"
    assert response.created == 1756300000
    assert response.parts == (
        c.ThinkingPart(
            text="**Planning**\n\nI will run the command.", encrypted=samples.ENCRYPTED, id="rs_01"
        ),
        c.TextPart("Running it now."),
        c.ToolUsePart("call_A1", "exec_command", '{"cmd": "echo hi"}'),
        c.ToolUsePart("call_B2", "multi_agent_v1--spawn_agent", '{"message":"go"}'),
    )
    assert response.stop_reason == "tool_use"
    assert response.usage == c.Usage(
        input_tokens=1200, output_tokens=300, cache_read_tokens=1024, reasoning_tokens=256
    )


def test_build_golden_response():
    body = r.build_response(r.parse_response(samples.RESPONSE))
    assert body["id"] == "resp_68af0c" and body["object"] == "response"
    assert body["status"] == "completed" and body["incomplete_details"] is None
    assert body["created_at"] == 1756300000
    reasoning, message, call, namespaced = body["output"]
    assert reasoning == {
        "id": "rs_01",
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": "**Planning**\n\nI will run the command."}],
        "encrypted_content": samples.ENCRYPTED,
    }
    assert message["id"].startswith("msg_") and message["role"] == "assistant"
    assert message["content"] == [
        {"type": "output_text", "text": "Running it now.", "annotations": []}
    ]
    assert call == {
        "id": "fc_A1",
        "type": "function_call",
        "status": "completed",
        "arguments": '{"cmd": "echo hi"}',
        "call_id": "call_A1",
        "name": "exec_command",
    }
    assert namespaced["namespace"] == "multi_agent_v1" and namespaced["name"] == "spawn_agent"
    assert body["usage"] == {
        "input_tokens": 1200,
        "input_tokens_details": {"cached_tokens": 1024, "cache_write_tokens": 0},
        "output_tokens": 300,
        "output_tokens_details": {"reasoning_tokens": 256},
        "total_tokens": 1500,
    }
    assert r.parse_response(body).parts == r.parse_response(samples.RESPONSE).parts
    sdk = pytest.importorskip("openai.types.responses")
    sdk.Response.model_validate(body)


def test_incomplete_response_means_max_tokens_and_back():
    response = r.parse_response(samples.INCOMPLETE_RESPONSE)
    assert response.stop_reason == "max_tokens"
    assert response.parts == (c.TextPart("The answer is"),)
    body = r.build_response(response)
    assert body["status"] == "incomplete"
    assert body["incomplete_details"] == {"reason": "max_output_tokens"}


def test_response_from_another_format():
    response = c.Response(
        id="msg_01XYZ",
        model="claude-x",
        parts=(
            c.ThinkingPart("hmm", signature="sig"),
            c.TextPart("a"),
            c.TextPart("b"),
            c.ImagePart(url="https://x"),
        ),
        stop_reason="end_turn",
        usage=c.Usage(100, 20, cache_read_tokens=60, cache_write_tokens=30, reasoning_tokens=5),
    )
    body = r.build_response(response)
    assert body["id"] == "resp_msg_01XYZ" and isinstance(body["created_at"], int)
    reasoning, message = body["output"]
    assert reasoning["id"].startswith("rs_")
    assert reasoning["encrypted_content"] == "omniroute:signature:sig"
    assert [part["text"] for part in message["content"]] == ["a", "b"]
    assert body["usage"]["input_tokens_details"] == {"cached_tokens": 60, "cache_write_tokens": 30}
    assert body["usage"]["total_tokens"] == 120
    assert r.usage_of(body) == response.usage


@pytest.mark.parametrize(
    "body,usage",
    [
        (samples.RESPONSE, c.Usage(1200, 300, 1024, 0, 256)),
        ({"usage": {"input_tokens": 3, "output_tokens": 4}}, c.Usage(3, 4)),
        ({"response": {"usage": {"input_tokens": 1, "output_tokens": 2}}}, c.Usage(1, 2)),
        ({"usage": None}, None),
        ({"output": []}, None),
        ([], None),
        ({"usage": {"input_tokens": "x", "output_tokens": True}}, c.Usage()),
    ],
)
def test_usage_of(body, usage):
    assert r.usage_of(body) == usage


def test_parse_response_rejects_a_non_object_and_raises_failures():
    with pytest.raises(GatewayError) as caught:
        r.parse_response(["nope"])
    assert caught.value.status == 502
    failed = {"status": "failed", "error": {"code": "server_error", "message": "it broke"}}
    with pytest.raises(GatewayError, match="it broke"):
        r.parse_response(failed)


# ---------------------------------------------------------------------------------------------
# Errors


def test_error_body_shape():
    error = UpstreamStatusError(
        "quota gone", provider="p", upstream_status=429, upstream_type="insufficient_quota"
    )
    assert r.error_body(error) == {
        "error": {
            "message": "quota gone",
            "type": "insufficient_quota",
            "code": None,
            "param": None,
        }
    }
    invalid = r.error_body(InvalidRequestError("bad", param="input"))["error"]
    assert invalid == {
        "message": "bad",
        "type": "invalid_request_error",
        "code": "invalid_request",
        "param": "input",
    }


@pytest.mark.parametrize(
    "raw,parsed",
    [
        (
            b'{"error":{"message":"Invalid model","type":"invalid_request_error",'
            b'"param":"model","code":"model_not_found"}}',
            ("Invalid model", "invalid_request_error", "model_not_found"),
        ),
        (
            b'{"type":"error","code":"server_error","message":"boom"}',
            ("boom", None, "server_error"),
        ),
        (
            b'{"response":{"status":"failed","error":{"code":"rate_limit_exceeded",'
            b'"message":"Slow"}}}',
            ("Slow", None, "rate_limit_exceeded"),
        ),
        (b'{"error":"plain"}', ("plain", None, None)),
        (b'{"error":{"code":429}}', ("no error message", None, "429")),
        (b"<html>Bad Gateway</html>", ("<html>Bad Gateway</html>", None, None)),
        (b"", ("no error message", None, None)),
        (b"\xff\xfe", ("\ufffd\ufffd", None, None)),
    ],
)
def test_parse_error(raw, parsed):
    assert r.parse_error(raw) == parsed


# ---------------------------------------------------------------------------------------------
# Stream decoder

EXPECTED_DECODE = [
    c.MessageStart("resp_s1", "gpt-5"),
    c.BlockStart(0, c.ThinkingPart(id="rs_s1")),
    c.BlockDelta(0, text="**Look"),
    c.BlockDelta(0, text="ing**"),
    c.BlockDelta(0, text="\n\n"),
    c.BlockDelta(0, text="Checking the files."),
    c.BlockDelta(0, signature=samples.ENCRYPTED),
    c.BlockStop(0),
    c.BlockStart(1, c.TextPart("")),
    c.BlockDelta(1, text="Héllo, "),
    c.BlockDelta(1, text="wörld ✓"),
    c.BlockStop(1),
    c.BlockStart(2, c.ToolUsePart("call_S1", "exec_command", "")),
    c.BlockDelta(2, arguments='{"cmd":'),
    c.BlockDelta(2, arguments='"ls -la"}'),
    c.BlockStop(2),
    c.MessageDelta(
        "tool_use",
        usage=c.Usage(5000, 120, cache_read_tokens=4096, reasoning_tokens=64),
    ),
    c.MessageStop(),
]


def test_decode_stream_whole():
    assert _decode(samples.STREAM) == EXPECTED_DECODE


@pytest.mark.parametrize("seed", range(6))
def test_decode_stream_fed_1_to_7_bytes_at_a_time(seed):
    assert _decode(samples.STREAM, sizes=(1, 7), seed=seed) == EXPECTED_DECODE


def test_decode_stream_with_crlf_line_ends():
    raw = samples.STREAM.replace(b"\n", b"\r\n")
    assert _decode(raw, sizes=(1, 3)) == EXPECTED_DECODE


def test_decode_provider_sending_whole_items_only():
    """No deltas: the texts and arguments come from the .done events."""
    keep = {"response.created", "response.output_item.done", "response.completed"}
    raw = b"".join(
        f"data: {json.dumps(e)}\n\n".encode() for e in samples.STREAM_EVENTS if e["type"] in keep
    )
    events = _decode(raw)
    texts = [e for e in events if isinstance(e, c.BlockDelta)]
    assert texts == [
        c.BlockDelta(0, text="**Looking**\n\nChecking the files."),
        c.BlockDelta(0, signature=samples.ENCRYPTED),
        c.BlockDelta(1, text="Héllo, wörld ✓"),
        c.BlockDelta(2, arguments='{"cmd":"ls -la"}'),
    ]
    assert [type(e).__name__ for e in events].count("BlockStop") == 3


def test_decode_provider_sending_only_the_final_response():
    completed = samples.STREAM_EVENTS[-1]
    events = _decode(f"data: {json.dumps(completed)}\n\n".encode())
    assert isinstance(events[0], c.MessageStart)
    starts = [e.part for e in events if isinstance(e, c.BlockStart)]
    assert [p.type for p in starts] == ["thinking", "text", "tool_use"]
    assert events[-2].stop_reason == "tool_use" and isinstance(events[-1], c.MessageStop)


def test_decode_failed_stream_and_error_event():
    events = _decode(samples.FAILED_STREAM)
    assert events == [
        c.MessageStart("resp_f", "gpt-5"),
        c.StreamError(429, "Slow down", "rate_limit_error", "rate_limit_exceeded"),
    ]
    assert _decode(samples.ERROR_EVENT_STREAM) == [
        c.StreamError(502, "boom", "api_error", "server_error")
    ]


def test_decode_incomplete_stream_means_max_tokens():
    raw = samples.STREAM.split(b"event: response.completed")[0]
    incomplete = {
        "type": "response.incomplete",
        "sequence_number": 99,
        "response": {
            "id": "resp_s1",
            "status": "incomplete",
            "incomplete_details": {"reason": "max_output_tokens"},
        },
    }
    events = _decode(raw + f"data: {json.dumps(incomplete)}\n\n".encode())
    assert events[-2] == c.MessageDelta("max_tokens")


def test_decoder_close_ends_a_truncated_stream_in_an_error():
    cut = samples.STREAM.index(b'\\"ls -la\\"}')
    events = _decode(samples.STREAM[:cut])
    assert events[-2:] == [c.BlockDelta(2, arguments='{"cmd":'), c.cut_stream_error()]
    assert _decode(b"") == [c.cut_stream_error()]


def test_decoder_ignores_garbage_and_unknown_events():
    raw = (
        b"data: not json\n\n"
        b": a comment\n\n"
        b"data: [1, 2]\n\n"
        b'data: {"type":"response.web_search_call.searching","sequence_number":3}\n\n'
        b"data: [DONE]\n\n"
    )
    assert _decode(raw + samples.STREAM) == EXPECTED_DECODE


def test_decoder_survives_random_bytes():
    rng = random.Random(7)
    for _ in range(200):
        blob = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        pieces = [b"data: ", blob, b"\n\n", samples.STREAM[: rng.randrange(len(samples.STREAM))]]
        events = _decode(b"".join(pieces), sizes=(1, 50), seed=rng.randrange(1000))
        assert isinstance(events[-1], c.MessageStop | c.StreamError)


# ---------------------------------------------------------------------------------------------
# Stream encoder


def _check_sequence(payloads: list[dict]) -> None:
    """The structural rules Codex relies on."""
    assert [p["sequence_number"] for p in payloads] == list(range(len(payloads)))
    assert [p["type"] for p in payloads[:2]] == ["response.created", "response.in_progress"]
    assert payloads[-1]["type"] in ("response.completed", "response.incomplete", "response.failed")
    assert all(p["type"] not in ("response.completed", "response.failed") for p in payloads[:-1])
    rid = payloads[0]["response"]["id"]
    assert rid.startswith("resp_") and payloads[-1]["response"]["id"] == rid
    added = {
        p["output_index"]: p["item"] for p in payloads if p["type"] == "response.output_item.added"
    }
    done = {
        p["output_index"]: p["item"] for p in payloads if p["type"] == "response.output_item.done"
    }
    assert sorted(added) == list(range(len(added)))
    if payloads[-1]["type"] != "response.failed":
        assert sorted(done) == sorted(added)
        assert payloads[-1]["response"]["output"] == [done[i] for i in sorted(done)]
    for index, item in added.items():
        if index in done:
            assert done[index]["id"] == item["id"] and done[index]["type"] == item["type"]
    prefix = {"message": "msg_", "function_call": "fc_", "reasoning": "rs_"}
    for item in added.values():
        assert item["id"].startswith(prefix[item["type"]])
    for p in payloads:
        if "item_id" in p:
            assert added[p["output_index"]]["id"] == p["item_id"]
        if "content_index" in p:
            assert p["content_index"] == 0


def _validate_with_sdk(payloads: list[dict]) -> None:
    models = _sdk_event_models()
    for payload in payloads:
        models[payload["type"]].model_validate(payload)


def test_encoder_emits_the_full_sequence_for_the_decoded_transcript():
    payloads = _events(_encode(_decode(samples.STREAM)))
    _check_sequence(payloads)
    _validate_with_sdk(payloads)
    assert [p["type"] for p in payloads] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done",
        "response.output_item.done",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    final = payloads[-1]["response"]
    assert final["id"] == "resp_s1" and final["status"] == "completed"
    reasoning, message, call = final["output"]
    assert reasoning["id"] == "rs_s1" and reasoning["encrypted_content"] == samples.ENCRYPTED
    assert reasoning["summary"] == [
        {"type": "summary_text", "text": "**Looking**\n\nChecking the files."}
    ]
    assert message["content"][0]["text"] == "Héllo, wörld ✓"
    assert (call["call_id"], call["arguments"], call["id"]) == (
        "call_S1",
        '{"cmd":"ls -la"}',
        "fc_S1",
    )
    assert final["usage"] == {
        "input_tokens": 5000,
        "input_tokens_details": {"cached_tokens": 4096, "cache_write_tokens": 0},
        "output_tokens": 120,
        "output_tokens_details": {"reasoning_tokens": 64},
        "total_tokens": 5120,
    }


def test_encode_then_decode_round_trip():
    decoded = _decode(samples.STREAM)
    again = _decode(_encode(decoded), sizes=(1, 7), seed=3)
    assert again == decoded


ANTHROPIC_LIKE = [
    c.MessageStart(
        "msg_01", "claude-x", c.Usage(input_tokens=900, output_tokens=1, cache_read_tokens=800)
    ),
    c.BlockStart(0, c.ThinkingPart()),
    c.BlockDelta(0, text="Let me "),
    c.BlockDelta(0, text="think."),
    c.BlockDelta(0, signature="sig-abc"),
    c.BlockStop(0),
    c.BlockStart(1, c.TextPart("")),
    c.BlockDelta(1, text="Spawning."),
    c.BlockStop(1),
    c.BlockStart(2, c.ToolUsePart("toolu_1", "multi_agent_v1--spawn_agent", "")),
    c.BlockDelta(2, arguments='{"message":'),
    c.BlockDelta(2, arguments='"go"}'),
    c.BlockStop(2),
    c.MessageDelta("tool_use", usage=c.Usage(output_tokens=55)),
    c.MessageStop(),
]


def test_encoder_from_another_format_maps_namespaces_and_merges_usage():
    request = r.parse_request(copy.deepcopy(_codex_tool_exec()))
    payloads = _events(_encode(ANTHROPIC_LIKE, request))
    _check_sequence(payloads)
    _validate_with_sdk(payloads)
    final = payloads[-1]["response"]
    assert final["model"] == "claude-x" and final["id"] == "resp_msg_01"
    reasoning, message, call = final["output"]
    assert reasoning["encrypted_content"] == "omniroute:signature:sig-abc"
    assert reasoning["summary"][0]["text"] == "Let me think."
    assert (call["namespace"], call["name"], call["call_id"]) == (
        "multi_agent_v1",
        "spawn_agent",
        "toolu_1",
    )
    assert call["arguments"] == '{"message":"go"}'
    assert final["usage"]["input_tokens"] == 900 and final["usage"]["output_tokens"] == 55
    assert final["usage"]["input_tokens_details"]["cached_tokens"] == 800
    # and the client's next request maps the call back to the canonical name
    echoed = {**call}
    echoed.pop("status")
    follow_up = r.parse_request({"model": "m", "input": [reasoning, message, echoed]})
    assert follow_up.messages[0].parts[-1].name == "multi_agent_v1--spawn_agent"
    thinking = follow_up.messages[0].parts[0]
    assert (thinking.signature, thinking.encrypted, thinking.text) == (
        "sig-abc",
        None,
        "Let me think.",
    )


def test_encoder_without_a_namespace_map_keeps_names():
    payloads = _events(_encode(ANTHROPIC_LIKE))
    call = payloads[-1]["response"]["output"][2]
    assert call["name"] == "multi_agent_v1--spawn_agent" and "namespace" not in call


def test_encoder_close_finishes_a_truncated_stream():
    payloads = _events(_encode(ANTHROPIC_LIKE[:11]))  # stops inside the tool call
    _check_sequence(payloads)
    _validate_with_sdk(payloads)
    assert payloads[-1]["type"] == "response.completed"
    call = payloads[-1]["response"]["output"][2]
    assert call["arguments"] == '{"message":' and call["status"] == "completed"
    assert payloads[-2]["type"] == "response.output_item.done"


def test_encoder_close_with_no_events_is_an_empty_complete_response():
    payloads = _events(_encode([]))
    _check_sequence(payloads)
    assert [p["type"] for p in payloads] == [
        "response.created",
        "response.in_progress",
        "response.completed",
    ]
    assert payloads[-1]["response"]["output"] == []


def test_encoder_closes_open_blocks_at_message_stop():
    events = [c.MessageStart("x", "m"), c.BlockStart(0, c.TextPart("hi")), c.MessageStop()]
    payloads = _events(_encode(events, close=False))
    _check_sequence(payloads)
    assert payloads[-1]["response"]["output"][0]["content"][0]["text"] == "hi"


def test_encoder_text_delta_without_block_start_opens_a_message():
    payloads = _events(_encode([c.BlockDelta(4, text="orphan"), c.MessageStop()]))
    _check_sequence(payloads)
    assert payloads[-1]["response"]["output"][0]["content"][0]["text"] == "orphan"


def test_encoder_max_tokens_is_response_incomplete():
    events = [
        c.MessageStart("x", "m"),
        c.BlockStart(0, c.TextPart("")),
        c.BlockDelta(0, text="cut"),
    ]
    events += [c.BlockStop(0), c.MessageDelta("max_tokens"), c.MessageStop()]
    payloads = _events(_encode(events))
    _check_sequence(payloads)
    _validate_with_sdk(payloads)
    assert payloads[-1]["type"] == "response.incomplete"
    assert payloads[-1]["response"]["incomplete_details"] == {"reason": "max_output_tokens"}
    assert r.stream_decoder().feed(_encode(events))[-2] == c.MessageDelta("max_tokens")


@pytest.mark.parametrize(
    "error,code",
    [
        (
            c.StreamError(429, "Rate limited, try again in 2s", "rate_limit_error"),
            "rate_limit_exceeded",
        ),
        (
            c.StreamError(400, "prompt is too long: 300000 tokens", "invalid_request_error"),
            "context_length_exceeded",
        ),
        (c.StreamError(400, "bad image", "invalid_request_error"), "invalid_prompt"),
        (
            c.StreamError(402, "no credit", "billing", code="insufficient_quota"),
            "insufficient_quota",
        ),
        (c.StreamError(502, "upstream died"), "server_error"),
        (c.StreamError(529, "overloaded", "overloaded_error", code="overloaded"), "server_error"),
    ],
)
def test_stream_error_becomes_response_failed(error, code):
    encoder = r.stream_encoder(c.Request(model="gpt-5", messages=()))
    out = b"".join(encoder.encode(e) for e in ANTHROPIC_LIKE[:8])
    out += encoder.encode(error)
    assert encoder.encode(c.MessageStop()) == b"" and encoder.close() == b""
    payloads = _events(out)
    _check_sequence(payloads)
    _validate_with_sdk(payloads[:-1])  # the SDK's code list lacks Codex's context/quota codes
    failed = payloads[-1]
    assert failed["type"] == "response.failed"
    assert failed["response"]["status"] == "failed"
    assert failed["response"]["error"] == {"code": code, "message": error.message}
    assert [item["type"] for item in failed["response"]["output"]] == ["reasoning", "message"]
    status, kind = error_status(code)
    assert _decode(out)[-1] == c.StreamError(status, error.message, kind, code)


def test_encoder_skips_images_and_wraps_redacted_thinking():
    events = [
        c.BlockStart(0, c.RedactedThinkingPart("opaque")),
        c.BlockStop(0),
        c.BlockStart(1, c.ImagePart(url="https://x")),
        c.BlockStop(1),
        c.BlockStart(2, c.TextPart("")),
        c.BlockDelta(2, text="ok"),
        c.BlockStop(2),
        c.MessageDelta("end_turn"),
        c.MessageStop(),
    ]
    payloads = _events(_encode(events))
    _check_sequence(payloads)
    _validate_with_sdk(payloads)
    reasoning, message = payloads[-1]["response"]["output"]
    assert reasoning["encrypted_content"] == "omniroute:redacted:opaque"
    assert message["content"][0]["text"] == "ok"
    follow_up = r.parse_request({"model": "m", "input": [reasoning, message]})
    assert follow_up.messages[0].parts == (c.RedactedThinkingPart("opaque"), c.TextPart("ok"))


def test_foreign_thinking_survives_a_responses_client_but_not_a_responses_provider(caplog):
    """Gemini puts a thought signature before its call; Codex must hand it back unchanged, and
    an OpenAI provider must not get it."""
    gemini = c.Response(
        "r1",
        "gemini-x",
        (c.ThinkingPart("", signature="gem-sig"), c.ToolUsePart("call_g", "exec_command", "{}")),
        "tool_use",
    )
    reasoning, call = r.build_response(gemini)["output"]
    assert (
        reasoning["summary"] == []
        and reasoning["encrypted_content"] == "omniroute:signature:gem-sig"
    )
    call.pop("status")
    request = r.parse_request({"model": "m", "input": [reasoning, call]})
    thinking, tool_use = request.messages[0].parts
    assert thinking == c.ThinkingPart("", signature="gem-sig", id=reasoning["id"])
    assert tool_use.id == "call_g"
    with caplog.at_level(logging.INFO, logger=dropped.log.name):
        body = r.build_request(request)
    assert [item["type"] for item in body["input"]] == ["function_call"]
    assert "1 thinking signature(s) from unknown for responses" in caplog.text


def test_responses_thinking_keeps_its_encrypted_content_through_the_stream():
    """A block that starts with a Responses item id carries encrypted_content as signature."""
    events = [
        c.BlockStart(0, c.ThinkingPart(id="rs_live")),
        c.BlockDelta(0, text="sum"),
        c.BlockDelta(0, signature="gAAAA-real"),
        c.BlockStop(0),
        c.MessageStop(),
    ]
    item = _events(_encode(events))[-1]["response"]["output"][0]
    assert item == {
        "id": "rs_live",
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": "sum"}],
        "encrypted_content": "gAAAA-real",
    }
