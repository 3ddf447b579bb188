"""The Gemini vocabulary every part of the format shares.

Field access (SDKs send camelCase or snake_case; the gateway writes camelCase), usage, finish
reasons and the error shape. The conventions are described in the package docstring.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from ...errors import InvalidRequestError
from ..canonical import StopReason, Usage

_ERRORS = frozenset({"MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS"})
_FINISH_OF_STOP = {"max_tokens": "MAX_TOKENS", "refusal": "SAFETY", "error": "OTHER"}
_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    409: "ABORTED",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


# ---------------------------------------------------------------------------------------------
# Request vocabulary (read by request_parse, written back by request_build)

EXTRA_PREFIX = "gemini."
MAPPED_FIELDS = frozenset(
    {"contents", "systemInstruction", "tools", "toolConfig", "generationConfig"}
)
# extra keys this format gives a meaning of its own (never copied back as body fields)
INTERNAL_EXTRA_KEYS = frozenset(
    {
        *MAPPED_FIELDS,
        "model",
        "functionIds",
        "parametersJsonSchema",
        "responseJsonSchema",
        "thinkingConfig",
    }
)


# ---------------------------------------------------------------------------------------------
# Field access: SDKs send camelCase or snake_case; we emit camelCase.


@lru_cache(maxsize=256)
def snake(camel: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", camel).lower()


@lru_cache(maxsize=256)
def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def field(obj: Any, name: str) -> Any:
    """obj[name] under its camelCase `name` or its snake_case spelling; None when absent."""
    if not isinstance(obj, dict):
        return None
    if name in obj:
        return obj[name]
    return obj.get(snake(name))


def camel_keys(obj: dict) -> dict:
    """A copy with the top-level keys in camelCase (values untouched)."""
    return {camel(key) if isinstance(key, str) else key: value for key, value in obj.items()}


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def invalid(message: str, param: str) -> InvalidRequestError:
    return InvalidRequestError(message, param=param)


def optional_str(obj: dict, name: str, path: str) -> str | None:
    value = field(obj, name)
    if value is not None and not isinstance(value, str):
        raise invalid(f"'{path}.{name}' must be a string", f"{path}.{name}")
    return value


# ---------------------------------------------------------------------------------------------
# Usage, finish reasons, errors


def _count(meta: dict, name: str) -> int:
    value = field(meta, name)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def usage_from_metadata(meta: Any) -> Usage | None:
    """usageMetadata → Usage: input = prompt (+ tool-use prompt; cached included), output =
    candidates + thoughts, reasoning = thoughts, cache_read = cachedContent."""
    if not isinstance(meta, dict):
        return None
    thoughts = _count(meta, "thoughtsTokenCount")
    return Usage(
        input_tokens=_count(meta, "promptTokenCount") + _count(meta, "toolUsePromptTokenCount"),
        output_tokens=_count(meta, "candidatesTokenCount") + thoughts,
        cache_read_tokens=_count(meta, "cachedContentTokenCount"),
        reasoning_tokens=thoughts,
    )


def usage_to_metadata(usage: Usage) -> dict:
    """Usage → usageMetadata; zero cached/thought counts are left out."""
    reasoning = min(usage.reasoning_tokens, usage.output_tokens)
    meta = {
        "promptTokenCount": usage.input_tokens,
        "candidatesTokenCount": usage.output_tokens - reasoning,
        "totalTokenCount": usage.input_tokens + usage.output_tokens,
    }
    if usage.cache_read_tokens:
        meta["cachedContentTokenCount"] = usage.cache_read_tokens
    if reasoning:
        meta["thoughtsTokenCount"] = reasoning
    return meta


def stop_reason_of(finish: Any, has_calls: bool) -> StopReason:
    """STOP (or none) → end_turn, or tool_use with function calls; MAX_TOKENS → max_tokens;
    MALFORMED_FUNCTION_CALL & co → error; SAFETY, RECITATION, OTHER… and unknown → refusal."""
    if not isinstance(finish, str) or finish in ("", "STOP", "FINISH_REASON_UNSPECIFIED"):
        return "tool_use" if has_calls else "end_turn"
    if finish == "MAX_TOKENS":
        return "max_tokens"
    if finish in _ERRORS:
        return "error"
    return "refusal"


def finish_reason_of(stop: StopReason | None) -> str:
    """Canonical stop reason → finishReason (end_turn, tool_use, stop_sequence… → STOP)."""
    return _FINISH_OF_STOP.get(stop or "", "STOP")


def status_name(status: int) -> str:
    return _STATUS_NAMES.get(status) or ("INTERNAL" if status >= 500 else "INVALID_ARGUMENT")


def error_payload(status: int, message: str, param: str | None = None) -> dict:
    """{"error": {"code", "message", "status"}} (+ a BadRequest detail naming the field)."""
    error: dict[str, Any] = {"code": status, "message": message, "status": status_name(status)}
    if param:
        violation = {"field": param, "description": message}
        error["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [violation],
            }
        ]
    return {"error": error}
