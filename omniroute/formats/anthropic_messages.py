"""Anthropic Messages API (`POST /v1/messages`) ↔ the canonical model.

Requests (parse_request: wire → canonical, build_request: canonical → wire):
- `system` (a string, or text blocks with cache_control) ↔ Request.system.
- Message content (a string or blocks): text, image (base64 or url source), document (base64,
  url, or a plain-text source ↔ DocumentPart(media_type="text/plain", base64 data)), tool_use,
  tool_result (string or text/image block content, is_error), thinking (+ signature) and
  redacted_thinking map to canonical parts; cache_control rides along where canonical has it.
- A message with role "system" in the middle of the conversation (Claude Code sends them) stays
  in place as Message(role="system"). build_request FOLDS such messages — their text blocks, in
  order, with their cache_control — into the end of the top-level `system`: the Messages API
  only accepts role "system" there under a beta header this module cannot see. Their position
  and any per-message fields (e.g. a per-turn `output_config`) are lost on that hop.
- build_request always sends `max_tokens` (Anthropic requires it): request.max_tokens, or
  DEFAULT_MAX_TOKENS (4096). A thinking budget is kept ≥ 1024 and < max_tokens: the client's
  max_tokens caps the budget (it only grows past 1,024 when it must); without one, max_tokens is
  the budget + 4096, at most 32,000. It drops what Anthropic rejects: empty or whitespace-only
  text blocks, thinking blocks without a signature (e.g. reasoning from another provider), and
  — with thinking on — temperature other than 1, top_k and top_p < 0.95; temperature is
  clamped to [0, 1]. Consecutive messages of one role are merged (tool results from OpenAI
  arrive as separate user messages), tool_result blocks first, and a lone plain text block is
  sent as string content.
- thinking {enabled, budget_tokens} / {adaptive} / {disabled} ↔ Reasoning (budget; adaptive =
  enabled without budget; disabled = enabled False or effort "none"); output_config.effort ↔
  Reasoning.effort (Anthropic "max" ↔ "xhigh", canonical "minimal" → "low"). For another
  format's request (Sonnet 4.5 / Opus 4.5 reject adaptive, older models output_config.effort)
  an effort is sent as {enabled, budget_tokens: canonical.budget_for_effort(effort)} ("medium"'s
  budget when neither effort nor budget is given) and no output_config.effort; adaptive and
  effort go out only when the client itself sent them; output_config.format json_schema ↔
  ResponseFormat; metadata.user_id ↔ Request.user; tool_choice {auto|any|tool|none} ↔
  ToolChoice, disable_parallel_tool_use ↔ ToolChoice.disable_parallel and parallel_tool_calls.

Request.extra keys this module writes, read back only by its own build_request (a same-format
hop restores them; other formats ignore them, so they are dropped across formats):
  anthropic.<field>         any top-level body field with no canonical home, verbatim
                            (context_management, container, service_tier, mcp_servers, …)
  anthropic.metadata        the client's `metadata` object
  anthropic.output_config   the client's `output_config` (effort/format are re-derived)
  anthropic.thinking        the client's `thinking` object, None when it sent none (then no
                            thinking is built even though an effort makes a Reasoning)
  anthropic.server_tools    [[position, tool]]: non-custom tools (web_search_20250305, bash_…)
  anthropic.tool_fields     {tool name: custom-tool fields with no canonical home}
  anthropic.raw_blocks      [[message index, part position, block]]: blocks with no canonical
                            part (server_tool_use, web_search_tool_result, file sources, …)
  anthropic.block_fields    [[message index, part index, part type, fields]]: leftover fields
                            of mapped blocks (citations, document title/context/cache_control,
                            tool_result content holding non-text blocks, …)
  anthropic.message_fields  [[message index, fields]]: leftover fields of messages
  anthropic.message_count   how many messages those positions refer to; positional keys are
                            applied only while the request still has that many messages

Responses: content blocks, stop reasons (1:1 with canonical) and usage (Anthropic input_tokens
excludes cache reads and writes, canonical includes them) convert both ways; server-tool blocks
and citations in a provider's answer are dropped. error_body picks the Anthropic error type from
the status.

Modules: anthropic_request_parse (parse_request), anthropic_request_build (build_request),
anthropic_blocks (content blocks ⇄ parts), anthropic_wire (usage, stop reasons, error types and
the other shared vocabulary), anthropic_validation (checked body fields), anthropic_stream
(StreamDecoder) and anthropic_stream_encoder (StreamEncoder). This module is the format's
interface; everything listed in __all__ is importable from here.
"""

from __future__ import annotations

import json

from ..errors import GatewayError, InvalidRequestError
from .anthropic_blocks import parse_block, response_block
from .anthropic_request_build import DEFAULT_MAX_TOKENS, MIN_THINKING_BUDGET, build_request
from .anthropic_request_parse import parse_request
from .anthropic_stream import StreamDecoder
from .anthropic_stream_encoder import StreamEncoder
from .anthropic_wire import (
    error_payload,
    error_type_for,
    new_message_id,
    stop_reason_from_wire,
    stop_reason_to_wire,
    usage_from_wire,
    usage_to_wire,
)
from .canonical import Part, Response, Usage

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "MIN_THINKING_BUDGET",
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

NAME = "anthropic"


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
    content = [block for part in response.parts if (block := response_block(part))]
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
