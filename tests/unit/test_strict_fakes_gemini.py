"""The strict fake's Gemini generateContent validator: each rule, one body the real API accepts
and one it refuses with its message (tests.fakes.validation.gemini / gemini_contents /
schemas); the model comes from the URL."""

from __future__ import annotations

from tests.fakes.validation.signatures import issue
from tests.unit.strict_cases import Case, cases_test, with_

HI = {"role": "user", "parts": [{"text": "hi"}]}
BASE = {"contents": [HI]}
SIGNED = issue("gemini", 4)


def body(**changes) -> dict:
    return with_(BASE, **changes)


def call(signature: object = None, name: str = "f") -> dict:
    part: dict = {"functionCall": {"name": name, "args": {}}}
    if signature is not None:
        part["thoughtSignature"] = signature
    return part


def response(name: str = "f") -> dict:
    return {"functionResponse": {"name": name, "response": {"output": "sunny"}}}


def model_turn(*parts) -> dict:
    return {"role": "model", "parts": list(parts)}


def user_turn(*parts) -> dict:
    return {"role": "user", "parts": list(parts)}


def loop(*calls) -> list[dict]:
    """The question, the model's call turn, the function response turn."""
    return [HI, model_turn(*calls), user_turn(*[response() for _ in calls])]


def declared(**declaration) -> dict:
    return body(tools=[{"functionDeclarations": [{"name": "f", **declaration}]}])


def g(good: dict, bad: dict, says: str, model: str = "gemini-2.5-flash") -> Case:
    return Case("gemini", good, bad, says, model=model)


UPPER = {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}}
LOWER = {"type": "object", "properties": {"a": {"type": "string"}}}

