"""Gemini generateContent (`models/{model}:generateContent` / `:streamGenerateContent`): the
request's fields; the model comes from the URL. Contents are checked in `gemini_contents`.

Rules (SOURCE: Gemini API reference "GenerateContentRequest", "GenerationConfig",
"ThinkingConfig", "Tool", "FunctionDeclaration", "ToolConfig"; "Thinking" and "Structured
output" guides; the API's messages as reported verbatim; each is 400 INVALID_ARGUMENT):
- Every object carries only its own fields, in camelCase or proto snake_case (`Invalid JSON
  payload received. Unknown name "temperature": Cannot find field.`; inside generationConfig:
  `… Unknown name "reasoning_effort" at 'generation_config': Cannot find field.`).
- thinkingConfig: thinkingLevel (MINIMAL, LOW, MEDIUM, HIGH) is refused on Gemini 2.5 ("Thinking
  level is not supported for this model."), MINIMAL on Gemini 3 Pro ("Thinking level MINIMAL is
  not supported for this model."); thinkingBudget is -1 or within the family's range
  (`families.gemini_budget`; "Budget 0 is invalid. This model only works in thinking mode.",
  "thinking_budget is out of range; supported values are integers from 128 to 32768.").
- responseSchema is Gemini Schema, responseJsonSchema is JSON Schema (`schemas`).
- A function declaration's name starts with a letter or underscore and has at most 64 of
  a-z A-Z 0-9 _ . : - ("… Invalid function name. Must start with a letter or an underscore.
  Must be a-z, A-Z, 0-9, or contain underscores, dots, colons and dashes, with a maximum length
  of 64."); its `parameters` are Gemini Schema and its `parametersJsonSchema` JSON Schema.
- toolConfig.functionCallingConfig.mode is AUTO, ANY, NONE or VALIDATED.
"""

from __future__ import annotations

import json
import re

from tests.fakes.recording import Recorded
from tests.fakes.validation import families
from tests.fakes.validation.common import Invalid, dicts, is_integer
from tests.fakes.validation.gemini_contents import (
    check_content,
    check_contents,
    check_fields,
    get,
    request_error,
)
from tests.fakes.validation.schemas import check_gemini_schema, json_schema_error

REQUEST_FIELDS = frozenset(
    {"model", "contents", "tools", "toolConfig", "safetySettings", "systemInstruction",
     "generationConfig", "cachedContent"}
)  # fmt: skip
GENERATION_FIELDS = frozenset(
    {"stopSequences", "responseMimeType", "responseSchema", "responseJsonSchema",
     "_responseJsonSchema", "responseJsonSchemaOrdered", "responseModalities", "candidateCount",
     "maxOutputTokens", "temperature", "topP", "topK", "seed", "presencePenalty",
     "frequencyPenalty", "responseLogprobs", "logprobs", "enableEnhancedCivicAnswers",
     "speechConfig", "thinkingConfig", "imageConfig", "mediaResolution"}
)  # fmt: skip
THINKING_FIELDS = frozenset({"includeThoughts", "thinkingBudget", "thinkingLevel"})
LEVELS = ("THINKING_LEVEL_UNSPECIFIED", "MINIMAL", "LOW", "MEDIUM", "HIGH")
TOOL_FIELDS = frozenset(
    {"functionDeclarations", "googleSearchRetrieval", "codeExecution", "googleSearch",
     "computerUse", "urlContext", "fileSearch", "googleMaps"}
)  # fmt: skip
DECLARATION_FIELDS = frozenset(
    {"name", "description", "behavior", "parameters", "parametersJsonSchema", "response",
     "responseJsonSchema"}
)  # fmt: skip
FUNCTION_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$")
MODES = ("MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED")


def validate(request: Recorded) -> None:
    body = request.body
    if not isinstance(body, dict):
        raise Invalid("Invalid JSON payload received. Unexpected token.")
    model = request.route.model or ""
    check_fields(body, REQUEST_FIELDS, "")
    config = get(body, "generationConfig")
    if config is not None:
        _check_generation(config, model)
    for index, tool in enumerate(get(body, "tools") or []):
        _check_tool(tool, f"tools[{index}]")
    _check_tool_config(get(body, "toolConfig"))
    system = get(body, "systemInstruction")
    if system is not None:
        check_content(system, "system_instruction", roles=False)
    check_contents(get(body, "contents"), model)


