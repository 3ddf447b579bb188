"""The fake upstream speaks each wire format as the providers document it.

Each format is checked through real HTTP: non-stream bodies and SSE transcripts (parsed here, by
hand: event names and order, Anthropic block indexes, Responses sequence numbers, Gemini CRLF
framing), errors in the format's own shape, thinking and cached tokens with equal totals across
formats, the CALLTOOL tool loop, API keys from each format's header, and Gemini's model-in-URL.
OpenAI payloads are also validated against the openai SDK's generated types.
"""

from __future__ import annotations

import dataclasses
import json
import socket

import pytest
import requests
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from openai.types.responses import Response, ResponseStreamEvent
from pydantic import TypeAdapter

from tests.fake_upstream import Behavior
from tests.fakes.probe import (
    FORMATS,
    MODEL,
    answer_calls,
    answer_text,
    ask,
    body_for,
    endpoint,
    key_headers,
    sse_events,
    streamed,
    tool_round,
    totals,
    user_turn,
)
from tests.fakes.validation.signatures import issue
from tests.formats.client_fixtures import FIXTURES as CLIENT_FIXTURES

ARGS = '{"location": "Paris", "unit": "C"}'


# -- the tool loop, echo, keys, errors: every format --------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
def test_calltool_loop_then_tool_said_then_echo(upstream, fmt):
    prompt = 'please CALLTOOL:get_weather {"location": "Paris", "unit": "C"} thanks'
    first = ask(upstream, fmt, prompt)
    assert first.status_code == 200
    [(name, args, call_id)] = answer_calls(fmt, first.json())
    assert (name, args) == ("get_weather", json.loads(ARGS))
    assert answer_text(fmt, first.json()) is None
    turns = [user_turn(fmt, prompt), *tool_round(fmt, name, args, call_id, "sunny " * 200)]
    second = requests.post(
        endpoint(upstream, fmt), json=body_for(fmt, turns), headers=key_headers(fmt)
    )
    assert answer_text(fmt, second.json()) == "tool said: " + ("sunny " * 200)[:500]
    assert answer_calls(fmt, second.json()) == []
    assert answer_text(fmt, ask(upstream, fmt, "just talk").json()) == "echo: just talk"
    assert [r.format for r in upstream.requests] == [fmt] * 3
    assert len(upstream.requests_for(fmt)) == 3


@pytest.mark.parametrize("fmt", FORMATS)
def test_calltool_streams_a_tool_call_and_a_rule_overrides_the_convention(upstream, fmt):
    response = ask(upstream, fmt, 'CALLTOOL:exec_command {"cmd": "echo hi"}', stream=True)
    text, _, calls = streamed(fmt, sse_events(response))
    assert (text, calls) == ("", [("exec_command", '{"cmd": "echo hi"}')])
    upstream.add(Behavior(text="scripted"))
    answer = ask(upstream, fmt, 'CALLTOOL:exec_command {"cmd": "x"}').json()
    assert (answer_text(fmt, answer), answer_calls(fmt, answer)) == ("scripted", [])