CASES = {
    "an unknown top-level field is refused": g(
        body(generation_config={"temperature": 0.5}),
        body(temperature=0.5),
        'Invalid JSON payload received. Unknown name "temperature": Cannot find field.',
    ),
    "generationConfig holds known fields only": g(
        body(generationConfig={"topP": 0.9, "max_output_tokens": 64}),
        body(generationConfig={"reasoning_effort": "high"}),
        "Unknown name \"reasoning_effort\" at 'generation_config': Cannot find field.",
    ),
    "contents are required": g(body(), body(contents=[]), "contents is not specified"),
    "roles are user or model": g(
        body(contents=[HI, model_turn({"text": "hello"})]),
        body(contents=[HI, {"role": "assistant", "parts": [{"text": "hello"}]}]),
        "Please use a valid role: user, model.",
    ),
    "parts are not empty": g(
        body(), body(contents=[{"role": "user", "parts": []}]), "contents.parts must not be empty"
    ),
    "a part holds one data field": g(
        body(contents=[user_turn({"text": "x", "thought": True})]),
        body(contents=[user_turn({"thought": True})]),
        "required oneof field 'data' must have one initialized field",
    ),
    "a part holds no two data fields": g(
        body(contents=[HI, model_turn({"text": "x"}, call())]),
        body(contents=[HI, model_turn({"text": "x", **call()})]),
        "oneof field 'data' is already set. Cannot set 'functionCall'",
    ),
    "a part holds known fields only": g(
        body(contents=[user_turn({"text": "x", "thought_signature": SIGNED})]),
        body(contents=[user_turn({"text": "x", "cache_control": {}})]),
        "Unknown name \"cache_control\" at 'contents[0].parts[0]'",
    ),
    "a function call turn follows a user turn": g(
        body(contents=loop(call())),
        body(contents=[model_turn(call()), user_turn(response())]),
        "Please ensure that function call turn comes immediately after a user turn or after a "
        "function response turn.",
    ),
    "a function response turn follows a call turn": g(
        body(contents=loop(call())),
        body(contents=[HI, model_turn({"text": "ok"}), user_turn(response())]),
        "Please ensure that function response turn comes immediately after a function call turn.",
    ),
    "as many responses as calls": g(
        body(contents=loop(call(), call(name="g"))),
        body(contents=[HI, model_turn(call(), call(name="g")), user_turn(response())]),
        "Please ensure that the number of function response parts is equal to the number of "
        "function call parts of the function call turn.",
    ),
    "a thought signature is this fake's Gemini one": g(
        body(contents=loop(call(SIGNED))),
        body(contents=loop(call(issue("anthropic", 4)))),
        "Corrupted thought signature.",
    ),
    "the documented dummy signature is accepted": g(
        body(contents=loop(call("skip_thought_signature_validator"))),
        body(contents=loop(call("fake-signature"))),
        "Corrupted thought signature.",
    ),
    "Gemini 3: the current turn's first call carries a signature": g(
        body(contents=[*loop(call()), user_turn({"text": "next"}), *loop(call(SIGNED))[1:]]),
        body(
            contents=loop(call(), call(SIGNED, name="g"))[:2]
            + [user_turn(response(), response("g"))]
        ),
        "Function call is missing a thought_signature in functionCall parts. This is required "
        "for tools to work correctly, and missing thought_signature may lead to degraded model "
        "performance. Additional data, function call `default_api:f` , position 2.",
        model="gemini-3-flash-preview",
    ),
    "thinkingLevel is refused on Gemini 2.5": g(
        body(generationConfig={"thinkingConfig": {"thinkingBudget": 1024}}),
        body(generationConfig={"thinkingConfig": {"thinkingLevel": "HIGH"}}),
        "Thinking level is not supported for this model.",
    ),
    "MINIMAL is refused on Gemini 3 Pro": g(
        body(generationConfig={"thinkingConfig": {"thinkingLevel": "low"}}),
        body(generationConfig={"thinkingConfig": {"thinkingLevel": "MINIMAL"}}),
        "Thinking level MINIMAL is not supported for this model.",
        model="gemini-3-pro-preview",
    ),
    "Gemini 2.5 Pro cannot stop thinking": g(
        body(generationConfig={"thinkingConfig": {"thinkingBudget": -1}}),
        body(generationConfig={"thinkingConfig": {"thinkingBudget": 0}}),
        "Budget 0 is invalid. This model only works in thinking mode.",
        model="gemini-2.5-pro",
    ),
    "thinkingBudget within the family's range": g(
        body(generationConfig={"thinkingConfig": {"thinkingBudget": 0}}),
        body(generationConfig={"thinkingConfig": {"thinkingBudget": 30000}}),
        "thinking_budget is out of range; supported values are integers from 1 to 24576.",
    ),
    "Flash-Lite's budget starts at 512": g(
        body(generationConfig={"thinkingConfig": {"thinkingBudget": 512}}),
        body(generationConfig={"thinkingConfig": {"thinkingBudget": 100}}),
        "integers from 512 to 24576",
        model="gemini-2.5-flash-lite",
    ),
    "parameters are Gemini Schema: no additionalProperties": g(
        declared(parameters={"type": "object", "properties": {"a": {"type": "STRING"}}}),
        declared(parameters={"type": "object", "additionalProperties": False}),
        'Invalid JSON payload received. Unknown name "additionalProperties" at '
        "'tools[0].function_declarations[0].parameters': Cannot find field.",
    ),
    "parameters are Gemini Schema: no $schema or $ref": g(
        declared(parameters={"type": "OBJECT", "properties": {"a": {"type": "string"}}}),
        declared(parameters={"type": "object", "properties": {"a": {"$ref": "#/$defs/a"}}}),
        'Unknown name "$ref" at '
        "'tools[0].function_declarations[0].parameters.properties[0].value'",
    ),
    "parametersJsonSchema is JSON Schema": g(
        declared(parametersJsonSchema={**LOWER, "additionalProperties": False}),
        declared(parametersJsonSchema=UPPER),
        "function_declarations[0].parameters_json_schema",
    ),
    "a function name is valid": g(
        declared(name="mcp__server.tool"),
        declared(name="9lives"),
        "Invalid function name. Must start with a letter or an underscore.",
    ),
    "responseSchema is Gemini Schema": g(
        body(generationConfig={"responseMimeType": "application/json", "responseSchema": UPPER}),
        body(generationConfig={"responseSchema": {**UPPER, "additionalProperties": False}}),
        "at 'generation_config.response_schema': Cannot find field.",
    ),
    "responseJsonSchema is JSON Schema": g(
        body(
            generationConfig={"responseMimeType": "application/json", "responseJsonSchema": LOWER}
        ),
        body(
            generationConfig={"responseMimeType": "application/json", "responseJsonSchema": UPPER}
        ),
        "generation_config.response_json_schema",
    ),
    "functionCallingConfig mode is known": g(
        body(toolConfig={"functionCallingConfig": {"mode": "ANY"}}),
        body(toolConfig={"functionCallingConfig": {"mode": "REQUIRED"}}),
        "tool_config.function_calling_config.mode",
    ),
}

test_the_real_api_accepts_it, test_the_real_api_refuses_it = cases_test(CASES)
