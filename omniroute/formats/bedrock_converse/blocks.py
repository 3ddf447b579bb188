"""Converse content blocks ⇄ canonical parts.

A Converse block is an object with one key naming its kind (text, image, document, toolUse,
toolResult, reasoningContent, cachePoint). Reading, a cachePoint becomes the cache_control of
the part before it; writing, a part with cache_control is followed by a cachePoint. Blobs
(image and document bytes, redacted reasoning) travel as base64 text, as in AWS's JSON protocol.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from ...errors import InvalidRequestError
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
from .vocabulary import compact

IMAGE_FORMATS = ("png", "jpeg", "gif", "webp")
DOCUMENT_FORMATS = {
    "application/pdf": "pdf",
    "text/csv": "csv",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "text/html": "html",
    "text/plain": "txt",
    "text/markdown": "md",
}
_MEDIA_OF_DOCUMENT = {fmt: media for media, fmt in DOCUMENT_FORMATS.items()}
CACHE_POINT = {"cachePoint": {"type": "default"}}
CACHEABLE = (TextPart, ImagePart, ToolUsePart, ToolResultPart)  # the parts with cache_control
_EPHEMERAL = {"type": "ephemeral"}
# a document's name: letters, digits, single spaces, hyphens, parentheses and square brackets
_NAME_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9\-()\[\] ]+")


def _bad(path: str, rule: str) -> InvalidRequestError:
    return InvalidRequestError(f"'{path}' {rule}", param=path)


def _kind(block: Any, path: str) -> tuple[str, Any]:
    if not isinstance(block, dict) or len(block) != 1:
        raise _bad(path, "must be an object with exactly one member (text, image, toolUse, …)")
    ((kind, value),) = block.items()
    return kind, value


# ---------------------------------------------------------------------------------------------
# Reading


def parts_from_blocks(blocks: Any, path: str) -> list[Part]:
    """The parts of a message's (or the system's) content list."""
    if not isinstance(blocks, list):
        raise _bad(path, "must be a list of content blocks")
    parts: list[Part] = []
    for index, block in enumerate(blocks):
        kind, value = _kind(block, f"{path}[{index}]")
        if kind == "cachePoint":
            if parts and isinstance(parts[-1], CACHEABLE):
                parts[-1] = replace(parts[-1], cache_control=dict(_EPHEMERAL))
            continue
        part = part_from_block(kind, value, f"{path}[{index}].{kind}")
        if part is not None:
            parts.append(part)
    return parts


def part_from_block(kind: str, value: Any, path: str) -> Part | None:
    """One block's part (None for a kind canonical has no part for: it is dropped)."""
    if kind == "text":
        if not isinstance(value, str):
            raise _bad(path, "must be a string")
        return TextPart(value)
    if not isinstance(value, dict):
        raise _bad(path, "must be an object")
    if kind == "image":
        return ImagePart(media_type=f"image/{value.get('format', 'png')}", data=_bytes(value))
    if kind == "document":
        media = _MEDIA_OF_DOCUMENT.get(str(value.get("format")), "application/octet-stream")
        return DocumentPart(media_type=media, data=_bytes(value), name=value.get("name"))
    if kind == "toolUse":
        return ToolUsePart(
            id=str(value.get("toolUseId", "")),
            name=str(value.get("name", "")),
            arguments=compact(value.get("input", {})),
        )
    if kind == "toolResult":
        return _tool_result(value, path)
    if kind == "reasoningContent":
        return _reasoning(value)
    return None


def _bytes(value: dict) -> str | None:
    source = value.get("source")
    data = source.get("bytes") if isinstance(source, dict) else None
    return data if isinstance(data, str) else None


def _tool_result(value: dict, path: str) -> ToolResultPart:
    content: list[TextPart | ImagePart] = []
    items = value.get("content", [])
    for index, item in enumerate(items if isinstance(items, list) else []):
        kind, inner = _kind(item, f"{path}.content[{index}]")
        if kind == "text" and isinstance(inner, str):
            content.append(TextPart(inner))
        elif kind == "json":
            content.append(TextPart(compact(inner)))
        elif kind == "image" and isinstance(inner, dict):
            content.append(ImagePart(media_type=f"image/{inner.get('format')}", data=_bytes(inner)))
    return ToolResultPart(
        tool_use_id=str(value.get("toolUseId", "")),
        content=tuple(content),
        is_error=value.get("status") == "error",
    )


