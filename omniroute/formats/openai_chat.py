"""OpenAI Chat Completions: request validation, usage extraction and the error shape."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..errors import GatewayError, InvalidRequestError
from .sse import encode_event

DONE_EVENT = b"data: [DONE]\n\n"


@dataclass
class ChatRequest:
    """A validated chat request: the parsed body plus what routing and streaming need."""

    body: dict
    model: str
    stream: bool
    client_wants_usage: bool


def parse_request(raw: bytes) -> ChatRequest:
    """Parse and check a Chat Completions body; a bad body raises InvalidRequestError (400)."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequestError(f"request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise InvalidRequestError("request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise InvalidRequestError("'model' is required and must be a string", param="model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise InvalidRequestError(
            "'messages' is required and must be a non-empty array", param="messages"
        )
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise InvalidRequestError(
                f"messages[{index}] must be an object with a 'role'", param=f"messages[{index}]"
            )
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise InvalidRequestError("'stream' must be a boolean", param="stream")
    options = body.get("stream_options")
    if options is not None and not isinstance(options, dict):
        raise InvalidRequestError("'stream_options' must be an object", param="stream_options")
    wants_usage = bool(stream and options and options.get("include_usage"))
    return ChatRequest(
        body=body, model=model.strip(), stream=stream, client_wants_usage=wants_usage
    )


def build_upstream_body(request: ChatRequest, model: str, ask_usage: bool) -> bytes:
    """The body sent upstream: the client's, with the provider's model id (and usage asked)."""
    body = dict(request.body)
    body["model"] = model
    if request.stream and ask_usage and not request.client_wants_usage:
        body["stream_options"] = {**(body.get("stream_options") or {}), "include_usage": True}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def usage_tokens(usage: object) -> tuple[int, int] | None:
    """(prompt, completion) tokens from an OpenAI `usage` object."""
    if not isinstance(usage, dict):
        return None
    prompt = usage.get("prompt_tokens") or 0
    completion = usage.get("completion_tokens") or 0
    if not isinstance(prompt, int) or not isinstance(completion, int):
        return None
    return prompt, completion


def error_body(error: GatewayError) -> dict:
    payload = {"message": error.message, "type": error.type, "code": error.code}
    if error.param:
        payload["param"] = error.param
    return {"error": payload}


def error_event(error: GatewayError) -> bytes:
    """An in-band error for a stream that already started, followed by [DONE]."""
    return encode_event(json.dumps(error_body(error))) + DONE_EVENT


def upstream_error_message(raw: bytes) -> tuple[str, str | None, str | None]:
    """(message, type, code) from an upstream error body in OpenAI shape, or its text."""
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        text = raw[:500].decode("utf-8", "replace").strip()
        return text or "no error message", None, None
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict):
        code = error.get("code")
        return (
            str(error.get("message") or "no error message"),
            error.get("type"),
            str(code) if code is not None else None,
        )
    if isinstance(error, str):
        return error, None, None
    if isinstance(payload, dict) and isinstance(payload.get("message"), str):
        return payload["message"], None, None
    return raw[:500].decode("utf-8", "replace"), None, None
