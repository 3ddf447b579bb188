"""Anthropic content blocks ⇄ canonical parts.

parse_block: a block of a request or an answer → (part, the block's fields the part lacks), or
(None, {}) for a block with no canonical part (server_tool_use, web_search_tool_result, file
sources, …), which the caller keeps raw. A plain-text document source becomes
DocumentPart(media_type="text/plain", base64 data); tool_result content (a string, or text and
image blocks) becomes the part's items.

request_block / response_block: a part → a block, or None for what Anthropic would reject (empty
text, in a request a thinking block without a signature). A text/* document goes back as a
plain-text source; an image or document `data:` URL as a base64 source.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from ..canonical import (
    DocumentPart,
    ImagePart,
    Part,
    RedactedThinkingPart,
    TextPart,
    ThinkingPart,
    ToolResultPart,
    ToolUsePart,
)
from . import NAME
from .validation import (
    cache_control_of,
    checked_field,
    fail,
    is_bool,
    is_dict,
    is_str,
)
from .vocabulary import dumps

# ---------------------------------------------------------------------------------------------
# Content blocks → parts. Each parser returns (part or None when kept raw, the keys it consumed).

_Parsed = tuple[Part | None, frozenset[str]]


def text_part(block: dict, path: str) -> TextPart:
    text = checked_field(block, "text", is_str, "a string", path, required=True)
    return TextPart(text, cache_control=cache_control_of(block, path))


def _parse_text(block: dict, path: str) -> _Parsed:
    return text_part(block, path), frozenset({"type", "text", "cache_control"})


def _parse_image(block: dict, path: str) -> _Parsed:
    source = checked_field(block, "source", is_dict, "an object", path, required=True)
    where, kind = f"{path}.source", source.get("type")
    cache = cache_control_of(block, path)
    if kind == "base64":
        media = checked_field(source, "media_type", is_str, "a string", where, required=True)
        data = checked_field(source, "data", is_str, "a string", where, required=True)
        part = ImagePart(media_type=media, data=data, cache_control=cache)
    elif kind == "url":
        url = checked_field(source, "url", is_str, "a string", where, required=True)
        part = ImagePart(url=url, cache_control=cache)
    else:
        return None, frozenset()
    return part, frozenset({"type", "source", "cache_control"})


def _parse_document(block: dict, path: str) -> _Parsed:
    source = checked_field(block, "source", is_dict, "an object", path, required=True)
    where, kind = f"{path}.source", source.get("type")
    title = checked_field(block, "title", is_str, "a string", path)
    if kind in ("base64", "text"):
        data = checked_field(source, "data", is_str, "a string", where, required=True)
        if kind == "text":
            media, data = "text/plain", base64.b64encode(data.encode("utf-8")).decode("ascii")
        else:
            media = checked_field(source, "media_type", is_str, "a string", where, required=True)
        part = DocumentPart(media_type=media, data=data, name=title)
    elif kind == "url":
        url = checked_field(source, "url", is_str, "a string", where, required=True)
        part = DocumentPart(url=url, name=title)
    else:
        return None, frozenset()
    return part, frozenset({"type", "source", "title"})


def _parse_tool_use(block: dict, path: str) -> _Parsed:
    ident = checked_field(block, "id", is_str, "a string", path, required=True)
    name = checked_field(block, "name", is_str, "a string", path, required=True)
    value = checked_field(block, "input", is_dict, "an object", path)
    arguments = dumps(value or {})
    part = ToolUsePart(ident, name, arguments, cache_control=cache_control_of(block, path))
    return part, frozenset({"type", "id", "name", "input", "cache_control"})


def _parse_tool_result(block: dict, path: str) -> _Parsed:
    tool_use_id = checked_field(block, "tool_use_id", is_str, "a string", path, required=True)
    is_error = checked_field(block, "is_error", is_bool, "a boolean", path)
    content, consumed = block.get("content"), {"type", "tool_use_id", "is_error", "cache_control"}
    items: tuple[TextPart | ImagePart, ...] = ()
    if isinstance(content, str):
        items, complete = (TextPart(content),), True
    elif isinstance(content, list):
        items, complete = _result_items(content, f"{path}.content")
    elif content is None:
        complete = True
    else:
        fail(f"'{path}.content' must be a string or an array", f"{path}.content")
    if complete:  # otherwise the original content travels in anthropic.block_fields
        consumed.add("content")
    cache = cache_control_of(block, path)
    part = ToolResultPart(tool_use_id, items, bool(is_error), cache_control=cache)
    return part, frozenset(consumed)


def _result_items(content: list, path: str) -> tuple[tuple[TextPart | ImagePart, ...], bool]:
    """(text and image items, whether that is all of them) of a tool_result's block content."""
    items: list[TextPart | ImagePart] = []
    complete = True
    for index, item in enumerate(content):
        where = f"{path}[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            fail(f"'{where}' must be a content block object with a 'type'", where)
        if item["type"] == "text":
            items.append(text_part(item, where))
            continue
        image = _parse_image(item, where)[0] if item["type"] == "image" else None
        if isinstance(image, ImagePart):
            items.append(image)
        else:
            complete = False
    return tuple(items), complete


