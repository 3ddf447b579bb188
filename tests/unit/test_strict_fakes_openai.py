"""The strict fake's OpenAI validators — Chat Completions and Responses: each rule, one body the
real API accepts and one it refuses with its message, param and code
(tests.fakes.validation.openai_chat / responses / openai_shared)."""

from __future__ import annotations

from tests.fakes.validation.signatures import issue
from tests.unit.strict_cases import Case, cases_test, with_

CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
CALL = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
FUNCTION = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
UPPER = {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}}
LOWER = {"type": "object", "properties": {"a": {"type": "string"}}}


def chat(**changes) -> dict:
    return with_(CHAT, **changes)


def asked(*turns) -> list[dict]:
    return [{"role": "user", "content": "weather?"}, *turns]


def called(*calls) -> dict:
    return {"role": "assistant", "content": None, "tool_calls": list(calls)}


def answer(call_id: str = "call_1") -> dict:
    return {"role": "tool", "tool_call_id": call_id, "content": "sunny"}


def c(good: dict, bad: dict, says: str, **extra) -> Case:
    return Case("openai", good, bad, says, **extra)


CHAT_CASES = {
    "an unknown field is refused for OpenAI models": c(
        chat(model="llama3.2", thinking={"type": "enabled"}),
        chat(thinking={"type": "enabled"}),
        "Unrecognized request argument supplied: thinking",
        param=None,
        code=None,
    ),
    "model is required": c(chat(), chat(model=None), "you must provide a model parameter"),
    "messages are required": c(
        chat(),
        chat(messages=None),
        "Missing required parameter: 'messages'.",
        param="messages",
        code="missing_required_parameter",
    ),
    "messages are not empty": c(
        chat(), chat(messages=[]), "Invalid 'messages': empty array.", code="empty_array"
    ),
    "roles are known": c(
        chat(messages=[{"role": "developer", "content": "be brief"}, *CHAT["messages"]]),
        chat(messages=[{"role": "model", "content": "x"}]),
        "Invalid value: 'model'. Supported values are: 'system', 'assistant', 'user', "
        "'function', 'tool', and 'developer'.",
        param="messages[0].role",
        code="invalid_value",
    ),
    "a user message has content": c(
        chat(),
        chat(messages=[{"role": "user"}]),
        "'messages[0].content'",
        param="messages[0].content",
    ),
    "content part types are known": c(
        chat(messages=[{"role": "user", "content": [{"type": "text", "text": "x"}]}]),
        chat(messages=[{"role": "user", "content": [{"type": "input_text", "text": "x"}]}]),
        "Invalid value: 'input_text'.",
        param="messages[0].content[0].type",
    ),
    "a tool message answers the assistant's tool call": c(
        chat(messages=asked(called(CALL), answer())),
        chat(messages=asked(answer())),
        "Invalid parameter: messages with role 'tool' must be a response to a preceeding "
        "message with 'tool_calls'.",
        param="messages.[1].role",
    ),
    "every tool call is answered before the next message": c(
        chat(messages=[*asked(called(CALL), answer()), {"role": "user", "content": "and?"}]),
        chat(messages=[*asked(called(CALL, {**CALL, "id": "call_2"}), answer())]),
        "An assistant message with 'tool_calls' must be followed by tool messages responding to "
        "each 'tool_call_id'. The following tool_call_ids did not have response messages: "
        "call_2",
        param="messages.[1].role",
    ),
    "tool call arguments are a string": c(
        chat(messages=asked(called(CALL), answer())),
        chat(messages=asked(called({**CALL, "function": {"name": "f", "arguments": {}}}))),
        "expected a string, but got object instead",
        code="invalid_type",
    ),
    "temperature is at most 2": c(
        chat(temperature=2),
        chat(temperature=3),
        "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 "
        "instead.",
        param="temperature",
        code="decimal_above_max_value",
    ),
    "top_p is at most 1": c(chat(top_p=1), chat(top_p=1.5), "Expected a value <= 1", param="top_p"),
    "reasoning models refuse max_tokens": c(
        chat(model="gpt-5", max_completion_tokens=64),
        chat(model="gpt-5", max_tokens=64),
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
        "'max_completion_tokens' instead.",
        param="max_tokens",
        code="unsupported_parameter",
    ),
    "reasoning models take temperature 1 only": c(
        chat(model="o3-mini", temperature=1),
        chat(model="o3-mini", temperature=0.2),
        "Unsupported value: 'temperature' does not support 0.2 with this model. Only the "
        "default (1) value is supported.",
        code="unsupported_value",
    ),
    "reasoning models refuse top_p": c(
        chat(top_p=0.9),
        chat(model="gpt-5", top_p=0.9),
        "Unsupported parameter: 'top_p' is not supported with this model.",
        param="top_p",
    ),
    "reasoning models refuse penalties": c(
        chat(presence_penalty=0.5),
        chat(model="gpt-5-mini", presence_penalty=0.5),
        "'presence_penalty' is not supported",
    ),
    "reasoning models refuse logprobs": c(
        chat(logprobs=True), chat(model="o4-mini", logprobs=True), "'logprobs' is not supported"
    ),
    "gpt-5.1 samples while its effort is none": c(
        chat(model="gpt-5.1", reasoning_effort="none", temperature=0.2),
        chat(model="gpt-5.1", reasoning_effort="high", temperature=0.2),
        "does not support 0.2",
    ),
    "classic models refuse reasoning_effort": c(
        chat(model="gpt-5", reasoning_effort="high"),
        chat(model="gpt-4o-mini", reasoning_effort="high"),
        "Unrecognized request argument supplied: reasoning_effort",
    ),
    "stream_options only with stream": c(
        chat(stream=True, stream_options={"include_usage": True}),
        chat(stream_options={"include_usage": True}),
        "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        param="stream_options",
    ),
    "response_format types are known": c(
        chat(response_format={"type": "json_object"}),
        chat(response_format={"type": "object"}),
        "Invalid value: 'object'. Supported values are: 'json_object', 'json_schema', and 'text'.",
        param="response_format.type",
    ),
    "a json_schema format has a name": c(
        chat(
            response_format={"type": "json_schema", "json_schema": {"name": "a", "schema": LOWER}}
        ),
        chat(response_format={"type": "json_schema", "json_schema": {"schema": LOWER}}),
        "Missing required parameter: 'response_format.json_schema.name'.",
        code="missing_required_parameter",
    ),
    "a json_schema format is JSON Schema": c(
        chat(
            response_format={"type": "json_schema", "json_schema": {"name": "a", "schema": LOWER}}
        ),
        chat(
            response_format={"type": "json_schema", "json_schema": {"name": "a", "schema": UPPER}}
        ),
        "Invalid schema for response_format 'a'",
        param="response_format",
    ),
    "a function name matches the pattern": c(
        chat(tools=[FUNCTION]),
        chat(tools=[{"type": "function", "function": {"name": "a.b"}}]),
        "string does not match pattern",
        param="tools[0].function.name",
    ),
    "function parameters are JSON Schema": c(
        chat(tools=[{"type": "function", "function": {"name": "f", "parameters": LOWER}}]),
        chat(tools=[{"type": "function", "function": {"name": "f", "parameters": UPPER}}]),
        "Invalid schema for function 'f'",
        code="invalid_function_parameters",
    ),
    "tool_choice needs tools": c(
        chat(tools=[FUNCTION], tool_choice="required"),
        chat(tool_choice="auto"),
        "'tool_choice' is only allowed when 'tools' are specified.",
        param="tool_choice",
    ),
    "tool_choice strings are known": c(
        chat(tools=[FUNCTION], tool_choice="none"),
        chat(tools=[FUNCTION], tool_choice="any"),
        "Invalid value: 'any'. Supported values are: 'none', 'auto', and 'required'.",
    ),
}

