"""Anthropic Messages (`POST /v1/messages`, `/v1/messages/count_tokens`): the request's fields.

Rules (SOURCE: Anthropic Messages API reference; "Extended thinking" guide, section "Feature
compatibility" and "Max tokens and context window size"; "Prompt caching" guide; "Tool use"
guide; the API's messages as reported verbatim; the message rules are in
`anthropic_messages`):
- `model` is required ("model: Field required"); `max_tokens` too on /messages ("max_tokens:
  Field required"), an integer ≥ 1, at most the model's output limit ("max_tokens: 100000 >
  64000, which is the maximum allowed number of output tokens for claude-sonnet-4-5") for the
  families in `families`.
- For `claude-*` models, a top-level field the endpoint does not take is refused ("context:
  Extra inputs are not permitted"); count_tokens takes no max_tokens, stream or sampling.
- temperature and top_p in 0..1, top_k ≥ 0; Claude Opus 4.1 and the 4.5/4.6 models refuse
  temperature together with top_p ("`temperature` and `top_p` cannot both be specified for
  this model. Please use only one.").
- `thinking` is {type: enabled, budget_tokens}, {type: disabled} or {type: adaptive};
  budget_tokens ≥ 1024 ("thinking.enabled.budget_tokens: Input should be greater than or
  equal to 1024") and < max_tokens ("`max_tokens` must be greater than
  `thinking.budget_tokens`.") unless the interleaved-thinking beta is on; with thinking on,
  temperature only 1 ("`temperature` may only be set to 1 when thinking is enabled."), top_p
  ≥ 0.95, no top_k ("`top_k` must be unset when thinking is enabled."), and no forced tool
  ("Thinking may not be enabled when tool_choice forces tool use.").
- `system` is a string or a list of text blocks; at most 4 blocks carry cache_control ("A
  maximum of 4 blocks with cache_control may be provided. Found 5.").
- A custom tool has a name matching ^[a-zA-Z0-9_-]{1,128}$ ("tools.0.custom.name: String
  should match pattern '^[a-zA-Z0-9_-]{1,128}$'") and an input_schema of type "object"
  ("tools.0.custom.input_schema.type: Input should be 'object'") that is JSON Schema
  ("tools.0.custom.input_schema: JSON schema is invalid. It must match JSON Schema draft
  2020-12"); tool_choice is auto, any, tool (with a name) or none.
- `output_config.format` / `output_format` {type: "json_schema", schema}: the schema is JSON
  Schema (lower-case types; "output_config.format.schema: Invalid schema: …").
"""

from __future__ import annotations

import re

from tests.fakes.recording import Recorded
from tests.fakes.validation import families
from tests.fakes.validation.anthropic_messages import blocks_of, check_messages
from tests.fakes.validation.common import Invalid, dicts, is_integer, is_number, json_type
from tests.fakes.validation.schemas import json_schema_error

COMMON_FIELDS = frozenset(
    {"model", "messages", "system", "tools", "tool_choice", "thinking", "mcp_servers",
     "context_management", "output_config", "output_format"}
)  # fmt: skip
MESSAGES_FIELDS = COMMON_FIELDS | {
    "max_tokens", "metadata", "stop_sequences", "stream", "temperature", "top_p", "top_k",
    "service_tier", "container", "inference_geo", "speed",
}  # fmt: skip
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")
THINKING_TYPES = ("enabled", "disabled", "adaptive")
TOOL_CHOICES = ("auto", "any", "tool", "none")
INTERLEAVED_BETA = "interleaved-thinking-2025-05-14"
MAX_BREAKPOINTS = 4
DOCS = "https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
CONSIDERATIONS = "#important-considerations-when-using-extended-thinking"


def validate(request: Recorded) -> None:
    body = request.body
    if not isinstance(body, dict):
        raise Invalid("The request body is not valid JSON.")
    counting = request.route.action == "count_tokens"
    model = body.get("model")
    if families.is_claude(model):
        allowed = COMMON_FIELDS if counting else MESSAGES_FIELDS
        for name in body:
            if name not in allowed:
                raise Invalid(f"{name}: Extra inputs are not permitted")
    if "model" not in body:
        raise Invalid("model: Field required")
    if not isinstance(model, str):
        raise Invalid("model: Input should be a valid string")
    if not counting:
        _check_max_tokens(body.get("max_tokens", _MISSING), model)
    _check_sampling(body, model)
    thinking_on = _check_thinking(body, request, counting)
    _check_system(body.get("system"))
    _check_tools(body)
    _check_output_format(body)
    check_messages(body.get("messages"), thinking_on, families.is_claude(model))
    _check_breakpoints(body)


_MISSING = object()


def _check_max_tokens(value: object, model: str) -> None:
    if value is _MISSING:
        raise Invalid("max_tokens: Field required")
    if not is_integer(value):
        raise Invalid("max_tokens: Input should be a valid integer")
    if value < 1:
        raise Invalid("max_tokens: Input should be greater than or equal to 1")
    limit = families.claude_max_output(model)
    if limit is not None and value > limit:
        raise Invalid(
            f"max_tokens: {value} > {limit}, which is the maximum allowed number of output "
            f"tokens for {model}"
        )


def _check_sampling(body: dict, model: str) -> None:
    for name, low, high in (("temperature", 0, 1), ("top_p", 0, 1), ("top_k", 0, None)):
        value = body.get(name)
        if value is None:
            continue
        if not is_number(value):
            raise Invalid(f"{name}: Input should be a valid number")
        if value < low:
            raise Invalid(f"{name}: Input should be greater than or equal to {low}")
        if high is not None and value > high:
            raise Invalid(f"{name}: Input should be less than or equal to {high}")
    both = body.get("temperature") is not None and body.get("top_p") is not None
    if both and families.claude_one_sampler(model):
        raise Invalid(
            "`temperature` and `top_p` cannot both be specified for this model. Please use "
            "only one."
        )


