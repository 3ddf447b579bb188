"""OpenAI Responses output items ⇄ canonical parts, usage, stop reasons and the response object.

Shared by response.py (answers; input items have the same shapes), the stream decoder and
the stream encoder.

Conventions (see also canonical.py):

- A `reasoning` item is a ThinkingPart: `text` is its summary texts joined with a blank line
  (`"\\n\\n"`; the raw `reasoning_text` content of open-weight models when there is no
  summary), `encrypted` its `encrypted_content`, `id` its "rs_…" id. In a stream the
  encrypted_content (known only at `response.output_item.done`) travels as
  `BlockDelta(signature=…)` just before the thinking block's BlockStop, on a block whose
  BlockStart ThinkingPart carries the item's id.
- Thinking from other formats reaches a Responses client as a reasoning item too, its opaque
  data wrapped in `encrypted_content` with the name of its issuer (formats/signatures.py), so
  the client's next request gives it back to the provider that issued it: an Anthropic thinking
  or Gemini thought signature, Anthropic redacted thinking. A reasoning item's own
  encrypted_content and id are this format's (origin "responses"). Parts the gateway's code made
  without an origin use the markers of old: `omniroute:signature:<s>` ⇄ ThinkingPart.signature
  (in a stream: the signature deltas of a thinking block whose BlockStart has no id),
  `omniroute:redacted:<data>` ⇄ RedactedThinkingPart; read back, their issuer is unknown.
- `message` items → TextParts (`output_text` and `refusal` parts; annotations and logprobs are
  dropped); `function_call` items → ToolUsePart(id=call_id), named `<namespace>--<name>` when
  the call has a namespace (see tools.py). Other item types (web_search_call, …) have no
  canonical form and are dropped with a log line.
- Ids the canonical model cannot carry are made up: "resp_…" (from the provider's id when it
  has one), "msg_…", "rs_…", and "fc_…" derived from the call id.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from ...unique_ids import unique_hex
from .. import canonical as c
from ..signatures import UNKNOWN, is_foreign, opaque_value, part_of, unwrap, wrap
from . import NAME
from .tools import flat_tool_name, split_tool_name

log = logging.getLogger("omniroute.formats.responses")  # the format's one logger

SUMMARY_JOIN = "\n\n"
SIGNATURE_PREFIX = "omniroute:signature:"
REDACTED_PREFIX = "omniroute:redacted:"
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,200}$")

# ---------------------------------------------------------------------------------------------
# Ids, usage, stop reasons


def nonempty_str(value: Any) -> str | None:
    """`value` when it is a non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def new_id(prefix: str) -> str:
    return f"{prefix}_{unique_hex()}"


def response_id(source: str | None) -> str:
    if source and source.startswith("resp_"):
        return source
    if source and _ID_RE.match(source):
        return f"resp_{source}"
    return new_id("resp")


def call_item_id(call_id: str) -> str:
    """A stable "fc_…" item id for a call id (the canonical model keeps only the call id)."""
    return "fc_" + (call_id[5:] if call_id.startswith("call_") else call_id)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def usage_from_wire(usage: Any) -> c.Usage | None:
    if not isinstance(usage, dict):
        return None
    inputs = usage.get("input_tokens_details")
    inputs = inputs if isinstance(inputs, dict) else {}
    outputs = usage.get("output_tokens_details")
    return c.Usage(
        input_tokens=_int(usage.get("input_tokens")),
        output_tokens=_int(usage.get("output_tokens")),
        cache_read_tokens=_int(inputs.get("cached_tokens")),
        cache_write_tokens=_int(inputs.get("cache_write_tokens")),
        reasoning_tokens=_int(outputs.get("reasoning_tokens")) if isinstance(outputs, dict) else 0,
    )


def usage_to_wire(usage: c.Usage | None) -> dict | None:
    if usage is None:
        return None
    return {
        "input_tokens": usage.input_tokens,
        "input_tokens_details": {
            "cached_tokens": usage.cache_read_tokens,
            "cache_write_tokens": usage.cache_write_tokens,
        },
        "output_tokens": usage.output_tokens,
        "output_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
        "total_tokens": usage.total_tokens,
    }


def stop_reason_of(response: dict, has_tool_calls: bool) -> c.StopReason:
    status = response.get("status")
    details = response.get("incomplete_details")
    reason = details.get("reason") if isinstance(details, dict) else None
    if status == "failed":
        return "error"
    if status == "incomplete" or reason:
        return "refusal" if reason == "content_filter" else "max_tokens"
    return "tool_use" if has_tool_calls else "end_turn"


def _status_of(stop_reason: str | None) -> tuple[str, dict | None]:
    """(status, incomplete_details) of the response object for a canonical stop reason."""
    if stop_reason == "max_tokens":
        return "incomplete", {"reason": "max_output_tokens"}
    if stop_reason == "refusal":
        return "incomplete", {"reason": "content_filter"}
    if stop_reason == "error":
        return "failed", None
    return "completed", None


# ---------------------------------------------------------------------------------------------
# Output items ⇄ parts


def thinking_of(item: dict) -> c.ThinkingPart | c.RedactedThinkingPart:
    """A reasoning item as a ThinkingPart (summary texts, else reasoning_text content), or what
    another format's thinking was before it was wrapped in one (see the module docstring)."""
    texts = _texts(item.get("summary"), "summary_text") or _texts(
        item.get("content"), "reasoning_text"
    )
    encrypted = nonempty_str(item.get("encrypted_content"))
    item_id = nonempty_str(item.get("id"))
    text = SUMMARY_JOIN.join(texts)
    if encrypted and encrypted.startswith(REDACTED_PREFIX):
        return c.RedactedThinkingPart(encrypted[len(REDACTED_PREFIX) :], origin=UNKNOWN)
    if encrypted and encrypted.startswith(SIGNATURE_PREFIX):
        signature = encrypted[len(SIGNATURE_PREFIX) :]
        return c.ThinkingPart(text, signature=signature, id=item_id, origin=UNKNOWN)
    origin, value = unwrap(encrypted, NAME) if encrypted else (NAME, "")
    if origin != NAME:
        return part_of(origin or UNKNOWN, value, text)
    own = NAME if encrypted or item_id else None
    return c.ThinkingPart(text, encrypted=encrypted, id=item_id, origin=own)


