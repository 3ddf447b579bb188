"""OpenAI Chat Completions (`POST /v1/chat/completions`).

Rules (SOURCE: OpenAI API reference "Create chat completion", the "Reasoning models" and
"Function calling" guides, and the API's messages as reported verbatim; every refusal is 400
`invalid_request_error` with `param` and `code` where the API sets them):
- For OpenAI's own models (`families.is_openai`) a field the endpoint does not take is refused
  ("Unrecognized request argument supplied: thinking"); other ids (OpenAI-compatible servers)
  may carry their own extensions.
- `model` is required ("you must provide a model parameter"); `messages` is a non-empty array
  ("Missing required parameter: 'messages'.", code missing_required_parameter; "Invalid
  'messages': empty array. …", code empty_array).
- A message's role is system, developer, user, assistant, tool or function ("Invalid value:
  'model'. Supported values are: …", param messages[0].role, code invalid_value); content is
  required except on an assistant message with tool_calls ("Missing required parameter:
  'messages[0].content'."); content parts are text, image_url, input_audio, refusal, audio or
  file; a tool message names its tool_call_id; a tool call's arguments are a string.
- A tool message answers a tool call of the assistant message right before it ("Invalid
  parameter: messages with role 'tool' must be a response to a preceeding message with
  'tool_calls'.", param messages.[N].role) and every tool call is answered before the next
  other message ("An assistant message with 'tool_calls' must be followed by tool messages
  responding to each 'tool_call_id'. The following tool_call_ids did not have response
  messages: call_1").
- temperature 0..2, top_p 0..1, presence/frequency_penalty −2..2 ("Invalid 'temperature':
  decimal above maximum value. Expected a value <= 2, but got 3 instead.").
- Reasoning models (o1, o3, o4, gpt-5 except gpt-5-chat; gpt-5.1+ only while their effort is
  "none") refuse max_tokens ("Unsupported parameter: 'max_tokens' is not supported with this
  model. Use 'max_completion_tokens' instead."), temperature other than 1 ("Unsupported value:
  'temperature' does not support 0.2 with this model. Only the default (1) value is
  supported."), top_p, presence_penalty, frequency_penalty, logprobs, top_logprobs and
  logit_bias ("Unsupported parameter: 'top_p' is not supported with this model."); classic
  models (gpt-4o, gpt-4.1, gpt-3.5, …) refuse reasoning_effort ("Unrecognized request argument
  supplied: reasoning_effort").
- stream_options only with stream true ("The 'stream_options' parameter is only allowed when
  'stream' is enabled.").
- response_format type is text, json_object or json_schema; json_schema needs a name matching
  ^[a-zA-Z0-9_-]{1,64}$ ("Missing required parameter: 'response_format.json_schema.name'.")
  and a JSON Schema ("Invalid schema for response_format 'answer': …"); a function tool has a
  name of the same pattern and JSON Schema parameters ("Invalid schema for function 'f': …",
  code invalid_function_parameters); tool_choice is none, auto, required or a named function,
  and only with tools ("Invalid value for 'tool_choice': 'tool_choice' is only allowed when
  'tools' are specified.").
"""

from __future__ import annotations

from tests.fakes.recording import Recorded
from tests.fakes.validation import families
from tests.fakes.validation.common import Invalid, dicts, json_type, quoted_list
from tests.fakes.validation.openai_shared import (
    check_function,
    check_named_schema,
    check_ranges,
    unsupported,
)

FIELDS = frozenset(
    {"model", "messages", "audio", "frequency_penalty", "function_call", "functions",
     "logit_bias", "logprobs", "max_completion_tokens", "max_tokens", "metadata", "modalities",
     "n", "parallel_tool_calls", "prediction", "presence_penalty", "prompt_cache_key",
     "prompt_cache_retention", "reasoning_effort", "response_format", "safety_identifier",
     "seed", "service_tier", "stop", "store", "stream", "stream_options", "temperature",
     "tool_choice", "tools", "top_logprobs", "top_p", "user", "verbosity",
     "web_search_options"}
)  # fmt: skip
ROLES = ("system", "assistant", "user", "function", "tool", "developer")
PART_TYPES = ("text", "image_url", "input_audio", "refusal", "audio", "file")
RANGES = (("temperature", 0, 2), ("top_p", 0, 1), ("presence_penalty", -2, 2),
          ("frequency_penalty", -2, 2))  # fmt: skip
REASONING_REFUSES = ("top_p", "presence_penalty", "frequency_penalty", "logprobs",
                     "top_logprobs", "logit_bias")  # fmt: skip
TOOL_CHOICES = ("none", "auto", "required")


def validate(request: Recorded) -> None:
    body = request.body
    if not isinstance(body, dict):
        raise Invalid("We could not parse the JSON body of your request.")
    model = body.get("model")
    if families.is_openai(model):
        for name in body:
            if name not in FIELDS:
                raise Invalid(f"Unrecognized request argument supplied: {name}")
    if not isinstance(model, str) or not model:
        raise Invalid("you must provide a model parameter")
    check_messages(body.get("messages", _MISSING))
    check_ranges(body, RANGES)
    _check_family(body, model)
    if body.get("stream_options") is not None and body.get("stream") is not True:
        raise Invalid(
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            "stream_options",
        )
    _check_response_format(body.get("response_format"))
    _check_tools(body)


_MISSING = object()


def check_messages(messages: object) -> None:
    if messages is _MISSING:
        raise Invalid(
            "Missing required parameter: 'messages'.", "messages", "missing_required_parameter"
        )
    if not isinstance(messages, list):
        raise Invalid(
            f"Invalid type for 'messages': expected an array, but got {json_type(messages)} "
            "instead.",
            "messages",
            "invalid_type",
        )
    if not messages:
        raise Invalid(
            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got "
            "an empty array instead.",
            "messages",
            "empty_array",
        )
    for index, message in enumerate(messages):
        _check_message(message, index)
    _check_tool_pairing(messages)


