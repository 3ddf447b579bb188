"""Anthropic answers ⇄ canonical Response, their usage, and the format's error shape.

Content blocks, stop reasons (1:1 with canonical) and usage convert both ways; server-tool blocks
and citations in a provider's answer are dropped. error_body picks the Anthropic error type from
the status.
"""

from __future__ import annotations

import json

from ...errors import GatewayError, InvalidRequestError
from ..canonical import Part, Response, Usage
from ..signatures import shown_parts
from . import NAME
from .blocks import parse_block, response_block
from .vocabulary import (
    error_payload,
    error_type_for,
    new_message_id,
    stop_reason_from_wire,
    stop_reason_to_wire,
    usage_from_wire,
    usage_to_wire,
)


def parse_response(body: dict) -> Response:
    """A provider's non-streamed Anthropic message → canonical Response."""
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, list):
        raise GatewayError("the provider's answer is not an Anthropic message", status=502)
    parts: list[Part] = []
    for index, block in enumerate(content):
        try:
            part, _ = parse_block(block, f"content[{index}]")
        except InvalidRequestError:
            continue  # a malformed block in an answer is skipped, not a client error
        if part is not None:
            parts.append(part)
    sequence, ident, model = body.get("stop_sequence"), body.get("id"), body.get("model")
    return Response(
        id=ident if isinstance(ident, str) else "",
        model=model if isinstance(model, str) else "",
        parts=tuple(parts),
        stop_reason=stop_reason_from_wire(body.get("stop_reason")),
        stop_sequence=sequence if isinstance(sequence, str) else None,
        usage=usage_from_wire(body.get("usage")),
    )


def build_response(response: Response) -> dict:
    """A canonical Response → the message an Anthropic client expects."""
    parts = shown_parts(response.parts, NAME)
    content = [block for part in parts if (block := response_block(part))]
    return {
        "id": response.id or new_message_id(),
        "type": "message",
        "role": "assistant",
        "model": response.model,
        "content": content,
        "stop_reason": stop_reason_to_wire(response.stop_reason),
        "stop_sequence": response.stop_sequence,
        "usage": usage_to_wire(response.usage),
    }


def usage_of(body: dict) -> Usage | None:
    return usage_from_wire(body.get("usage")) if isinstance(body, dict) else None


def error_body(error: GatewayError) -> dict:
    """{"type": "error", "error": {type, message}}, the type chosen by error.status (a 5xx keeps
    an upstream overloaded_error / timeout_error type, which clients retry on)."""
    kind = error_type_for(error.status)
    if error.status >= 500 and error.type in ("overloaded_error", "timeout_error"):
        kind = error.type
    return error_payload(kind, error.message)


def parse_error(raw: bytes) -> tuple[str, str | None, str | None]:
    """(message, type, code) of a provider's error body; Anthropic errors have no code."""
    try:
        payload = json.loads(raw)
    except ValueError:
        text = raw[:500].decode("utf-8", "replace").strip()
        return text or "no error message", None, None
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict):
        message, kind = error.get("message"), error.get("type")
        return (
            message if isinstance(message, str) and message else "no error message",
            kind if isinstance(kind, str) else None,
            None,
        )
    if isinstance(error, str):
        return error, None, None
    if isinstance(payload, dict) and isinstance(payload.get("message"), str):
        return payload["message"], None, None
    return raw[:500].decode("utf-8", "replace"), None, None