def _check_generation(config: object, model: str) -> None:
    if not isinstance(config, dict):
        raise Invalid(f"Invalid value at 'generation_config', {json.dumps(config)}")
    check_fields(config, GENERATION_FIELDS, "generation_config")
    thinking = get(config, "thinkingConfig")
    if isinstance(thinking, dict):
        _check_thinking(thinking, model)
    schema = get(config, "responseSchema")
    if schema is not None:
        check_gemini_schema(schema, "generation_config.response_schema")
    for name in ("responseJsonSchema", "_responseJsonSchema"):
        value = get(config, name)
        why = json_schema_error(value) if value is not None else None
        if why is not None:
            raise request_error("generation_config.response_json_schema", why)


def _check_thinking(thinking: dict, model: str) -> None:
    at = "generation_config.thinking_config"
    check_fields(thinking, THINKING_FIELDS, at)
    level = get(thinking, "thinkingLevel")
    if level is not None:
        if not isinstance(level, str) or level.upper() not in LEVELS:
            raise Invalid(
                f"Invalid value at '{at}.thinking_level' (type.googleapis.com/google.ai."
                f"generativelanguage.v1beta.ThinkingConfig.ThinkingLevel), {json.dumps(level)}"
            )
        if families.gemini_2_5(model):
            raise Invalid("Thinking level is not supported for this model.")
        if families.gemini_3(model) and "pro" in model and level.upper() == "MINIMAL":
            raise Invalid("Thinking level MINIMAL is not supported for this model.")
    budget = get(thinking, "thinkingBudget")
    limits = families.gemini_budget(model)
    if budget is None or limits is None or budget == -1:
        return
    (low, high), zero = limits
    if is_integer(budget) and budget == 0 and not zero:
        raise Invalid("Budget 0 is invalid. This model only works in thinking mode.")
    if not is_integer(budget) or not (budget == 0 or low <= budget <= high):
        raise Invalid(
            f"thinking_budget is out of range; supported values are integers from {low} to {high}."
        )


def _check_tool(tool: object, at: str) -> None:
    if not isinstance(tool, dict):
        raise Invalid(f"Invalid value at '{at}', {json.dumps(tool)}")
    check_fields(tool, TOOL_FIELDS, at)
    for index, declaration in dicts(get(tool, "functionDeclarations")):
        where = f"{at}.function_declarations[{index}]"
        check_fields(declaration, DECLARATION_FIELDS, where)
        name = declaration.get("name")
        if not isinstance(name, str) or not FUNCTION_NAME.match(name):
            raise request_error(
                f"{where}.name",
                "Invalid function name. Must start with a letter or an underscore. Must be "
                "a-z, A-Z, 0-9, or contain underscores, dots, colons and dashes, with a "
                "maximum length of 64.",
            )
        parameters = get(declaration, "parameters")
        if parameters is not None:
            check_gemini_schema(parameters, f"{where}.parameters")
        json_schema = get(declaration, "parametersJsonSchema")
        why = json_schema_error(json_schema) if json_schema is not None else None
        if why is not None:
            raise request_error(f"{where}.parameters_json_schema", why)


def _check_tool_config(config: object) -> None:
    if not isinstance(config, dict):
        return
    check_fields(config, frozenset({"functionCallingConfig", "retrievalConfig"}), "tool_config")
    calling = get(config, "functionCallingConfig")
    if not isinstance(calling, dict):
        return
    at = "tool_config.function_calling_config"
    check_fields(calling, frozenset({"mode", "allowedFunctionNames"}), at)
    mode = calling.get("mode")
    if mode is not None and (not isinstance(mode, str) or mode.upper() not in MODES):
        raise Invalid(
            f"Invalid value at '{at}.mode' (type.googleapis.com/google.ai.generativelanguage."
            f"v1beta.FunctionCallingConfig.Mode), {json.dumps(mode)}"
        )