def _parse_thinking(block: dict, path: str) -> _Parsed:
    text = checked_field(block, "thinking", is_str, "a string", path, required=True)
    signature = checked_field(block, "signature", is_str, "a string", path)
    consumed = frozenset({"type", "thinking", "signature"})
    return ThinkingPart(text, signature, origin=NAME if signature else None), consumed


def _parse_redacted(block: dict, path: str) -> _Parsed:
    data = checked_field(block, "data", is_str, "a string", path, required=True)
    return RedactedThinkingPart(data, origin=NAME), frozenset({"type", "data"})


_BLOCK_PARSERS: dict[str, Callable[[dict, str], _Parsed]] = {
    "text": _parse_text,
    "image": _parse_image,
    "document": _parse_document,
    "tool_use": _parse_tool_use,
    "tool_result": _parse_tool_result,
    "thinking": _parse_thinking,
    "redacted_thinking": _parse_redacted,
}


def parse_block(block: object, path: str) -> tuple[Part | None, dict]:
    """(canonical part or None if the block has none, the block's fields the part lacks)."""
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        fail(f"'{path}' must be a content block object with a 'type'", path)
    parser = _BLOCK_PARSERS.get(block["type"])
    part, consumed = parser(block, path) if parser else (None, frozenset())
    if part is None:
        return None, {}
    return part, {key: value for key, value in block.items() if key not in consumed}


# ---------------------------------------------------------------------------------------------
# Parts → content blocks


def with_cache(block: dict, cache_control: dict | None) -> dict:
    if cache_control is not None:
        block["cache_control"] = cache_control
    return block


def text_block(part: TextPart) -> dict:
    return with_cache({"type": "text", "text": part.text}, part.cache_control)


def _source(media_type: str, data: str | None, url: str | None) -> dict | None:
    if data is not None:
        return {"type": "base64", "media_type": media_type, "data": data}
    if url and url.startswith("data:") and ";base64," in url:
        head, payload = url[5:].split(";base64,", 1)
        return {"type": "base64", "media_type": head or media_type, "data": payload}
    return {"type": "url", "url": url} if url else None


def _image_block(part: ImagePart) -> dict | None:
    source = _source(part.media_type or "image/png", part.data, part.url)
    return with_cache({"type": "image", "source": source}, part.cache_control) if source else None


def _document_block(part: DocumentPart) -> dict | None:
    media = part.media_type or "application/pdf"
    source = _source(media, part.data, part.url)
    if source and media.startswith("text/") and part.data is not None:
        try:
            text = base64.b64decode(part.data, validate=True).decode("utf-8")
            source = {"type": "text", "media_type": "text/plain", "data": text}
        except ValueError:
            pass  # not base64 text after all: send it as the base64 source built above
    if source is None:
        return None
    block: dict[str, Any] = {"type": "document", "source": source}
    if part.name:
        block["title"] = part.name
    return block


def _tool_use_block(part: ToolUsePart, cache: bool = True) -> dict:
    block = {"type": "tool_use", "id": part.id, "name": part.name, "input": part.input}
    return with_cache(block, part.cache_control if cache else None)


def _tool_result_block(part: ToolResultPart) -> dict:
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": part.tool_use_id}
    items = part.content
    if len(items) == 1 and isinstance(items[0], TextPart) and items[0].cache_control is None:
        block["content"] = items[0].text
    elif items:
        blocks = [
            text_block(item) if isinstance(item, TextPart) else _image_block(item)
            for item in items
            if not isinstance(item, TextPart) or item.text
        ]
        block["content"] = [b for b in blocks if b is not None]
    if part.is_error:
        block["is_error"] = True
    return with_cache(block, part.cache_control)


def request_block(part: Part) -> dict | None:
    """A part as a request content block; None for what Anthropic would reject (text that is
    empty or only whitespace, e.g. the "\n\n" some models put beside their tool calls)."""
    if isinstance(part, TextPart):
        return text_block(part) if part.text.strip() else None
    if isinstance(part, ImagePart):
        return _image_block(part)
    if isinstance(part, DocumentPart):
        return _document_block(part)
    if isinstance(part, ToolUsePart):
        return _tool_use_block(part)
    if isinstance(part, ToolResultPart):
        return _tool_result_block(part)
    if isinstance(part, ThinkingPart):
        if not part.signature:
            return None
        return {"type": "thinking", "thinking": part.text, "signature": part.signature}
    if isinstance(part, RedactedThinkingPart):
        return {"type": "redacted_thinking", "data": part.data}
    return None


def response_block(part: Part) -> dict | None:
    """A part as an assistant answer block (thinking without a signature is still shown)."""
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text} if part.text else None
    if isinstance(part, ThinkingPart):
        if not part.text and not part.signature:
            return None
        return {"type": "thinking", "thinking": part.text, "signature": part.signature or ""}
    if isinstance(part, ToolUsePart):
        return _tool_use_block(part, cache=False)
    if isinstance(part, RedactedThinkingPart):
        return {"type": "redacted_thinking", "data": part.data}
    return None
