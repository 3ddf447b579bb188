"""Chat Completions answers ⇄ canonical Response, their usage, and the format's error shape."""

from __future__ import annotations

import json
import time
from typing import Any

from ...errors import GatewayError
from .. import canonical as c
from .parts import (
    FINISH_TO_STOP,
    STOP_TO_FINISH,
    assistant_message,
    parse_message_parts,
    usage_json,
    usage_of,
)


def parse_response(body: Any) -> c.Response:
    choices = body.get("choices") if isinstance(body, dict) else None
    choice = choices[0] if isinstance(choices, list) and choices else {}
    message = choice.get("message") or {}
    parts = parse_message_parts({"role": "assistant", **message}, 0)
    return c.Response(
        id=str(body.get("id") or "chatcmpl"),
        model=str(body.get("model") or ""),
        parts=parts,
        stop_reason=FINISH_TO_STOP.get(choice.get("finish_reason") or "", "end_turn"),
        usage=usage_of(body),
        created=body.get("created") if isinstance(body.get("created"), int) else None,
    )


def build_response(response: c.Response) -> dict:
    message = assistant_message(response.parts)
    message.setdefault("content", None)
    body: dict[str, Any] = {
        "id": response.id if response.id.startswith("chatcmpl") else f"chatcmpl-{response.id}",
        "object": "chat.completion",
        "created": response.created or int(time.time()),
        "model": response.model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": STOP_TO_FINISH.get(response.stop_reason or "", "stop"),
            }
        ],
    }
    if response.usage is not None:
        body["usage"] = usage_json(response.usage)
    return body


# -- errors --------------------------------------------------------------------------------------


def error_body(error: GatewayError) -> dict:
    payload = {"message": error.message, "type": error.type, "code": error.code}
    if error.param:
        payload["param"] = error.param
    return {"error": payload}


def parse_error(raw: bytes) -> tuple[str, str | None, str | None]:
    """(message, type, code) from an upstream error body in OpenAI shape, or its text."""
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        text = raw[:500].decode("utf-8", "replace").strip()
        return text or "no error message", None, None
    if isinstance(payload, list) and payload:
        payload = payload[0]
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict):
        code = error.get("code")
        kind = error.get("type") or error.get("status")
        return (
            str(error.get("message") or "no error message"),
            kind if isinstance(kind, str) else None,
            str(code) if code is not None else None,
        )
    if isinstance(error, str):
        return error, None, None
    if isinstance(payload, dict) and isinstance(payload.get("message"), str):
        return payload["message"], None, None
    return raw[:500].decode("utf-8", "replace"), None, None
