"""OpenAI Responses answers ⇄ canonical Response, their usage, and the format's error shape."""

from __future__ import annotations

import json
import time
from typing import Any

from ...errors import GatewayError
from .. import canonical as c
from .output import (
    output_items,
    parts_of_output,
    response_id,
    response_object,
    stop_reason_of,
    usage_from_wire,
)


def parse_response(body: Any) -> c.Response:
    if not isinstance(body, dict):
        raise GatewayError("the provider's answer is not a Responses object", status=502)
    if isinstance(body.get("error"), dict) and body.get("status") != "completed":
        message = str(body["error"].get("message") or "the provider's response failed")
        raise GatewayError(message, status=502, code=str(body["error"].get("code") or "") or None)
    parts = parts_of_output(body.get("output"))
    has_calls = any(isinstance(part, c.ToolUsePart) for part in parts)
    created = body.get("created_at")
    return c.Response(
        id=str(body.get("id") or ""),
        model=str(body.get("model") or ""),
        parts=tuple(parts),
        stop_reason=stop_reason_of(body, has_calls),
        usage=usage_from_wire(body.get("usage")),
        created=created if isinstance(created, int) and not isinstance(created, bool) else None,
    )


def build_response(response: c.Response) -> dict:
    """The Responses answer; a tool name `<namespace>--<name>` is split back into a namespaced
    call (there is no request here to look the namespace up in)."""
    return response_object(
        response_id(response.id),
        response.model,
        response.created or int(time.time()),
        output_items(response.parts),
        response.usage,
        response.stop_reason,
    )


def usage_of(body: Any) -> c.Usage | None:
    if not isinstance(body, dict):
        return None
    if "usage" not in body and isinstance(body.get("response"), dict):
        body = body["response"]
    return usage_from_wire(body.get("usage"))


def error_body(error: GatewayError) -> dict:
    return {
        "error": {
            "message": error.message,
            "type": error.type,
            "code": error.code,
            "param": error.param,
        }
    }


def parse_error(raw: bytes) -> tuple[str, str | None, str | None]:
    """(message, type, code) of a provider's error: an error body, an `error` stream event or a
    failed response; anything else gives its text."""
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        payload = None
    error = payload if isinstance(payload, dict) and payload.get("type") == "error" else None
    if isinstance(payload, dict) and error is None:
        error = payload.get("error")
        response = payload.get("response")
        if error is None and isinstance(response, dict):
            error = response.get("error")
    if isinstance(error, dict):
        code = error.get("code")
        kind = error.get("type") if error.get("type") != "error" else None
        return (
            str(error.get("message") or "no error message"),
            str(kind) if kind else None,
            str(code) if code is not None else None,
        )
    if isinstance(error, str) and error:
        return error, None, None
    text = raw[:500].decode("utf-8", "replace").strip()
    return text or "no error message", None, None