RESPONSES = {"model": "gpt-5", "input": "hi"}
FC = {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}"}
FCO = {"type": "function_call_output", "call_id": "call_1", "output": "sunny"}
REASONING = {"type": "reasoning", "id": "rs_1", "summary": []}


def resp(**changes) -> dict:
    return with_(RESPONSES, **changes)


def r(good: dict, bad: dict, says: str, **extra) -> Case:
    return Case("responses", good, bad, says, **extra)


def message(role: str, part: str) -> dict:
    return {"type": "message", "role": role, "content": [{"type": part, "text": "x"}]}


RESPONSES_CASES = {
    "an unknown field is refused for OpenAI models": r(
        resp(client_metadata={"a": "b"}),
        resp(messages=[]),
        "Unknown parameter: 'messages'.",
        param="messages",
        code="unknown_parameter",
    ),
    "an input item carries only its own fields": r(
        resp(model="my-vllm-model", input=[{**message("user", "input_text"), "metadata": {}}]),
        resp(input=[message("user", "input_text"), {**FC, "metadata": {}}, FCO]),
        "Unknown parameter: 'input[1].metadata'.",
        param="input[1].metadata",
        code="unknown_parameter",
    ),
    "model is required": r(resp(), resp(model=None), "Missing required parameter: 'model'."),
    "input item types are known": r(
        resp(input=[message("user", "input_text")]),
        resp(input=[{"type": "tool_result", "content": "x"}]),
        "Invalid value: 'tool_result'.",
        param="input[0].type",
    ),
    "message roles are known": r(
        resp(input=[message("developer", "input_text")]),
        resp(input=[message("tool", "input_text")]),
        "Invalid value: 'tool'. Supported values are: 'assistant', 'system', 'developer', and "
        "'user'.",
    ),
    "an assistant message holds output_text": r(
        resp(input=[message("assistant", "output_text")]),
        resp(input=[message("assistant", "input_text")]),
        "Invalid value: 'input_text'. Supported values are: 'output_text' and 'refusal'.",
        param="input[0].content[0].type",
    ),
    "a user message holds input parts": r(
        resp(input=[message("user", "input_text")]),
        resp(input=[message("user", "output_text")]),
        "Invalid value: 'output_text'.",
    ),
    "a function_call_output answers a function_call": r(
        resp(input=[FC, FCO]),
        resp(input=[FCO]),
        "No tool call found for function call output with call_id call_1.",
        param="input",
    ),
    "previous_response_id carries the call": r(
        resp(previous_response_id="resp_1", input=[FCO]),
        resp(input=[message("user", "input_text"), FCO]),
        "No tool call found",
    ),
    "a function_call has its output": r(
        resp(input=[FC, FCO]), resp(input=[FC]), "No tool output found for function call call_1."
    ),
    "reasoning content is this fake's Responses one": r(
        resp(input=[{**REASONING, "encrypted_content": issue("responses", 2)}]),
        resp(input=[{**REASONING, "encrypted_content": issue("anthropic", 2)}]),
        "The encrypted content for item rs_1 could not be verified.",
        code="invalid_encrypted_content",
    ),
    "a reasoning item has a summary": r(
        resp(input=[REASONING]),
        resp(input=[{"type": "reasoning", "id": "rs_1"}]),
        "Missing required parameter: 'input[0].summary'.",
    ),
    "reasoning models refuse temperature": r(
        resp(model="gpt-4.1", temperature=0.2),
        resp(temperature=0.2),
        "Unsupported parameter: 'temperature' is not supported with this model.",
        param="temperature",
    ),
    "reasoning models refuse top_p": r(
        resp(model="gpt-5.2", top_p=0.9),
        resp(model="gpt-5.2-codex", top_p=0.9),
        "'top_p' is not supported",
    ),
    "classic models refuse reasoning.effort": r(
        resp(reasoning={"effort": "low"}),
        resp(model="gpt-4o-mini", reasoning={"effort": "low"}),
        "Unsupported parameter: 'reasoning.effort' is not supported with this model.",
        param="reasoning.effort",
    ),
    "max_output_tokens is at least 16": r(
        resp(max_output_tokens=16),
        resp(max_output_tokens=5),
        "Expected a value >= 16, but got 5 instead.",
        code="integer_below_min_value",
    ),
    "a json_schema text format has a name": r(
        resp(text={"format": {"type": "json_schema", "name": "a", "schema": LOWER}}),
        resp(text={"format": {"type": "json_schema", "schema": LOWER}}),
        "Missing required parameter: 'text.format.name'.",
    ),
    "a json_schema text format is JSON Schema": r(
        resp(text={"format": {"type": "json_schema", "name": "a", "schema": LOWER}}),
        resp(text={"format": {"type": "json_schema", "name": "a", "schema": UPPER}}),
        "Invalid schema for response_format 'a'",
        param="text.format.schema",
    ),
    "function tool parameters are JSON Schema": r(
        resp(tools=[{"type": "function", "name": "f", "parameters": LOWER}]),
        resp(tools=[{"type": "function", "name": "f", "parameters": UPPER}]),
        "Invalid schema for function 'f'",
        param="tools[0].parameters",
    ),
}

CASES = {f"chat: {k}": v for k, v in CHAT_CASES.items()}
CASES |= {f"responses: {k}": v for k, v in RESPONSES_CASES.items()}
test_the_real_api_accepts_it, test_the_real_api_refuses_it = cases_test(CASES)
