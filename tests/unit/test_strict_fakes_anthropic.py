"""The strict fake's Anthropic Messages validator: each rule, one body the real API accepts and
one it refuses with its message (tests.fakes.validation.anthropic / anthropic_messages)."""

from __future__ import annotations

from tests.fakes.validation import check
from tests.fakes.validation.signatures import issue
from tests.unit.strict_cases import Case, cases_test, request, with_

MODEL = "claude-sonnet-4-5"
BASE = {"model": MODEL, "max_tokens": 1024, "messages": [{"role": "user", "content": "hi"}]}
SIGNED = issue("anthropic", 3)
THINKING = {"type": "enabled", "budget_tokens": 2048}
TOOL = {"name": "get_weather", "input_schema": {"type": "object", "properties": {}}}


def user(*blocks) -> dict:
    return {"role": "user", "content": list(blocks)}


def assistant(*blocks) -> dict:
    return {"role": "assistant", "content": list(blocks)}


def text(value: str = "hello") -> dict:
    return {"type": "text", "text": value}


def tool_use(tool_id: str = "toolu_1") -> dict:
    return {"type": "tool_use", "id": tool_id, "name": "get_weather", "input": {}}


def result(tool_id: str = "toolu_1") -> dict:
    return {"type": "tool_result", "tool_use_id": tool_id, "content": "sunny"}


def thinking(signature: object = SIGNED) -> dict:
    return {"type": "thinking", "thinking": "let me see", "signature": signature}


def loop(*first_blocks) -> list[dict]:
    """A tool loop: the question, the assistant's turn (`first_blocks`), the tool's answer."""
    return [user(text("weather?")), assistant(*first_blocks), user(result())]


def body(**changes) -> dict:
    return with_(BASE, **changes)


def thought(**changes) -> dict:
    """A body with thinking on (budget 2048 of 4096 tokens)."""
    return body(thinking=THINKING, max_tokens=4096, **changes)


def case(good: dict, bad: dict, says: str, **extra) -> Case:
    return Case("anthropic", good, bad, says, **extra)


