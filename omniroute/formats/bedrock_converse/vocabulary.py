"""The Converse vocabulary the format's modules share: usage, stop reasons, errors and ids."""

from __future__ import annotations

import json
from typing import Any

from ...unique_ids import unique_hex
from ..canonical import StopReason, Usage

# ---------------------------------------------------------------------------------------------
# Usage: Converse's inputTokens leaves out the tokens read from or written to the prompt cache;
# canonical input_tokens holds them.


def _count(usage: dict, key: str) -> int:
    value = usage.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def usage_from_wire(usage: Any) -> Usage | None:
    if not isinstance(usage, dict):
        return None
    read = _count(usage, "cacheReadInputTokens")
    write = _count(usage, "cacheWriteInputTokens")
    return Usage(
        input_tokens=_count(usage, "inputTokens") + read + write,
        output_tokens=_count(usage, "outputTokens"),
        cache_read_tokens=read,
        cache_write_tokens=write,
    )


def usage_to_wire(usage: Usage | None) -> dict:
    usage = usage or Usage()
    fresh = max(0, usage.input_tokens - usage.cache_read_tokens - usage.cache_write_tokens)
    wire = {
        "inputTokens": fresh,
        "outputTokens": usage.output_tokens,
        "totalTokens": usage.input_tokens + usage.output_tokens,
    }
    if usage.cache_read_tokens:
        wire["cacheReadInputTokens"] = usage.cache_read_tokens
    if usage.cache_write_tokens:
        wire["cacheWriteInputTokens"] = usage.cache_write_tokens
    return wire


# ---------------------------------------------------------------------------------------------
# Stop reasons

_STOP_FROM_WIRE: dict[str, StopReason] = {
    "end_turn": "end_turn",
    "tool_use": "tool_use",
    "max_tokens": "max_tokens",
    "stop_sequence": "stop_sequence",
    "guardrail_intervened": "refusal",
    "content_filtered": "refusal",
    "model_context_window_exceeded": "max_tokens",
}
_STOP_TO_WIRE: dict[str, str] = {
    "end_turn": "end_turn",
    "tool_use": "tool_use",
    "max_tokens": "max_tokens",
    "stop_sequence": "stop_sequence",
    "refusal": "content_filtered",
    "pause_turn": "end_turn",
    "error": "end_turn",
}


def stop_from_wire(reason: Any) -> StopReason | None:
    if not isinstance(reason, str):
        return None
    return _STOP_FROM_WIRE.get(reason, "end_turn")


def stop_to_wire(reason: StopReason | None) -> str:
    return _STOP_TO_WIRE.get(reason or "end_turn", "end_turn")


# ---------------------------------------------------------------------------------------------
# Errors: a body `{"message": …}`; its kind in the x-amzn-ErrorType header (an answer) or the
# :exception-type header (a stream frame).

_EXCEPTION_STATUS: dict[str, int] = {
    "validationException": 400,
    "accessDeniedException": 403,
    "resourceNotFoundException": 404,
    "modelTimeoutException": 408,
    "throttlingException": 429,
    "serviceQuotaExceededException": 429,
    "modelNotReadyException": 429,
    "internalServerException": 500,
    "modelStreamErrorException": 502,
    "serviceUnavailableException": 503,
}
_STATUS_EXCEPTION: dict[int, str] = {
    400: "validationException",
    401: "accessDeniedException",
    403: "accessDeniedException",
    404: "resourceNotFoundException",
    408: "modelTimeoutException",
    429: "throttlingException",
    502: "modelStreamErrorException",
    503: "serviceUnavailableException",
}


def exception_status(kind: str) -> int:
    """The HTTP status a stream's exception frame stands for."""
    return _EXCEPTION_STATUS.get(kind[:1].lower() + kind[1:], 500)


def exception_for_status(status: int) -> str:
    if status in _STATUS_EXCEPTION:
        return _STATUS_EXCEPTION[status]
    return "validationException" if 400 <= status < 500 else "internalServerException"


def error_message(payload: Any) -> str | None:
    """The message of an error body (`message`, or `Message` as some AWS errors spell it)."""
    if isinstance(payload, dict):
        for key in ("message", "Message"):
            if isinstance(payload.get(key), str) and payload[key]:
                return payload[key]
    return None


# ---------------------------------------------------------------------------------------------


def message_id() -> str:
    """Converse answers carry no id: one is made for the canonical answer."""
    return f"msg_bdrk_{unique_hex()[:24]}"


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
