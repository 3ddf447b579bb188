"""OpenAI Responses (`POST /v1/responses`).

Rules (SOURCE: OpenAI API reference "Create a model response", "Conversation state" and
"Reasoning models" guides, and the API's messages as reported verbatim):
- For OpenAI's own models a field the endpoint does not take is refused ("Unknown parameter:
  'messages'.", code unknown_parameter), and so is one a message, function_call,
  function_call_output or reasoning item does not take ("Unknown parameter:
  'input[1].metadata'.").
- `model` is required ("Missing required parameter: 'model'.").
- `input` is a string or a list of items of a known type; a message item has role user,
  assistant, system or developer ("Invalid value: 'tool'. Supported values are: …"), an
  assistant message's parts are output_text or refusal ("Invalid value: 'input_text'.
  Supported values are: 'output_text' and 'refusal'."), the others' input_text, input_image,
  input_file or input_audio.
- A function_call_output answers a function_call of the same call_id in the input ("No tool
  call found for function call output with call_id call_1.", param input) unless
  previous_response_id or conversation carries the earlier turns; a function_call in the input
  has its output ("No tool output found for function call call_1.").
- A reasoning item's encrypted_content is one the Responses dialect of this fake issued ("The
  encrypted content for item rs_1 could not be verified. Reason: Encrypted content could not
  be decrypted or parsed.", code invalid_encrypted_content); a reasoning item has a summary.
- Reasoning models refuse temperature and top_p ("Unsupported parameter: 'temperature' is not
  supported with this model."), except gpt-5.1+ while their effort is "none"; classic models
  refuse reasoning.effort ("Unsupported parameter: 'reasoning.effort' is not supported with
  this model.", param reasoning.effort).
- max_output_tokens ≥ 16 ("Invalid 'max_output_tokens': integer below minimum value. Expected a
  value >= 16, but got 5 instead."); temperature 0..2, top_p 0..1.
- text.format json_schema needs a name ("Missing required parameter: 'text.format.name'.") and
  a JSON Schema; function tools have a valid name and JSON Schema parameters.
"""

from __future__ import annotations

from tests.fakes.recording import Recorded
from tests.fakes.validation import families
from tests.fakes.validation.common import Invalid, dicts, is_integer, quoted_list
from tests.fakes.validation.openai_shared import (
    check_function,
    check_named_schema,
    check_ranges,
    unsupported,
)
from tests.fakes.validation.signatures import issued_by

FIELDS = frozenset(
    {"background", "client_metadata", "context_management", "conversation", "include", "input",
     "instructions", "max_output_tokens", "max_tool_calls", "metadata", "model",
     "parallel_tool_calls", "previous_response_id", "prompt", "prompt_cache_key",
     "prompt_cache_retention", "reasoning", "safety_identifier", "service_tier", "store",
     "stream", "stream_options", "temperature", "text", "tool_choice", "tools", "top_logprobs",
     "top_p", "truncation", "user"}
)  # fmt: skip
ITEM_TYPES = (
    "message", "function_call", "function_call_output", "reasoning", "item_reference",
    "custom_tool_call", "custom_tool_call_output", "local_shell_call", "local_shell_call_output",
    "shell_call", "shell_call_output", "apply_patch_call", "apply_patch_call_output",
    "web_search_call", "file_search_call", "computer_call", "computer_call_output",
    "image_generation_call", "code_interpreter_call", "mcp_list_tools",
    "mcp_approval_request", "mcp_approval_response", "mcp_call", "compaction",
)  # fmt: skip
ROLES = ("assistant", "system", "developer", "user")
ASSISTANT_PARTS = ("output_text", "refusal")
INPUT_PARTS = ("input_text", "input_image", "input_file", "input_audio")
PAIRS = {"function_call_output": "function_call", "custom_tool_call_output": "custom_tool_call"}
ITEM_FIELDS = {  # checked for OpenAI's own models
    "message": frozenset({"type", "id", "role", "content", "status", "phase"}),
    "function_call": frozenset({"type", "id", "call_id", "name", "arguments", "status"}),
    "function_call_output": frozenset({"type", "id", "call_id", "output", "status"}),
    "reasoning": frozenset({"type", "id", "summary", "content", "encrypted_content", "status"}),
}


