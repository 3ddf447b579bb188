"""Gemini answers ⇄ canonical Response, their usage, and the format's error shape."""

from __future__ import annotations

import json
from typing import Any

from ...errors import GatewayError, InvalidRequestError
from ...unique_ids import unique_hex
from ..canonical import Response, ToolUsePart, Usage
from ..signatures import shown_parts
from . import NAME
from .parts import CallIds, build_parts, is_synthetic_id, parse_part
from .vocabulary import (
    error_payload,
    field,
    finish_reason_of,
    stop_reason_of,
    usage_from_metadata,
    usage_to_metadata,
)


def _first_candidate(body: dict) -> dict | None:
    candidates = field(body, "candidates")
    if isinstance(candidates, list) and candidates and isinstance(candidates[0], dict):
        return candidates[0]
    return None


def parse_response(body: dict) -> Response:
    """A generateContent answer → Response (first candidate; malformed pieces are skipped)."""
    body = body if isinstance(body, dict) else {}
    candidate = _first_candidate(body) or {}
    content = field(candidate, "content")
    raw_parts = field(content, "parts")
    ids = CallIds.unique()
    parts = []
    for raw in raw_parts if isinstance(raw_parts, list) else ():
        try:
            parts.extend(parse_part(raw, "part", ids))
        except InvalidRequestError:
            continue
    has_calls = any(isinstance(p, ToolUsePart) for p in parts)
    stop = stop_reason_of(field(candidate, "finishReason"), has_calls)
    if not candidate and field(field(body, "promptFeedback"), "blockReason"):
        stop = "refusal"
    response_id = field(body, "responseId")
    model = field(body, "modelVersion")
    return Response(
        id=response_id if isinstance(response_id, str) and response_id else _new_id(),
        model=model if isinstance(model, str) else "",
        parts=tuple(parts),
        stop_reason=stop,
        usage=usage_of(body),
    )


def _new_id() -> str:
    return f"gemini-{unique_hex()}"


def build_response(response: Response) -> dict:
    """The generateContent answer a Gemini client expects."""
    parts = build_parts(
        shown_parts(response.parts, NAME), {}, lambda call_id: not is_synthetic_id(call_id)
    )
    candidate = {
        "content": {"role": "model", "parts": parts},
        "finishReason": finish_reason_of(response.stop_reason),
        "index": 0,
    }
    body: dict[str, Any] = {"candidates": [candidate]}
    if response.usage is not None:
        body["usageMetadata"] = usage_to_metadata(response.usage)
    if response.model:
        body["modelVersion"] = response.model
    body["responseId"] = response.id
    return body


def usage_of(body: dict) -> Usage | None:
    return usage_from_metadata(field(body, "usageMetadata"))


# ---------------------------------------------------------------------------------------------
# Errors


def error_body(error: GatewayError) -> dict:
    return error_payload(error.status, error.message, error.param)


def parse_error(raw: bytes) -> tuple[str, str | None, str | None]:
    """(message, status such as "RESOURCE_EXHAUSTED", ErrorInfo reason such as
    "API_KEY_INVALID") of a Gemini error body (an object, or a list holding one)."""
    try:
        payload = json.loads(raw)
    except ValueError:
        text = raw[:500].decode("utf-8", "replace").strip()
        return text or "no error message", None, None
    if isinstance(payload, list) and payload:
        payload = payload[0]
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, str):
        return error, None, None
    if not isinstance(error, dict):
        return raw[:500].decode("utf-8", "replace"), None, None
    status = error.get("status")
    reason = None
    details = error.get("details")
    for detail in details if isinstance(details, list) else ():
        if isinstance(detail, dict) and isinstance(detail.get("reason"), str):
            reason = detail["reason"]
            break
    message = error.get("message")
    return (
        message if isinstance(message, str) and message else "no error message",
        status if isinstance(status, str) else None,
        reason,
    )