def _check_message(message: object, index: int) -> None:
    at = f"messages[{index}]"
    if not isinstance(message, dict):
        raise Invalid(f"Invalid type for '{at}': expected an object.", at, "invalid_type")
    role = message.get("role")
    if role not in ROLES:
        raise Invalid(
            f"Invalid value: '{role}'. Supported values are: {quoted_list(ROLES)}.",
            f"{at}.role",
            "invalid_value",
        )
    calls = message.get("tool_calls")
    optional = role == "assistant" and (calls or message.get("function_call"))
    content = message.get("content")
    if content is None and not optional:
        raise Invalid(
            f"Missing required parameter: '{at}.content'.",
            f"{at}.content",
            "missing_required_parameter",
        )
    for position, part in enumerate(content if isinstance(content, list) else []):
        kind = part.get("type") if isinstance(part, dict) else None
        if kind not in PART_TYPES:
            raise Invalid(
                f"Invalid value: '{kind}'. Supported values are: {quoted_list(PART_TYPES)}.",
                f"{at}.content[{position}].type",
                "invalid_value",
            )
    if role == "tool" and not isinstance(message.get("tool_call_id"), str):
        raise Invalid(
            f"Missing required parameter: '{at}.tool_call_id'.",
            f"{at}.tool_call_id",
            "missing_required_parameter",
        )
    for position, call in enumerate(calls if isinstance(calls, list) else []):
        function = call.get("function") if isinstance(call, dict) else None
        arguments = function.get("arguments") if isinstance(function, dict) else None
        if not isinstance(arguments, str):
            where = f"{at}.tool_calls[{position}].function.arguments"
            raise Invalid(
                f"Invalid type for '{where}': expected a string, but got "
                f"{json_type(arguments)} instead.",
                where,
                "invalid_type",
            )


def _call_ids(message: dict) -> list[str]:
    return [call.get("id") for _, call in dicts(message.get("tool_calls"))]


def _check_tool_pairing(messages: list) -> None:
    opener, pending, answerable = None, [], set()
    for index, message in enumerate(messages):
        if message.get("role") == "tool":
            call_id = message.get("tool_call_id")
            if call_id not in answerable:
                raise Invalid(
                    "Invalid parameter: messages with role 'tool' must be a response to a "
                    "preceeding message with 'tool_calls'.",
                    f"messages.[{index}].role",
                )
            pending = [pid for pid in pending if pid != call_id]
            continue
        _unanswered(opener, pending)
        opener, pending = index, _call_ids(message) if message.get("role") == "assistant" else []
        answerable = set(pending)
    _unanswered(opener, pending)


def _unanswered(opener: int | None, pending: list[str]) -> None:
    if pending:
        raise Invalid(
            "An assistant message with 'tool_calls' must be followed by tool messages "
            "responding to each 'tool_call_id'. The following tool_call_ids did not have "
            f"response messages: {', '.join(pending)}",
            f"messages.[{opener}].role",
        )


def _check_family(body: dict, model: str) -> None:
    if families.openai_classic(model) and body.get("reasoning_effort") is not None:
        raise Invalid("Unrecognized request argument supplied: reasoning_effort")
    if not families.openai_reasoning(model):
        return
    if body.get("max_tokens") is not None:
        raise Invalid(
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
            "'max_completion_tokens' instead.",
            "max_tokens",
            "unsupported_parameter",
        )
    if families.samples_without_reasoning(model, body.get("reasoning_effort")):
        return
    temperature = body.get("temperature")
    if temperature is not None and temperature != 1:
        raise Invalid(
            f"Unsupported value: 'temperature' does not support {temperature} with this "
            "model. Only the default (1) value is supported.",
            "temperature",
            "unsupported_value",
        )
    for name in REASONING_REFUSES:
        if body.get(name) is not None:
            raise unsupported(name)


def _check_response_format(fmt: object) -> None:
    if fmt is None:
        return
    kinds = ("json_object", "json_schema", "text")
    kind = fmt.get("type") if isinstance(fmt, dict) else None
    if kind not in kinds:
        raise Invalid(
            f"Invalid value: '{kind}'. Supported values are: {quoted_list(kinds)}.",
            "response_format.type",
            "invalid_value",
        )
    if kind != "json_schema":
        return
    spec = fmt.get("json_schema")
    if not isinstance(spec, dict):
        raise Invalid(
            "Missing required parameter: 'response_format.json_schema'.",
            "response_format.json_schema",
            "missing_required_parameter",
        )
    check_named_schema(spec, "response_format.json_schema", "response_format", "response_format")


def _check_tools(body: dict) -> None:
    tools = body.get("tools")
    for index, tool in dicts(tools):
        at = f"tools[{index}]"
        kind = tool.get("type")
        if kind not in ("function", "custom"):
            raise Invalid(
                f"Invalid value: '{kind}'. Supported values are: 'function' and 'custom'.",
                f"{at}.type",
                "invalid_value",
            )
        function = tool.get(kind) if isinstance(tool.get(kind), dict) else {}
        check_function(function, f"{at}.{kind}")
    choice = body.get("tool_choice")
    if choice is None:
        return
    if not tools:
        raise Invalid(
            "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are "
            "specified.",
            "tool_choice",
        )
    if isinstance(choice, str) and choice not in TOOL_CHOICES:
        raise Invalid(
            f"Invalid value: '{choice}'. Supported values are: {quoted_list(TOOL_CHOICES)}.",
            "tool_choice",
            "invalid_value",
        )