def validate(request: Recorded) -> None:
    body = request.body
    if not isinstance(body, dict):
        raise Invalid("We could not parse the JSON body of your request.")
    model = body.get("model")
    if families.is_openai(model):
        for name in body:
            if name not in FIELDS:
                raise Invalid(f"Unknown parameter: '{name}'.", name, "unknown_parameter")
    if not isinstance(model, str) or not model:
        raise Invalid("Missing required parameter: 'model'.", "model", "missing_required_parameter")
    chained = bool(body.get("previous_response_id") or body.get("conversation"))
    _check_input(body.get("input"), chained, families.is_openai(model))
    check_ranges(body, (("temperature", 0, 2), ("top_p", 0, 1)))
    _check_family(body, model)
    limit = body.get("max_output_tokens")
    if is_integer(limit) and limit < 16:
        raise Invalid(
            "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, "
            f"but got {limit} instead.",
            "max_output_tokens",
            "integer_below_min_value",
        )
    _check_text_format(body.get("text"))
    for index, tool in dicts(body.get("tools")):
        if tool.get("type") == "function":
            check_function(tool, f"tools[{index}]")


def _kind(item: dict) -> object:
    return item.get("type", "message" if "role" in item else None)


def _check_input(items: object, chained: bool, openai: bool) -> None:
    if items is None or isinstance(items, str):
        return
    if not isinstance(items, list):
        raise Invalid("Invalid type for 'input': expected one of a string or array of input "
                      "items.", "input", "invalid_type")  # fmt: skip
    for index, item in enumerate(items):
        if not isinstance(item, dict) or _kind(item) not in ITEM_TYPES:
            kind = _kind(item) if isinstance(item, dict) else None
            raise Invalid(
                f"Invalid value: '{kind}'. Supported values are: {quoted_list(ITEM_TYPES)}.",
                f"input[{index}].type",
                "invalid_value",
            )
        allowed = ITEM_FIELDS.get(_kind(item))
        for name in item if openai and allowed else ():
            if name not in allowed:
                where = f"input[{index}].{name}"
                raise Invalid(f"Unknown parameter: '{where}'.", where, "unknown_parameter")
        _check_item(item, index)
    _check_calls(items, chained)


def _check_item(item: dict, index: int) -> None:
    at = f"input[{index}]"
    kind = _kind(item)
    if kind == "message":
        role = item.get("role")
        if role not in ROLES:
            raise Invalid(
                f"Invalid value: '{role}'. Supported values are: {quoted_list(ROLES)}.",
                f"{at}.role",
                "invalid_value",
            )
        allowed = ASSISTANT_PARTS if role == "assistant" else INPUT_PARTS
        for position, part in dicts(item.get("content")):
            if part.get("type") not in allowed:
                raise Invalid(
                    f"Invalid value: '{part.get('type')}'. Supported values are: "
                    f"{quoted_list(allowed)}.",
                    f"{at}.content[{position}].type",
                    "invalid_value",
                )
    elif kind == "reasoning":
        _check_reasoning(item, at)
    elif kind in ("function_call", "function_call_output"):
        needed = ("call_id", "name", "arguments") if kind == "function_call" else ("call_id",)
        for name in needed + (("output",) if kind == "function_call_output" else ()):
            if item.get(name) is None:
                raise Invalid(
                    f"Missing required parameter: '{at}.{name}'.",
                    f"{at}.{name}",
                    "missing_required_parameter",
                )


def _check_reasoning(item: dict, at: str) -> None:
    if not isinstance(item.get("summary"), list):
        raise Invalid(
            f"Missing required parameter: '{at}.summary'.",
            f"{at}.summary",
            "missing_required_parameter",
        )
    encrypted = item.get("encrypted_content")
    if encrypted is not None and not issued_by("responses", encrypted):
        raise Invalid(
            f"The encrypted content for item {item.get('id')} could not be verified. Reason: "
            "Encrypted content could not be decrypted or parsed.",
            None,
            "invalid_encrypted_content",
        )


def _check_calls(items: list, chained: bool) -> None:
    calls = {(_kind(item), item.get("call_id")) for _, item in dicts(items)}
    for _, item in dicts(items):
        kind, call_id = _kind(item), item.get("call_id")
        if kind in PAIRS and (PAIRS[kind], call_id) not in calls and not chained:
            raise Invalid(
                f"No tool call found for function call output with call_id {call_id}.", "input"
            )
        answered = {output for output, call in PAIRS.items() if call == kind}
        if answered and not any((output, call_id) in calls for output in answered):
            raise Invalid(f"No tool output found for function call {call_id}.", "input")


def _check_family(body: dict, model: str) -> None:
    reasoning = body.get("reasoning")
    effort = reasoning.get("effort") if isinstance(reasoning, dict) else None
    if families.openai_classic(model) and effort is not None:
        raise unsupported("reasoning.effort")
    if not families.openai_reasoning(model):
        return
    if families.samples_without_reasoning(model, effort):
        return
    for name in ("temperature", "top_p"):
        if body.get(name) is not None:
            raise Invalid(
                f"Unsupported parameter: '{name}' is not supported with this model.", name
            )


def _check_text_format(text: object) -> None:
    fmt = text.get("format") if isinstance(text, dict) else None
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        return
    check_named_schema(fmt, "text.format", "response_format", "text.format.schema", True)
