"""The Anthropic Messages vocabulary every part of the format shares.

Usage conversion (Anthropic's `input_tokens` excludes the cached parts, canonical `input_tokens`
includes them), stop reasons, error types and the error payload, effort and tool-choice names,
the `anthropic.*` Request.extra keys with a meaning of their own, compact JSON and message ids.
"""

from __future__ import annotations

import json
from typing import Any

from ...unique_ids import unique_hex
from ..canonical import StopReason, ToolChoiceMode, Usage
from .validation import is_int

# ---------------------------------------------------------------------------------------------
# Errors

_ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    503: "overloaded_error",
    504: "timeout_error",
    529: "overloaded_error",
}
_STATUS_OF_TYPE: dict[str, int] = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}


def error_type_for(status: int) -> str:
    """Anthropic's error type for an HTTP status (other 4xx: invalid_request_error)."""
    if status in _ERROR_TYPES:
        return _ERROR_TYPES[status]
    return "invalid_request_error" if 400 <= status < 500 else "api_error"


def status_for_type(error_type: object) -> int:
    return _STATUS_OF_TYPE.get(error_type, 500) if isinstance(error_type, str) else 500


def error_payload(error_type: str, message: str) -> dict:
    return {"type": "error", "error": {"type": error_type, "message": message}}


# ---------------------------------------------------------------------------------------------
# Stop reasons and usage

_STOP_REASONS: frozenset[StopReason] = frozenset(
    {"end_turn", "max_tokens", "stop_sequence", "tool_use", "refusal", "pause_turn"}
)


def stop_reason_from_wire(value: object) -> StopReason | None:
    """Anthropic's stop reasons are the canonical ones; newer ones map to their nearest."""
    if value is None:
        return None
    if isinstance(value, str) and value in _STOP_REASONS:
        return value
    return "max_tokens" if value == "model_context_window_exceeded" else "end_turn"


def stop_reason_to_wire(value: StopReason | None) -> str:
    """Anthropic has no "error" stop reason: anything it does not know becomes end_turn."""
    return value if value in _STOP_REASONS else "end_turn"


def _count(value: object) -> int:
    return value if is_int(value) and value > 0 else 0


def usage_from_wire(raw: object) -> Usage | None:
    """Anthropic usage → canonical: the cached parts are added back into input_tokens."""
    if not isinstance(raw, dict):
        return None
    read = _count(raw.get("cache_read_input_tokens"))
    write = _count(raw.get("cache_creation_input_tokens"))
    return Usage(
        input_tokens=_count(raw.get("input_tokens")) + read + write,
        output_tokens=_count(raw.get("output_tokens")),
        cache_read_tokens=read,
        cache_write_tokens=write,
    )


def usage_to_wire(usage: Usage | None) -> dict[str, int]:
    """Canonical usage → Anthropic: input_tokens without the cached parts."""
    usage = usage or Usage()
    cached = usage.cache_read_tokens + usage.cache_write_tokens
    return {
        "input_tokens": max(0, usage.input_tokens - cached),
        "cache_creation_input_tokens": usage.cache_write_tokens,
        "cache_read_input_tokens": usage.cache_read_tokens,
        "output_tokens": usage.output_tokens,
    }


# ---------------------------------------------------------------------------------------------
# Request vocabulary (read by request_parse, written back by request_build)

# extra keys this format gives a meaning of its own (never copied back as body fields)
# fmt: off
INTERNAL_EXTRA_KEYS = frozenset((
    "metadata", "output_config", "thinking", "server_tools", "tool_fields", "raw_blocks",
    "block_fields", "message_fields", "message_count",
))
# fmt: on
EFFORT_FROM_WIRE = {"max": "xhigh"}
EFFORT_TO_WIRE = {"minimal": "low"}
WIRE_EFFORTS = frozenset({"low", "medium", "high", "xhigh", "max"})
CHOICE_FROM_WIRE: dict[str, ToolChoiceMode] = {
    "auto": "auto",
    "any": "required",
    "tool": "tool",
    "none": "none",
}
CHOICE_TO_WIRE = {mode: wire for wire, mode in CHOICE_FROM_WIRE.items()}
EMPTY_SCHEMA: dict[str, Any] = {"type": "object", "properties": {}}

# ---------------------------------------------------------------------------------------------
# Serialization


def dumps(value: object) -> str:
    """Compact JSON, non-ASCII kept as is (tool inputs, SSE payloads)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def new_message_id() -> str:
    return f"msg_{unique_hex()[:24]}"