@pytest.mark.parametrize("fmt", FORMATS)
def test_api_key_is_read_from_the_formats_own_header(upstream, fmt):
    upstream.valid_keys = {"sk-good"}
    assert ask(upstream, fmt).status_code == 200
    wrong = requests.post(
        endpoint(upstream, fmt),
        json=body_for(fmt, [user_turn(fmt, "x")]),
        headers=key_headers(fmt, "sk-bad"),
    )
    assert wrong.status_code == (400 if fmt == "gemini" else 401)
    error = wrong.json()
    if fmt == "anthropic":
        assert (error["type"], error["error"]["type"]) == ("error", "authentication_error")
        bearer = {"Authorization": "Bearer sk-good"}  # Anthropic also takes a bearer token
        turn = body_for(fmt, [user_turn(fmt, "x")])
        assert requests.post(endpoint(upstream, fmt), json=turn, headers=bearer).ok
    elif fmt == "gemini":
        assert error["error"]["status"] == "INVALID_ARGUMENT"
        assert error["error"]["details"][0]["reason"] == "API_KEY_INVALID"
        query = endpoint(upstream, fmt) + "?key=sk-good"
        assert requests.post(query, json=body_for(fmt, [user_turn(fmt, "x")])).ok
    else:
        assert error["error"]["code"] == "invalid_api_key"
    other = (
        {"Authorization": "Bearer sk-good"} if fmt == "gemini" else {"x-goog-api-key": "sk-good"}
    )
    refused = requests.post(
        endpoint(upstream, fmt), json=body_for(fmt, [user_turn(fmt, "x")]), headers=other
    )
    assert refused.status_code == (400 if fmt == "gemini" else 401)
    assert [r.api_key for r in upstream.requests_for(fmt)][:2] == ["sk-good", "sk-bad"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("stream", [False, True])
def test_errors_come_in_the_formats_own_shape(upstream, fmt, stream):
    upstream.add(Behavior(status=429, error_message="slow down", headers={"Retry-After": "7"}))
    response = ask(upstream, fmt, stream=stream)
    assert (response.status_code, response.headers["Retry-After"]) == (429, "7")
    error = response.json()
    if fmt == "anthropic":
        assert error["type"] == "error"
        assert error["error"] == {"type": "rate_limit_error", "message": "slow down"}
    elif fmt == "gemini":
        assert error["error"] == {
            "code": 429,
            "message": "slow down",
            "status": "RESOURCE_EXHAUSTED",
        }
    else:
        assert error["error"]["message"] == "slow down" and {"type", "code"} <= set(error["error"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_raw_body_is_sent_as_is(upstream, fmt):
    upstream.add(Behavior(raw_body=b"{not json"))
    assert ask(upstream, fmt).content == b"{not json"


@pytest.mark.parametrize("fmt", FORMATS)
def test_reset_after_chunks_counts_the_formats_events(upstream, fmt):
    upstream.add(Behavior(chunks=["a", "b", "c", "d"], reset_after_chunks=3))
    body = json.dumps(body_for(fmt, [user_turn(fmt, "x")], stream=True)).encode()
    path = endpoint(upstream, fmt, stream=True).split(str(upstream.port), 1)[1]
    with socket.create_connection((upstream.host, upstream.port), timeout=5) as sock:
        sock.sendall(
            b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s"
            % (path.encode(), len(body), body)
        )
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert received.startswith(b"HTTP/1.1 200")
    assert received.count(b"data: ") == 3 and not received.endswith(b"0\r\n\r\n")
    assert len(upstream.stream_log) == 3


# -- usage, thinking and cached tokens: the same totals in every format -------------------------
@pytest.mark.parametrize("fmt", FORMATS)
def test_thinking_and_cached_tokens_keep_totals_equal_across_formats(upstream, fmt):
    upstream.add(
        Behavior(
            thinking="let me think",
            text="42",
            usage=(100, 40),
            cached_tokens=30,
            reasoning_tokens=9,
        )
    )
    body = ask(upstream, fmt).json()
    prompt, completion, cached, reasoning = totals(fmt, body)
    assert (prompt, completion, cached) == (100, 40, 30)
    assert reasoning in (9, -1)  # Anthropic does not report reasoning tokens separately
    assert answer_text(fmt, body) == "42"
    if fmt == "openai":
        assert body["choices"][0]["message"]["reasoning_content"] == "let me think"
        ChatCompletion.model_validate(body)
    elif fmt == "anthropic":
        thinking = body["content"][0]
        signature = issue("anthropic", 1)  # answer 1's: a signature only this dialect issues
        assert thinking == {"type": "thinking", "thinking": "let me think", "signature": signature}
        assert (body["usage"]["input_tokens"], body["stop_reason"]) == (70, "end_turn")
    elif fmt == "responses":
        reasoning_item = body["output"][0]
        assert reasoning_item["summary"] == [{"type": "summary_text", "text": "let me think"}]
        assert reasoning_item["encrypted_content"]
        Response.model_validate(body)
    else:
        parts = body["candidates"][0]["content"]["parts"]
        assert parts[0] == {"text": "let me think", "thought": True}
        assert body["candidates"][0]["finishReason"] == "STOP"


# -- streams: each format's event sequence -------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
def test_streams_carry_thinking_text_and_tool_calls(upstream, fmt):
    upstream.add(
        Behavior(thinking="hmm, ok", chunks=["Hel", "lo"], tool_calls=[("get_weather", ARGS)])
    )
    response = ask(upstream, fmt, stream=True)
    assert response.headers["Content-Type"] == "text/event-stream"
    text, thinking, calls = streamed(fmt, sse_events(response))
    assert (text, thinking) == ("Hello", "hmm, ok")
    assert [(name, json.loads(args)) for name, args in calls] == [("get_weather", json.loads(ARGS))]


def test_openai_chat_stream_chunks(upstream):
    upstream.add(
        Behavior(thinking="a b", chunks=["x", "y"], tool_calls=[("f", ARGS)], cached_tokens=3)
    )
    body = dict(
        body_for("openai", [user_turn("openai", "q")], stream=True),
        stream_options={"include_usage": True},
    )
    events = sse_events(requests.post(endpoint(upstream, "openai"), json=body))
    assert events[-1] == (None, "[DONE]")
    chunks = [ChatCompletionChunk.model_validate(data) for _, data in events[:-1]]
    assert chunks[0].choices[0].delta.role == "assistant"
    deltas = [c.choices[0].delta for c in chunks if c.choices and c.choices[0].delta.tool_calls]
    assert deltas[0].tool_calls[0].id and deltas[0].tool_calls[0].function.name == "f"
    assert len(deltas) >= 3  # the header, then the arguments in two pieces
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "tool_calls"
    assert chunks[-1].choices == [] and chunks[-1].usage.prompt_tokens_details.cached_tokens == 3
    body["stream_options"] = {}
    events = sse_events(requests.post(endpoint(upstream, "openai"), json=body))
    assert all("usage" not in data for _, data in events[:-1])


def test_anthropic_stream_events_and_block_indexes(upstream):
    behavior = Behavior(
        thinking="hmm ok", chunks=["Hel", "lo"], tool_calls=[("f", ARGS)], usage=(50, 20)
    )
    upstream.add(dataclasses.replace(behavior, cached_tokens=10))
    events = sse_events(ask(upstream, "anthropic", stream=True))
    assert all(name == data["type"] for name, data in events)
    names = [name for name, _ in events]
    assert names[:2] == ["message_start", "ping"] and names[-2:] == [
        "message_delta",
        "message_stop",
    ]
    start = events[0][1]["message"]
    assert (start["content"], start["stop_reason"], start["role"]) == ([], None, "assistant")
    assert (start["usage"]["input_tokens"], start["usage"]["cache_read_input_tokens"]) == (40, 10)
    blocks, open_index = [], None
    for name, data in events[2:-2]:
        if name == "content_block_start":
            assert open_index is None and data["index"] == len(blocks)
            open_index = data["index"]
            blocks.append((data["content_block"], []))
        elif name == "content_block_delta":
            assert data["index"] == open_index
            blocks[open_index][1].append(data["delta"])
        else:
            assert (name, data["index"]) == ("content_block_stop", open_index)
            open_index = None
    assert [b["type"] for b, _ in blocks] == ["thinking", "text", "tool_use"]
    thinking_deltas = blocks[0][1]
    assert [d["type"] for d in thinking_deltas][-1] == "signature_delta"
    assert {d["type"] for d in thinking_deltas[:-1]} == {"thinking_delta"}
    assert thinking_deltas[-1]["signature"] == issue("anthropic", 1)
    tool_block, tool_deltas = blocks[2]
    assert tool_block["input"] == {} and tool_block["id"].startswith("toolu_")
    assert len(tool_deltas) >= 2 and "".join(d["partial_json"] for d in tool_deltas) == ARGS
    delta = events[-2][1]
    assert delta["delta"] == {"stop_reason": "tool_use", "stop_sequence": None}
    assert delta["usage"] == {"output_tokens": 20}


def test_anthropic_non_stream_message_and_count_tokens(upstream):
    upstream.add(Behavior(text="hi", tool_calls=[("f", ARGS)]), times=1)
    message = ask(upstream, "anthropic").json()
    assert message["id"].startswith("msg_") and message["type"] == "message"
    assert [b["type"] for b in message["content"]] == ["text", "tool_use"]
    assert (message["stop_reason"], message["stop_sequence"]) == ("tool_use", None)
    assert set(message["usage"]) == {
        "input_tokens",
        "output_tokens",
        "cache_read_input_tokens",
        "cache_creation_input_tokens",
    }
    count_url = endpoint(upstream, "anthropic") + "/count_tokens"
    body = {"model": MODEL, "messages": [{"role": "user", "content": "x" * 40}]}
    assert requests.post(count_url, json=body).json() == {"input_tokens": 11}  # 44 chars // 4


def test_responses_stream_sequence(upstream):
    upstream.add(Behavior(thinking="plan it", chunks=["Hi", " there"], tool_calls=[("f", ARGS)]))
    events = sse_events(ask(upstream, "responses", stream=True))
    adapter = TypeAdapter(ResponseStreamEvent)
    for number, (name, data) in enumerate(events):
        assert name == data["type"] and data["sequence_number"] == number
        adapter.validate_python(data)
    assert [name.removeprefix("response.") for name, _ in events] == [
        "created", "in_progress",
        "output_item.added", "reasoning_summary_part.added", "reasoning_summary_text.delta",
        "reasoning_summary_text.delta", "reasoning_summary_text.done",
        "reasoning_summary_part.done", "output_item.done",
        "output_item.added", "content_part.added", "output_text.delta", "output_text.delta",
        "output_text.done", "content_part.done", "output_item.done",
        "output_item.added", "function_call_arguments.delta", "function_call_arguments.delta",
        "function_call_arguments.done", "output_item.done",
        "completed",
    ]  # fmt: skip
    assert events[0][1]["response"]["status"] == "in_progress"
    done = [data["item"] for name, data in events if name == "response.output_item.done"]
    final = Response.model_validate(events[-1][1]["response"])
    assert final.status == "completed" and final.output_text == "Hi there"
    assert [i.model_dump(exclude_none=True) for i in final.output] == done
    assert final.usage.output_tokens_details.reasoning_tokens >= 1


def test_gemini_model_comes_from_the_url_and_rules_match_it(upstream):
    upstream.add(Behavior(text="flash!"), model="gemini-2.5-flash")
    flash = requests.post(
        endpoint(upstream, "gemini", model="gemini-2.5-flash"),
        json=body_for("gemini", [user_turn("gemini", "hi")]),
    )
    other = requests.post(
        endpoint(upstream, "gemini", model="gemini-other"),
        json=body_for("gemini", [user_turn("gemini", "yo")]),
    )
    assert answer_text("gemini", flash.json()) == "flash!"
    assert answer_text("gemini", other.json()) == "echo: yo"
    assert [r.model for r in upstream.requests_for("gemini")] == [
        "gemini-2.5-flash",
        "gemini-other",
    ]
    assert flash.json()["modelVersion"] == "gemini-2.5-flash"


def test_gemini_stream_chunks_crlf_and_json_array(upstream):
    upstream.add(
        Behavior(thinking="deep", chunks=["Bon", "jour"], tool_calls=[("f", ARGS), ("g", "{}")])
    )
    response = ask(upstream, "gemini", stream=True)
    raw = response.content.decode()
    assert raw.startswith("data: {") and raw.endswith("}\r\n\r\n") and "event:" not in raw
    chunks = [data for _, data in sse_events(response)]
    assert len(chunks) == 4  # the thought, two text pieces, the calls
    candidates = [c["candidates"][0] for c in chunks]
    assert ["finishReason" in c for c in candidates] == [False, False, False, True]
    assert candidates[-1]["finishReason"] == "STOP"
    calls = candidates[-1]["content"]["parts"]
    assert [("thoughtSignature" in p, p["functionCall"]["name"]) for p in calls] == [
        (True, "f"),
        (False, "g"),
    ]
    final = chunks[-1]["usageMetadata"]
    assert (
        final["promptTokenCount"],
        final["candidatesTokenCount"] + final["thoughtsTokenCount"],
    ) == (11, 7)
    array_url = endpoint(upstream, "gemini", stream=True).removesuffix("?alt=sse")
    array = requests.post(array_url, json=body_for("gemini", [user_turn("gemini", "x")])).json()
    assert streamed("gemini", [(None, c) for c in array])[:2] == ("Bonjour", "deep")
    assert ["finishReason" in c["candidates"][0] for c in array] == [False, False, False, True]


@pytest.mark.parametrize("fmt", FORMATS)
def test_usage_in_stream_false_sends_no_usage(upstream, fmt):
    upstream.add(Behavior(usage_in_stream=False))
    body = dict(
        body_for(fmt, [user_turn(fmt, "x")], stream=True), stream_options={"include_usage": True}
    )
    events = sse_events(requests.post(endpoint(upstream, fmt, stream=True), json=body))
    payloads = [data for _, data in events if data != "[DONE]"]
    if fmt == "responses":
        assert payloads[-1]["response"]["usage"] is None
    else:
        key = "usageMetadata" if fmt == "gemini" else "usage"
        assert not any(key in json.dumps(p) for p in payloads)


def signed_by_this_fake(body: dict) -> dict:
    """`body` with its thinking signatures replaced by one this fake issued: the capture holds
    the signature the capturing upstream gave, which a strict Anthropic fake (like the real
    API) refuses as foreign."""
    body = json.loads(json.dumps(body))
    for message in body.get("messages") or []:
        for block in message["content"] if isinstance(message["content"], list) else []:
            if block.get("type") == "thinking":
                block["signature"] = issue("anthropic", 1)
    return body


@pytest.mark.parametrize(
    "fixture, fmt, tool, args",
    [
        ("claude-code-2.1.197_tool-read.json", "anthropic", "Read", "/home/user/project/hello.txt"),
        ("claude-code-2.1.330_hello.json", "anthropic", "Read", "/home/user/project/hello.txt"),
        ("codex-0.169.0_tool-exec.json", "responses", "exec_command", "echo from-codex-$((6*7))"),
    ],
)
def test_captured_cli_requests_drive_the_tool_loop(upstream, fixture, fmt, tool, args):
    """Claude Code and Codex's real requests: a CALLTOOL turn, then the turn with its result."""
    first, second = json.loads((CLIENT_FIXTURES / fixture).read_text())
    root = upstream.url.removesuffix("/v1")
    answers = []
    for captured in (first, second):
        # The captured keys are truncated with "…"; HTTP headers must be Latin-1.
        headers = {k: v.encode("ascii", "replace").decode() for k, v in captured["headers"].items()}
        body = signed_by_this_fake(captured["body"])
        sent = requests.post(root + captured["path"], json=body, headers=headers)
        answers.append(streamed(fmt, sse_events(sent)))
    [(name, arguments)] = answers[0][2]
    assert (name, list(json.loads(arguments).values())) == (tool, [args])
    last = (second["body"].get("messages") or second["body"].get("input"))[-1]
    result = last["content"][0]["content"] if fmt == "anthropic" else last["output"]
    assert answers[1][:1] == ("tool said: " + result[:500],) and answers[1][2] == []
    assert [r.format for r in upstream.requests] == [fmt, fmt]
