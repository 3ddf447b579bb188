"""Gemini generateContent: `contents` (and `systemInstruction`) — roles, parts, function-call
turns and thought signatures.

Rules (SOURCE: Gemini API reference "Content" / "Part", "Function calling" and "Thought
signatures" guides, and the API's messages as reported verbatim; each is 400 INVALID_ARGUMENT):
- `contents` is present and non-empty ("* GenerateContentRequest.contents: contents is not
  specified"); a content's role is "user" or "model" ("Please use a valid role: user, model.")
  and its parts are non-empty ("… contents.parts must not be empty.").
- A content and a part carry only their own fields, in either spelling (camelCase or the proto
  snake_case: `Invalid JSON payload received. Unknown name "id" at 'contents[1].parts[0]':
  Cannot find field.`); a part holds exactly one data field — text, inlineData, fileData,
  functionCall, functionResponse, executableCode or codeExecutionResult ("… parts[0].data:
  required oneof field 'data' must have one initialized field"; "Invalid value at
  'contents[1].parts[0]' (oneof), oneof field 'data' is already set. Cannot set
  'functionCall'"); a functionCall / functionResponse has a name.
- A function call turn follows a user turn or a function response turn ("Please ensure that
  function call turn comes immediately after a user turn or after a function response
  turn."); a function response turn comes right after a function call turn ("Please ensure
  that function response turn comes immediately after a function call turn.") with as many
  response parts as the call turn has call parts ("Please ensure that the number of function
  response parts is equal to the number of function call parts of the function call turn.").
- A thoughtSignature is one the Gemini dialect of this fake issued, or a documented dummy
  (`skip_thought_signature_validator`) — never another provider's ("Corrupted thought
  signature.").
- Gemini 3 models: in the current turn (the model turns after the last user turn that is not
  function responses), the first functionCall part of each step carries a thoughtSignature
  ("Function call is missing a thought_signature in functionCall parts. … Additional data,
  function call `default_api:NAME` , position N. …").
"""

from __future__ import annotations

import json

from tests.fakes.validation import families
from tests.fakes.validation.common import Invalid, dicts
from tests.fakes.validation.schemas import camel, snake
from tests.fakes.validation.signatures import GEMINI_DUMMY_SIGNATURES, issued_by

DATA_FIELDS = ("text", "inlineData", "fileData", "functionCall", "functionResponse",
               "executableCode", "codeExecutionResult")  # fmt: skip
PART_FIELDS = frozenset(
    DATA_FIELDS + ("thought", "thoughtSignature", "videoMetadata", "partMetadata",
                   "mediaResolution")
)  # fmt: skip
NESTED_FIELDS = {
    "functionCall": frozenset({"name", "args", "id"}),
    "functionResponse": frozenset(
        {"name", "response", "id", "willContinue", "scheduling", "parts"}
    ),
    "inlineData": frozenset({"mimeType", "data"}),
    "fileData": frozenset({"mimeType", "fileUri"}),
}
SIGNATURES_GUIDE = "https://ai.google.dev/gemini-api/docs/thought-signatures"


def unknown(name: str, at: str = "") -> Invalid:
    where = f" at '{at}'" if at else ""
    return Invalid(
        f'Invalid JSON payload received. Unknown name "{name}"{where}: Cannot find field.'
    )


def request_error(at: str, why: str) -> Invalid:
    return Invalid(f"* GenerateContentRequest.{at}: {why}\n")


def check_fields(value: dict, allowed: frozenset[str], at: str) -> None:
    """Refuse a key that is no field of the message at `at` (either spelling accepted)."""
    for key in value:
        if camel(key) not in allowed:
            raise unknown(key, at)


def get(value: dict, name: str) -> object:
    """A proto field by its JSON name, whichever spelling the request used."""
    return value.get(name, value.get(snake(name)))


def check_contents(contents: object, model: str) -> None:
    if not isinstance(contents, list) or not contents:
        raise request_error("contents", "contents is not specified")
    for index, content in enumerate(contents):
        check_content(content, f"contents[{index}]", roles=True)
    for index in range(len(contents)):
        _check_turn_order(contents, index)
    for part in _all_parts(contents):
        signature = get(part, "thoughtSignature")
        if signature is not None and not _gemini_signature(signature):
            raise Invalid("Corrupted thought signature.")
    if families.gemini_3(model):
        _check_current_turn_signatures(contents)