CASES = {
    "model is required": case(body(), body(model=None), "model: Field required"),
    "max_tokens is required": case(body(), body(max_tokens=None), "max_tokens: Field required"),
    "max_tokens is an integer": case(body(), body(max_tokens="64"), "a valid integer"),
    "max_tokens is at least 1": case(body(max_tokens=1), body(max_tokens=0), "greater than"),
    "max_tokens within the model's output limit": case(
        body(max_tokens=64000),
        body(max_tokens=64001),
        "max_tokens: 64001 > 64000, which is the maximum allowed number of output tokens for "
        "claude-sonnet-4-5",
    ),
    "a snapshot id has its family's limit": case(
        body(model="claude-opus-4-6-20260101", max_tokens=128000),
        body(model="claude-opus-4-1-20250805", max_tokens=32001),
        "32001 > 32000",
    ),
    "an unknown field is refused for claude models": case(
        body(model="glm-4.7", context="x"), body(context="x"), "context: Extra inputs are not"
    ),
    "count_tokens takes no max_tokens": Case(
        "count_tokens", body(max_tokens=None), body(), "max_tokens: Extra inputs are not"
    ),
    "temperature is at most 1": case(body(temperature=1), body(temperature=1.5), "less than"),
    "temperature xor top_p on Claude 4.5": case(
        body(model="claude-sonnet-4", temperature=0.5, top_p=0.9),
        body(temperature=0.5, top_p=0.9),
        "`temperature` and `top_p` cannot both be specified for this model",
    ),
    "temperature xor top_p on Opus 4.1": case(
        body(model="claude-opus-4-1", top_p=0.9),
        body(model="claude-opus-4-1", temperature=0.5, top_p=0.9),
        "cannot both be specified",
    ),
    "thinking type is known": case(
        body(thinking={"type": "disabled"}), body(thinking={"type": "on"}), "Input tag 'on'"
    ),
    "thinking budget at least 1024": case(
        thought(),
        body(thinking={"type": "enabled", "budget_tokens": 512}),
        "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024",
    ),
    "thinking budget below max_tokens": case(
        body(thinking=THINKING, max_tokens=4096),
        body(thinking=THINKING, max_tokens=2048),
        "`max_tokens` must be greater than `thinking.budget_tokens`",
    ),
    "thinking: temperature only 1": case(
        thought(temperature=1),
        thought(temperature=0.7),
        "`temperature` may only be set to 1 when thinking is enabled",
    ),
    "thinking: top_p at least 0.95": case(
        thought(top_p=0.95),
        thought(top_p=0.9),
        "`top_p` must be greater than or equal to 0.95",
    ),
    "thinking: no top_k": case(body(top_k=40), thought(top_k=40), "`top_k` must be unset"),
    "thinking: no forced tool": case(
        thought(tools=[TOOL], tool_choice={"type": "auto"}),
        thought(tools=[TOOL], tool_choice={"type": "any"}),
        "Thinking may not be enabled when tool_choice forces tool use.",
    ),
    "messages are not empty": case(body(), body(messages=[]), "at least one message"),
    "roles are user, assistant or system": case(
        body(messages=[{"role": "system", "content": "be brief"}, *BASE["messages"]]),
        body(messages=[{"role": "tool", "content": "x"}]),
        "messages.0.role: Input should be",
    ),
    "content is required": case(
        body(), body(messages=[{"role": "user"}]), "messages.0.content: Field required"
    ),
    "content is not empty before the end": case(
        body(messages=[user(text()), {"role": "assistant", "content": ""}]),
        body(messages=[{"role": "user", "content": []}, assistant(text())]),
        "all messages must have non-empty content",
    ),
    "text blocks are not empty": case(
        body(messages=[user(text("x"))]),
        body(messages=[user(text(""))]),
        "text content blocks must be non-empty",
    ),
    "a message's text is not only whitespace": case(
        body(messages=[user(text(" "), text("real"))]),
        body(messages=[user(text("\n"))]),
        "text content blocks must contain non-whitespace text",
    ),
    "block types are known": case(
        body(messages=[user(text())]),
        body(messages=[user({"type": "input_text", "text": "x"})]),
        "Input tag 'input_text' found using 'type' does not match",
    ),
    "a message carries only role and content": case(
        body(model="glm-4.7", messages=[{"role": "user", "content": "x", "name": "n"}]),
        body(messages=[{"role": "user", "content": "x", "name": "n"}]),
        "messages.0.name: Extra inputs are not permitted",
    ),
    "a thinking block takes no cache_control": case(
        body(messages=loop(thinking(), tool_use())),
        body(messages=loop({**thinking(), "cache_control": {"type": "ephemeral"}}, tool_use())),
        "messages.1.content.0.thinking.cache_control: Extra inputs are not permitted",
    ),
    "every tool_use is answered in the next message": case(
        body(messages=loop(tool_use())),
        body(messages=[user(text()), assistant(tool_use()), user(text("and?"))]),
        "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: "
        "toolu_1",
    ),
    "tool_result blocks come first": case(
        body(messages=[*loop(tool_use())[:2], user(result(), text("more"))]),
        body(messages=[*loop(tool_use())[:2], user(text("more"), result())]),
        "`tool_use` ids were found without `tool_result` blocks immediately after",
    ),
    "a tool_result answers a tool_use of the previous message": case(
        body(messages=loop(tool_use())),
        body(messages=[*loop(tool_use("toolu_2"))[:2], user(result("toolu_2"), result())]),
        "messages.2.content.1: unexpected `tool_use_id` found in `tool_result` blocks: toolu_1",
    ),
    "a thinking signature is this fake's Anthropic one": case(
        body(messages=loop(thinking(), tool_use())),
        body(messages=loop(thinking(issue("gemini", 3)), tool_use())),
        "messages.1.content.0: Invalid `signature` in `thinking` block",
    ),
    "a placeholder signature is refused": case(
        body(messages=loop(thinking(), tool_use())),
        body(messages=loop(thinking("skip_thought_signature_validator"), tool_use())),
        "Invalid `signature` in `thinking` block",
    ),
    "a thinking block has a signature": case(
        body(messages=loop(thinking(), tool_use())),
        body(messages=loop({"type": "thinking", "thinking": "x"}, tool_use())),
        "messages.1.content.0.thinking.signature: Field required",
    ),
    "redacted thinking data is this fake's": case(
        body(messages=loop({"type": "redacted_thinking", "data": SIGNED}, tool_use())),
        body(messages=loop({"type": "redacted_thinking", "data": "opaque"}, tool_use())),
        "Invalid `data` in `redacted_thinking` block",
    ),
    "thinking on: the tool loop's assistant turn starts with thinking": case(
        thought(messages=loop(thinking(), tool_use())),
        thought(messages=loop(text("let me"), tool_use())),
        "messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found "
        "`text`. When `thinking` is enabled, a final `assistant` message must start with a "
        "thinking block",
    ),
    "thinking off: no thinking block needed": case(
        body(messages=loop(tool_use())),
        body(thinking={"type": "adaptive"}, messages=loop(tool_use())),
        "but found `tool_use`",
    ),
    "at most 4 cache_control breakpoints": case(
        body(messages=[user(*[{**text(), "cache_control": {"type": "ephemeral"}}] * 4)]),
        body(messages=[user(*[{**text(), "cache_control": {"type": "ephemeral"}}] * 5)]),
        "A maximum of 4 blocks with cache_control may be provided. Found 5.",
    ),
    "a tool name matches the pattern": case(
        body(tools=[TOOL]),
        body(tools=[{**TOOL, "name": "server.tool"}]),
        "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'",
    ),
    "a tool's input_schema is an object": case(
        body(tools=[TOOL]),
        body(tools=[{**TOOL, "input_schema": {"type": "OBJECT"}}]),
        "tools.0.custom.input_schema.type: Input should be 'object'",
    ),
    "a tool's input_schema is JSON Schema": case(
        body(tools=[{**TOOL, "input_schema": {"type": "object", "properties": {"a": {}}}}]),
        body(
            tools=[
                {
                    **TOOL,
                    "input_schema": {"type": "object", "properties": {"a": {"type": "STRING"}}},
                }
            ]
        ),
        "tools.0.custom.input_schema: JSON schema is invalid",
    ),  # fmt: skip
    "a forced tool has a name": case(
        body(tools=[TOOL], tool_choice={"type": "tool", "name": "get_weather"}),
        body(tools=[TOOL], tool_choice={"type": "tool"}),
        "tool_choice.tool.name: Field required",
    ),
    "output_config.format is JSON Schema": case(
        body(output_config={"format": {"type": "json_schema", "schema": {"type": "object"}}}),
        body(output_config={"format": {"type": "json_schema", "schema": {"type": "OBJECT"}}}),
        "output_config.format.schema: Invalid schema",
    ),
}

test_the_real_api_accepts_it, test_the_real_api_refuses_it = cases_test(CASES)


def test_interleaved_thinking_lets_the_budget_exceed_max_tokens():
    case = CASES["thinking budget below max_tokens"]
    beta = {"anthropic-beta": "interleaved-thinking-2025-05-14"}
    assert check(request("anthropic", case.bad, headers=beta)) is None
