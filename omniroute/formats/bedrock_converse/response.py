"""Converse answers ⇄ canonical Responses, usage, and Bedrock's error shape."""

from __future__ import annotations

import json
from typing import Any

from ...errors import GatewayError, UpstreamError
from ..canonical import Response
from .blocks import blocks_from_parts, parts_from_blocks
from .vocabulary import (
    error_message,
    message_id,
    stop_from_wire,
    stop_to_wire,
    usage_from_wire,
    usage_to_wire,
)


def parse_response(payload: Any) -> Response:
    """A Converse answer as a canonical Response (an UpstreamError for another shape)."""
    output = payload.get("output") if isinstance(payload, dict) else None
    message = output.get("message") if isinstance(output, dict) else None
    if not isinstance(message, dict):
        raise UpstreamError("Bedrock answered without output.message", provider="bedrock")
    return Response(
        id=message_id(),
        model="",
        parts=tuple(parts_from_blocks(message.get("content", []), "output.message.content")),
        stop_reason=stop_from_wire(payload.get("stopReason")) or "end_turn",
        usage=usage_from_wire(payload.get("usage")),
    )


def build_response(response: Response) -> dict:
    blocks, _ = blocks_from_parts(response.parts)
    return {
        "output": {"message": {"role": "assistant", "content": blocks}},
        "stopReason": stop_to_wire(response.stop_reason),
        "usage": usage_to_wire(response.usage),
        "metrics": {"latencyMs": 0},
    }


def usage_of(payload: Any) -> Any:
    return usage_from_wire(payload.get("usage")) if isinstance(payload, dict) else None


def error_body(error: GatewayError) -> dict:
    return {"message": error.message}


def parse_error(raw: bytes) -> tuple[str, str | None, str | None]:
    """(message, type, code) of a Bedrock error body (`{"message": …}`: the kind is in a
    header, so it is not known here)."""
    try:
        payload = json.loads(raw)
    except ValueError:
        text = raw[:500].decode("utf-8", "replace").strip()
        return text or "no error message", None, None
    message = error_message(payload)
    if message is None:
        return raw[:500].decode("utf-8", "replace"), None, None
    kind = payload.get("__type") if isinstance(payload.get("__type"), str) else None
    return message, kind, None