def _check_thinking(body: dict, request: Recorded, counting: bool) -> bool:
    """Check `thinking` and what it forbids; True when thinking is on."""
    thinking = body.get("thinking")
    if thinking is None:
        return False
    if not isinstance(thinking, dict):
        raise Invalid("thinking: Input should be a valid dictionary")
    kind = thinking.get("type")
    if kind not in THINKING_TYPES:
        raise Invalid(
            f"thinking: Input tag '{kind}' found using 'type' does not match any of the "
            "expected tags: 'enabled', 'disabled', 'adaptive'"
        )
    if kind == "disabled":
        return False
    if kind == "enabled":
        budget = thinking.get("budget_tokens")
        if budget is None:
            raise Invalid("thinking.enabled.budget_tokens: Field required")
        if not is_integer(budget):
            raise Invalid("thinking.enabled.budget_tokens: Input should be a valid integer")
        if budget < 1024:
            raise Invalid(
                "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
            )
        interleaved = INTERLEAVED_BETA in request.headers.get("anthropic-beta", "")
        max_tokens = body.get("max_tokens")
        if not counting and not interleaved and is_integer(max_tokens) and max_tokens <= budget:
            raise Invalid(
                "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult "
                f"our documentation at {DOCS}#max-tokens-and-context-window-size"
            )
    _check_thinking_companions(body)
    return True


def _check_thinking_companions(body: dict) -> None:
    see = f"Please consult our documentation at {DOCS}{CONSIDERATIONS}"
    temperature, top_p = body.get("temperature"), body.get("top_p")
    if temperature is not None and temperature != 1:
        raise Invalid(f"`temperature` may only be set to 1 when thinking is enabled. {see}")
    if top_p is not None and top_p < 0.95:
        raise Invalid(
            f"`top_p` must be greater than or equal to 0.95 or unset when thinking is enabled. "
            f"{see}"
        )
    if body.get("top_k") is not None:
        raise Invalid(f"`top_k` must be unset when thinking is enabled. {see}")
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") in ("any", "tool"):
        raise Invalid("Thinking may not be enabled when tool_choice forces tool use.")


def _check_system(system: object) -> None:
    if system is None or isinstance(system, str):
        return
    if not isinstance(system, list):
        raise Invalid("system: Input should be a valid list")
    for index, block in enumerate(system):
        if not isinstance(block, dict) or block.get("type") != "text":
            raise Invalid(f"system.{index}.type: Input should be 'text'")
        if not isinstance(block.get("text"), str) or not block["text"]:
            raise Invalid("system: text content blocks must be non-empty")


def _check_tools(body: dict) -> None:
    tools = body.get("tools")
    if tools is not None and not isinstance(tools, list):
        raise Invalid("tools: Input should be a valid list")
    for index, tool in dicts(tools):
        if tool.get("type") not in (None, "custom"):
            continue  # a server or client tool of Anthropic's own (web_search_…, bash_…)
        at = f"tools.{index}.custom"
        if not isinstance(tool.get("name"), str) or not TOOL_NAME.match(tool["name"]):
            raise Invalid(f"{at}.name: String should match pattern '^[a-zA-Z0-9_-]{{1,128}}$'")
        schema = tool.get("input_schema")
        if not isinstance(schema, dict):
            raise Invalid(f"{at}.input_schema: Field required")
        if schema.get("type") != "object":
            raise Invalid(f"{at}.input_schema.type: Input should be 'object'")
        if json_schema_error(schema) is not None:
            raise Invalid(
                f"{at}.input_schema: JSON schema is invalid. It must match JSON Schema draft "
                "2020-12 (https://json-schema.org/draft/2020-12). Learn more about tool use at "
                "https://docs.claude.com/en/docs/tool-use."
            )
    choice = body.get("tool_choice")
    if choice is None:
        return
    if not isinstance(choice, dict) or choice.get("type") not in TOOL_CHOICES:
        kind = choice.get("type") if isinstance(choice, dict) else json_type(choice)
        raise Invalid(
            f"tool_choice: Input tag '{kind}' found using 'type' does not match any of the "
            "expected tags: 'auto', 'any', 'tool', 'none'"
        )
    if choice["type"] == "tool" and not isinstance(choice.get("name"), str):
        raise Invalid("tool_choice.tool.name: Field required")


def _check_output_format(body: dict) -> None:
    config = body.get("output_config")
    places = [("output_format", body.get("output_format"))]
    if isinstance(config, dict):
        places.append(("output_config.format", config.get("format")))
    for at, fmt in places:
        if fmt is None:
            continue
        if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
            raise Invalid(f"{at}.type: Input should be 'json_schema'")
        schema = fmt.get("schema")
        if not isinstance(schema, dict):
            raise Invalid(f"{at}.schema: Field required")
        why = json_schema_error(schema)
        if why is not None:
            raise Invalid(f"{at}.schema: Invalid schema: {why}")


def _check_breakpoints(body: dict) -> None:
    marked = [b for _, b in dicts(body.get("system")) if b.get("cache_control") is not None]
    marked += [t for _, t in dicts(body.get("tools")) if t.get("cache_control") is not None]
    for _, message in dicts(body.get("messages")):
        for block in blocks_of(message):
            if block.get("cache_control") is not None:
                marked.append(block)
            nested = block.get("content") if block.get("type") == "tool_result" else None
            marked += [b for _, b in dicts(nested) if b.get("cache_control") is not None]
    if len(marked) > MAX_BREAKPOINTS:
        raise Invalid(
            f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. "
            f"Found {len(marked)}."
        )
