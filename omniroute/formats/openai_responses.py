"""OpenAI Responses API (`POST /v1/responses`) ⇄ the canonical model.

This module is the format's interface (parse_request, build_request, parse_response,
build_response, usage_of, error_body, parse_error, StreamDecoder, StreamEncoder); the work is
split by concept:

- responses_fields: the top-level fields this format maps, checked access to field values;
- responses_input: `instructions` and `input` items → system parts and messages;
- responses_tools: tools and tool_choice, and the flattening of `namespace` tools;
- responses_request_build: build_request;
- responses_output: output items ⇄ parts, usage, stop reasons, the response object;
- responses_stream_decoder / responses_stream_encoder: the SSE stream, both ways.

What the canonical model cannot hold is kept in `Request.extra` and read back by build_request:

- `responses.<key>`: every top-level field not mapped (store, include, prompt_cache_key,
  client_metadata, previous_response_id, metadata, truncation, service_tier…), sent back as is;
- `responses.text.<key>`: `text` options besides the format (verbosity), and
  `responses.text.format.description`;
- `responses.tools.original` / `responses.tools.digest`: the client's tool list, reused verbatim
  while the canonical tools are unchanged; `responses.tools.namespaced` ({flat name: [namespace,
  name]}) and `responses.tools.namespaces` ({namespace: description});
- `responses.tool_choice.raw`: a tool_choice with no canonical form (allowed_tools, hosted…);
- `responses.input.system_layout`: where the system parts came from ([source, part count, item
  id], source "instructions" or a message role); `responses.input.item_ids`: the input items' ids
  ("call:<call_id>" → "fc_…", "output:<call_id>" → its id, "msg:<digest>:<n>" → "msg_…").

Every module of the format logs to this module's logger, "omniroute.formats.openai_responses".
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Any

from ..errors import GatewayError, InvalidRequestError
from . import canonical as c
from .responses_fields import (
    HANDLED_FIELDS,
    invalid_field,
    number_field,
    optional_str,
    positive_int_field,
    typed_field,
)
from .responses_input import parse_input
from .responses_output import (
    output_items,
    parts_of_output,
    response_id,
    response_object,
    stop_reason_of,
    usage_from_wire,
)
from .responses_request_build import build_request
from .responses_stream_decoder import StreamDecoder
from .responses_stream_encoder import StreamEncoder
from .responses_tools import parse_tool_choice, parse_tools

__all__ = [
    "NAME",
    "StreamDecoder",
    "StreamEncoder",
    "build_request",
    "build_response",
    "error_body",
    "parse_error",
    "parse_request",
    "parse_response",
    "usage_of",
]

NAME = "responses"

# ---------------------------------------------------------------------------------------------
# parse_request


def parse_request(body: Any) -> c.Request:
    if not isinstance(body, dict):
        raise InvalidRequestError("request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise invalid_field("'model' is required and must be a string", "model")
    extra: dict[str, Any] = {
        f"responses.{key}": value
        for key, value in body.items()
        if key not in HANDLED_FIELDS and "." not in key  # dotted keys are this format's own
    }
    tools = parse_tools(body.get("tools"), extra)
    system, messages = parse_input(body, extra)
    stream = typed_field(body, "stream", bool, "a boolean")
    parallel = typed_field(body, "parallel_tool_calls", bool, "a boolean")
    choice = parse_tool_choice(body.get("tool_choice"), extra)
    if choice is not None and parallel is not None:
        choice = replace(choice, disable_parallel=not parallel)
    return c.Request(
        model=model.strip(),
        messages=messages,
        system=system,
        tools=tools,
        tool_choice=choice,
        max_tokens=positive_int_field(body, "max_output_tokens"),
        temperature=number_field(body, "temperature"),
        top_p=number_field(body, "top_p"),
        stream=bool(stream),
        include_usage=bool(stream),
        reasoning=_parse_reasoning(body.get("reasoning")),
        response_format=_parse_text(body.get("text"), extra),
        parallel_tool_calls=parallel,
        user=typed_field(body, "user", str, "a string"),
        extra=extra,
    )


def _parse_reasoning(raw: Any) -> c.Reasoning | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise invalid_field("'reasoning' must be an object", "reasoning")
    effort = optional_str(raw.get("effort"), "reasoning.effort")
    summary = raw.get("summary", raw.get("generate_summary"))
    summary = optional_str(summary, "reasoning.summary")
    return c.Reasoning(effort=effort, summary=summary, enabled=effort != "none")


def _parse_text(raw: Any, extra: dict) -> c.ResponseFormat | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise invalid_field("'text' must be an object", "text")
    for key, value in raw.items():
        if key != "format":
            extra[f"responses.text.{key}"] = value
    fmt = raw.get("format")
    if fmt is None:
        return None
    kind = fmt.get("type") if isinstance(fmt, dict) else None
    if kind not in ("text", "json_object", "json_schema"):
        raise invalid_field(
            "'text.format.type' must be text, json_object or json_schema", "text.format"
        )
    schema, strict = fmt.get("schema"), fmt.get("strict")
    if schema is not None and not isinstance(schema, dict):
        raise invalid_field("'text.format.schema' must be an object", "text.format.schema")
    if strict is not None and not isinstance(strict, bool):
        raise invalid_field("'text.format.strict' must be a boolean", "text.format.strict")
    if isinstance(fmt.get("description"), str):
        extra["responses.text.format.description"] = fmt["description"]
    name = optional_str(fmt.get("name"), "text.format.name")
    return c.ResponseFormat(kind=kind, schema=schema, name=name, strict=strict)


# ---------------------------------------------------------------------------------------------
# Answers, usage, errors


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