def _reasoning(value: dict) -> ThinkingPart | RedactedThinkingPart | None:
    if isinstance(value.get("redactedContent"), str):
        return RedactedThinkingPart(value["redactedContent"], origin=NAME)
    text = value.get("reasoningText")
    if not isinstance(text, dict):
        return None
    signature = text.get("signature")
    return ThinkingPart(
        str(text.get("text", "")),
        signature=signature if isinstance(signature, str) and signature else None,
        origin=NAME if signature else None,
    )


# ---------------------------------------------------------------------------------------------
# Writing


def blocks_from_parts(parts: tuple[Part, ...] | list[Part]) -> tuple[list[dict], list[str]]:
    """The content blocks for `parts`, and what could not be sent (to be logged)."""
    blocks: list[dict] = []
    dropped: list[str] = []
    for part in parts:
        block = block_from_part(part)
        if block is None:
            if not (isinstance(part, TextPart) and not part.text.strip()):
                dropped.append(_label(part))
            continue
        blocks.append(block)
        if getattr(part, "cache_control", None):
            blocks.append(dict(CACHE_POINT))
    return blocks, dropped


def block_from_part(part: Part) -> dict | None:
    if isinstance(part, TextPart):
        return {"text": part.text} if part.text.strip() else None
    if isinstance(part, ImagePart):
        return image_block(part)
    if isinstance(part, DocumentPart):
        return _document_block(part)
    if isinstance(part, ToolUsePart):
        return {"toolUse": {"toolUseId": part.id, "name": part.name, "input": part.input}}
    if isinstance(part, ToolResultPart):
        return {"toolResult": _tool_result_body(part)}
    if isinstance(part, RedactedThinkingPart):
        return {"reasoningContent": {"redactedContent": part.data}}
    if isinstance(part, ThinkingPart):
        if not part.signature:
            return None  # reasoning without Bedrock's signature is refused on the next turn
        return {
            "reasoningContent": {"reasoningText": {"text": part.text, "signature": part.signature}}
        }
    return None


def image_block(part: ImagePart) -> dict | None:
    """An inline image (a data: URL included); an image by http(s) URL cannot be sent."""
    media, data = part.media_type, part.data
    if data is None and part.url and part.url.startswith("data:"):
        header, _, data = part.url.partition(",")
        media = header[5:].split(";")[0]
    image_format = (media or "").removeprefix("image/").replace("jpg", "jpeg")
    if data is None or image_format not in IMAGE_FORMATS:
        return None
    return {"image": {"format": image_format, "source": {"bytes": data}}}


def _document_block(part: DocumentPart) -> dict | None:
    document_format = DOCUMENT_FORMATS.get(part.media_type or "")
    if part.data is None or document_format is None:
        return None
    name = " ".join(_NAME_NOT_ALLOWED.sub(" ", part.name or "").split()) or "document"
    return {"document": {"format": document_format, "name": name, "source": {"bytes": part.data}}}


def _tool_result_body(part: ToolResultPart) -> dict:
    content: list[dict] = []
    for item in part.content:
        if isinstance(item, TextPart):
            content.append(_json_or_text(item.text))
        else:
            block = image_block(item)
            if block is not None:
                content.append(block)
    body: dict[str, Any] = {"toolUseId": part.tool_use_id, "content": content or [{"text": ""}]}
    if part.is_error:
        body["status"] = "error"
    return body


def _json_or_text(text: str) -> dict:
    """Text that is a JSON object goes as a json block (what Converse's tools answer with)."""
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, dict):
            return {"json": value}
    return {"text": text}


def _label(part: Part) -> str:
    if isinstance(part, ImagePart):
        return "image given by URL"
    if isinstance(part, DocumentPart):
        return "document of a type Converse does not take"
    if isinstance(part, ThinkingPart):
        return "reasoning without a Bedrock signature"
    return part.type