def encrypted_content_of(part: c.ThinkingPart | c.RedactedThinkingPart) -> str | None:
    """What goes into a reasoning item's `encrypted_content` for a thinking part: this format's
    own as it is, another format's wrapped (see the module docstring)."""
    if is_foreign(part, NAME):
        value = opaque_value(part)
        return wrap(part.origin or UNKNOWN, value) if value else None
    if isinstance(part, c.RedactedThinkingPart):
        return REDACTED_PREFIX + part.data
    if part.encrypted:
        return part.encrypted
    return SIGNATURE_PREFIX + part.signature if part.signature else None


def _texts(parts: Any, kind: str) -> list[str]:
    if not isinstance(parts, list):
        return []
    return [
        p["text"]
        for p in parts
        if isinstance(p, dict) and p.get("type", kind) == kind and isinstance(p.get("text"), str)
    ]


def message_texts(item: dict) -> list[str]:
    """Texts of a message output item: output_text parts and refusals."""
    return [text for _, text in content_texts(item)]


def content_texts(item: dict) -> list[tuple[int, str]]:
    """(content index, text) of a message item's output_text and refusal parts."""
    content = item.get("content")
    texts = []
    for position, part in enumerate(content if isinstance(content, list) else []):
        if not isinstance(part, dict):
            continue
        if part.get("type") == "refusal" and isinstance(part.get("refusal"), str):
            texts.append((position, part["refusal"]))
        elif isinstance(part.get("text"), str):
            texts.append((position, part["text"]))
    return texts


def tool_use_of(item: dict) -> c.ToolUsePart:
    arguments = item.get("arguments")
    if not isinstance(arguments, str):
        arguments = "{}" if arguments is None else json.dumps(arguments, ensure_ascii=False)
    return c.ToolUsePart(
        id=str(item.get("call_id") or item.get("id") or ""),
        name=flat_tool_name(item.get("namespace"), str(item.get("name") or "")),
        arguments=arguments,
    )


def parts_of_output(output: Any) -> list[c.Part]:
    """Canonical parts of a response's `output` list (a refusal becomes plain text)."""
    parts: list[c.Part] = []
    for item in output if isinstance(output, list) else []:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind == "message":
            parts.extend(c.TextPart(text) for text in message_texts(item))
        elif kind == "function_call":
            parts.append(tool_use_of(item))
        elif kind == "reasoning":
            parts.append(thinking_of(item))
        else:
            log.info("responses: dropping output item of type %r (no canonical form)", kind)
    return parts


def message_item(item_id: str, texts: list[str], status: str = "completed") -> dict:
    return {
        "id": item_id,
        "type": "message",
        "status": status,
        "role": "assistant",
        "content": [output_text_part(text) for text in texts],
    }


def output_text_part(text: str) -> dict:
    return {"type": "output_text", "text": text, "annotations": []}


def summary_text_part(text: str) -> dict:
    return {"type": "summary_text", "text": text}


def function_call_item(
    part: c.ToolUsePart, namespaced: dict | None, status: str = "completed"
) -> dict:
    namespace, name = split_tool_name(part.name, namespaced)
    item = {
        "id": call_item_id(part.id),
        "type": "function_call",
        "status": status,
        "arguments": part.arguments,
        "call_id": part.id,
        "name": name,
    }
    if namespace:
        item["namespace"] = namespace
    return item


def reasoning_item(item_id: str, text: str, encrypted: str | None) -> dict:
    item: dict[str, Any] = {
        "id": item_id,
        "type": "reasoning",
        "summary": [summary_text_part(text)] if text else [],
    }
    if encrypted:
        item["encrypted_content"] = encrypted
    return item


def output_items(parts: tuple[c.Part, ...], namespaced: dict | None = None) -> list[dict]:
    """Output items for canonical parts: consecutive texts share one message item."""
    items: list[dict] = []
    texts: list[str] = []
    for part in parts:
        if isinstance(part, c.TextPart):
            texts.append(part.text)
            continue
        if texts:
            items.append(message_item(new_id("msg"), texts))
            texts = []
        if isinstance(part, c.ToolUsePart):
            items.append(function_call_item(part, namespaced))
        elif isinstance(part, c.ThinkingPart):
            items.append(
                reasoning_item(part.id or new_id("rs"), part.text, encrypted_content_of(part))
            )
        elif isinstance(part, c.RedactedThinkingPart):
            items.append(reasoning_item(new_id("rs"), "", encrypted_content_of(part)))
    if texts:
        items.append(message_item(new_id("msg"), texts))
    return items


def response_object(
    rid: str,
    model: str,
    created: int,
    output: list[dict],
    usage: c.Usage | None,
    stop_reason: str | None,
    **extra: Any,
) -> dict:
    """A response object with the fields clients require (tools are not echoed back)."""
    status, incomplete = _status_of(stop_reason)
    body = {
        "id": rid,
        "object": "response",
        "created_at": created,
        "status": status,
        "error": None,
        "incomplete_details": incomplete,
        "model": model,
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": usage_to_wire(usage),
    }
    if status == "failed":
        body["error"] = {"code": "server_error", "message": "the model stopped with an error"}
    body.update(extra)
    return body