def _gemini_signature(signature: object) -> bool:
    dummy = isinstance(signature, str) and signature in GEMINI_DUMMY_SIGNATURES
    return dummy or issued_by("gemini", signature)


def check_content(content: object, at: str, roles: bool) -> None:
    if not isinstance(content, dict):
        raise Invalid(f"Invalid value at '{at}' (type.googleapis.com/google.ai."
                      f"generativelanguage.v1beta.Content), {json.dumps(content)}")  # fmt: skip
    check_fields(content, frozenset({"role", "parts"}), at)
    if roles and content.get("role", "user") not in ("user", "model"):
        raise Invalid("Please use a valid role: user, model.")
    parts = content.get("parts")
    if not isinstance(parts, list) or not parts:
        raise request_error(f"{at}.parts", "contents.parts must not be empty.")
    for position, part in enumerate(parts):
        _check_part(part, f"{at}.parts[{position}]")


def _check_part(part: object, at: str) -> None:
    if not isinstance(part, dict):
        raise Invalid(f"Invalid value at '{at}' (type.googleapis.com/google.ai."
                      f"generativelanguage.v1beta.Part), {json.dumps(part)}")  # fmt: skip
    check_fields(part, PART_FIELDS, at)
    data = [camel(key) for key in part if camel(key) in DATA_FIELDS]
    if not data:
        raise request_error(
            f"{at}.data", "required oneof field 'data' must have one initialized field"
        )
    if len(data) > 1:
        raise Invalid(
            f"Invalid value at '{at}' (oneof), oneof field 'data' is already set. Cannot set "
            f"'{data[1]}'"
        )
    field = data[0]
    nested = get(part, field)
    if field in NESTED_FIELDS and isinstance(nested, dict):
        check_fields(nested, NESTED_FIELDS[field], f"{at}.{snake(field)}")
        if field in ("functionCall", "functionResponse") and not nested.get("name"):
            raise request_error(f"{at}.{snake(field)}.name", "Name cannot be empty.")


def _parts(content: dict) -> list[dict]:
    return [part for _, part in dicts(content.get("parts"))]


def _count(content: dict, field: str) -> int:
    return sum(1 for part in _parts(content) if get(part, field) is not None)


def _all_parts(contents: list) -> list[dict]:
    return [part for _, content in dicts(contents) for part in _parts(content)]


def _check_turn_order(contents: list, index: int) -> None:
    content = contents[index]
    previous = contents[index - 1] if index else None
    after_user = previous is not None and previous.get("role", "user") == "user"
    if _count(content, "functionCall") and not after_user:
        raise Invalid(
            "Please ensure that function call turn comes immediately after a user turn or "
            "after a function response turn."
        )
    responses = _count(content, "functionResponse")
    if not responses:
        return
    calls = _count(previous, "functionCall") if previous is not None else 0
    if not calls or previous.get("role") != "model":
        raise Invalid(
            "Please ensure that function response turn comes immediately after a function call "
            "turn."
        )
    if responses != calls:
        raise Invalid(
            "Please ensure that the number of function response parts is equal to the number of "
            "function call parts of the function call turn."
        )


def _check_current_turn_signatures(contents: list) -> None:
    start = 0
    for index, content in enumerate(contents):
        standard = any(get(p, "functionResponse") is None for p in _parts(content))
        if content.get("role", "user") == "user" and standard:
            start = index + 1
    for index in range(start, len(contents)):
        calls = [p for p in _parts(contents[index]) if get(p, "functionCall") is not None]
        if calls and not get(calls[0], "thoughtSignature"):
            name = get(calls[0], "functionCall").get("name")
            raise Invalid(
                "Function call is missing a thought_signature in functionCall parts. This is "
                "required for tools to work correctly, and missing thought_signature may lead "
                "to degraded model performance. Additional data, function call "
                f"`default_api:{name}` , position {index + 1}. Please refer to "
                f"{SIGNATURES_GUIDE} for more details."
            )
