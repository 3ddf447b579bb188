"""The top-level shape a request must have in its wire format before it is routed.

A request passed through to a provider of its own format is never fully parsed (that happens
only when translating), so these few checks are what stands between a malformed body and the
provider: the list of turns must be a list of objects. Each failure is a 400 naming the field,
as the full parse would give. OpenAI Chat's are in `openai_chat.peek_request`.

- Anthropic Messages (and count_tokens): `messages`, a non-empty array of objects with a string
  `role`;
- OpenAI Responses: `input`, a string or an array of objects (it may be left out only when the
  conversation lives at the provider: `previous_response_id`, `conversation`, `prompt`);
- Gemini: `contents`, a non-empty array of objects, each with an array of `parts`.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import InvalidRequestError

STATEFUL_RESPONSES = ("previous_response_id", "conversation", "prompt")


def check_envelope(wire_format: str, body: dict) -> None:
    check = ENVELOPE_CHECKS.get(wire_format)
    if check is not None:
        check(body)


def _turns(value: object, name: str, what: str) -> list:
    if not isinstance(value, list) or not value:
        raise InvalidRequestError(f"'{name}' is required and must be {what}", param=name)
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise InvalidRequestError(f"'{name}[{index}]' must be an object", param=name)
    return value


def _anthropic(body: dict) -> None:
    messages = _turns(body.get("messages"), "messages", "a non-empty array of messages")
    for index, message in enumerate(messages):
        if not isinstance(message.get("role"), str):
            where = f"messages[{index}].role"
            raise InvalidRequestError(f"'{where}' must be a string", param=where)


def _responses(body: dict) -> None:
    value = body.get("input")
    if isinstance(value, str) or (value is None and any(map(body.get, STATEFUL_RESPONSES))):
        return
    if isinstance(value, list) and not value:
        return  # an empty input is the provider's to judge
    _turns(value, "input", "a string or an array of items")


def _gemini(body: dict) -> None:
    contents = _turns(body.get("contents"), "contents", "a non-empty array of contents")
    for index, content in enumerate(contents):
        if not isinstance(content.get("parts"), list):
            where = f"contents[{index}].parts"
            raise InvalidRequestError(f"'{where}' must be an array", param=where)


ENVELOPE_CHECKS: dict[str, Callable[[dict], None]] = {
    "anthropic": _anthropic,
    "responses": _responses,
    "gemini": _gemini,
}
