"""OpenAI Responses `instructions` and `input` → canonical system parts and messages.

`input` is a string (one user message) or a list of items; it may be left out only with
previous_response_id, conversation or prompt. `instructions` and the system/developer messages
that open `input` become `Request.system`; later ones stay in place as `Message(role="system")`.
Consecutive assistant items (reasoning, assistant messages, function_call) form one assistant
message, so a reasoning item travels with the text and calls that follow it; consecutive
`function_call_output` items form one user message of ToolResultParts (named after their call).
Item types with no canonical form (web_search_call, custom_tool_call, item_reference…) and
file_id images/files are dropped with a log line.

Where the system parts came from and the items' ids are kept in `Request.extra`
(`responses.input.system_layout`, `responses.input.item_ids`) for build_request.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from typing import Any

from .. import canonical as c
from .fields import invalid_field, optional_str
from .output import nonempty_str, thinking_of, tool_use_of

log = logging.getLogger("omniroute.formats.responses")  # the format's one logger

STATEFUL_FIELDS = ("previous_response_id", "conversation", "prompt")
_ROLES: dict[str, c.Role] = {
    "user": "user",
    "assistant": "assistant",
    "system": "system",
    "developer": "system",
}
_DATA_URL_RE = re.compile(r"^data:([^;,]*)(?:;[^,]*)?;base64,(.*)$", re.DOTALL)


def parse_input(body: dict, extra: dict) -> tuple[tuple[c.TextPart, ...], tuple[c.Message, ...]]:
    system: list[c.TextPart] = []
    layout: list[list] = []
    instructions = optional_str(body.get("instructions"), "instructions")
    if instructions:
        system.append(c.TextPart(instructions))
        layout.append(["instructions", 1, None])
    raw = body.get("input")
    if isinstance(raw, str):
        raw = [{"type": "message", "role": "user", "content": raw}]
    elif raw is None and any(body.get(k) for k in STATEFUL_FIELDS):
        raw = []  # the conversation lives at the provider
    elif not isinstance(raw, list):
        raise invalid_field(
            "'input' is required and must be a string or an array of items", "input"
        )
    builder = _InputBuilder()
    for index, item in enumerate(raw):
        where = f"input[{index}]"
        kind = _item_type(item, where)
        parts = _leading_system(item, where) if kind == "message" and not builder.started else None
        if parts is not None:
            system.extend(parts)
            layout.append([item["role"], len(parts), nonempty_str(item.get("id"))])
        else:
            builder.add(kind, item, where)
    if layout and any(entry[0] != "instructions" or entry[2] for entry in layout):
        extra["responses.input.system_layout"] = layout
    if builder.ids:
        extra["responses.input.item_ids"] = builder.ids
    return tuple(system), builder.finish()


def _item_type(item: Any, where: str) -> str:
    if not isinstance(item, dict):
        raise invalid_field(f"{where} must be an object", where)
    kind = item.get("type")
    if kind is None and "role" in item:
        return "message"
    if not isinstance(kind, str):
        raise invalid_field(f"{where}.type is required and must be a string", f"{where}.type")
    return kind


def _role_of(item: dict) -> c.Role | None:
    role = item.get("role")
    return _ROLES.get(role) if isinstance(role, str) else None


def _leading_system(item: dict, where: str) -> list[c.TextPart] | None:
    """The text of a system/developer message that opens the input; None for anything else."""
    if _role_of(item) != "system":
        return None
    parts = _content_parts(item.get("content"), where, "system")
    texts = [part for part in parts if isinstance(part, c.TextPart)]
    return texts if len(texts) == len(parts) else None


def _content_parts(content: Any, where: str, role: str) -> list[c.Part]:
    if isinstance(content, str):
        return [c.TextPart(content)]
    if not isinstance(content, list):
        raise invalid_field(f"{where}.content must be a string or an array", f"{where}.content")
    parts = []
    for index, part in enumerate(content):
        found = _content_part(part, f"{where}.content[{index}]")
        if found is not None:
            parts.append(found)
    return parts


def _content_part(part: Any, where: str) -> c.Part | None:
    if not isinstance(part, dict) or not isinstance(part.get("type"), str):
        raise invalid_field(f"{where} must be an object with a 'type'", where)
    kind = part["type"]
    if kind in ("input_text", "output_text", "text", "refusal"):
        text = part.get("refusal" if kind == "refusal" else "text")
        if not isinstance(text, str):
            raise invalid_field(f"{where}.text must be a string", f"{where}.text")
        return c.TextPart(text)
    if kind == "input_image":
        return _image_part(part, where)
    if kind == "input_file":
        return _file_part(part, where)
    log.info("responses: dropping a %r content part (no canonical form)", kind)
    return None


def _image_part(part: dict, where: str) -> c.ImagePart | None:
    url = optional_str(part.get("image_url"), f"{where}.image_url")
    detail = optional_str(part.get("detail"), f"{where}.detail")
    if not url:
        log.info("responses: dropping an input_image given by file_id (no canonical form)")
        return None
    match = _DATA_URL_RE.match(url)
    if match:
        return c.ImagePart(media_type=match[1] or None, data=match[2], detail=detail)
    return c.ImagePart(url=url, detail=detail)


def _file_part(part: dict, where: str) -> c.DocumentPart | None:
    data = optional_str(part.get("file_data"), f"{where}.file_data")
    url = optional_str(part.get("file_url"), f"{where}.file_url")
    name = optional_str(part.get("filename"), f"{where}.filename")
    if data:
        match = _DATA_URL_RE.match(data)
        media_type, payload = (match[1] or None, match[2]) if match else (None, data)
        return c.DocumentPart(media_type=media_type, data=payload, name=name)
    if url:
        return c.DocumentPart(url=url, name=name)
    log.info("responses: dropping an input_file given by file_id (no canonical form)")
    return None


def message_key(role: str, parts: list[c.Part] | tuple[c.Part, ...]) -> str:
    texts = [part.text for part in parts if isinstance(part, c.TextPart)]
    digest = hashlib.sha1(json.dumps([role, texts]).encode("utf-8", "replace")).hexdigest()
    return f"msg:{digest[:16]}"


class _InputBuilder:
    """Folds input items into canonical messages (see the module docstring)."""

    def __init__(self) -> None:
        self.messages: list[c.Message] = []
        self.ids: dict[str, str] = {}
        self.started = False
        self._run: tuple[str, list[c.Part]] | None = None  # ("assistant"|"results", parts)
        self._names: dict[str, str] = {}
        self._seen: Counter[str] = Counter()

    def add(self, kind: str, item: dict, where: str) -> None:
        self.started = True
        if kind == "message":
            self._message(item, where)
        elif kind == "function_call":
            self._function_call(item, where)
        elif kind == "function_call_output":
            self._function_output(item, where)
        elif kind == "reasoning":
            if item.get("summary") is not None and not isinstance(item["summary"], list):
                raise invalid_field(f"{where}.summary must be an array", f"{where}.summary")
            optional_str(item.get("encrypted_content"), f"{where}.encrypted_content")
            self._extend("assistant", thinking_of(item))
        else:
            log.info("responses: dropping input item of type %r (no canonical form)", kind)

    def _message(self, item: dict, where: str) -> None:
        role = _role_of(item)
        if role is None:
            raise invalid_field(
                f"{where}.role must be user, assistant, system or developer", f"{where}.role"
            )
        parts = _content_parts(item.get("content"), where, role)
        if not parts:
            return
        self._remember_id(item, message_key(role, parts))
        if role == "assistant":
            self._extend("assistant", *parts)
        else:
            self._flush()
            self.messages.append(c.Message(role=role, parts=tuple(parts)))

    def _remember_id(self, item: dict, key: str) -> None:
        self._seen[key] += 1
        if nonempty_str(item.get("id")):
            self.ids[f"{key}:{self._seen[key]}"] = item["id"]

    def _function_call(self, item: dict, where: str) -> None:
        for field in ("call_id", "name"):
            if not isinstance(item.get(field), str) or not item[field]:
                raise invalid_field(
                    f"{where}.{field} is required and must be a string", f"{where}.{field}"
                )
        optional_str(item.get("namespace"), f"{where}.namespace")
        part = tool_use_of(item)
        self._names[part.id] = part.name
        if nonempty_str(item.get("id")):
            self.ids[f"call:{part.id}"] = item["id"]
        self._extend("assistant", part)

    def _function_output(self, item: dict, where: str) -> None:
        call_id, output = item.get("call_id"), item.get("output")
        if not isinstance(call_id, str) or not call_id:
            raise invalid_field(
                f"{where}.call_id is required and must be a string", f"{where}.call_id"
            )
        if isinstance(output, str):
            content: list[c.Part] = [c.TextPart(output)] if output else []
        elif isinstance(output, list):
            content = _content_parts(output, f"{where}.output", "user")
        else:
            raise invalid_field(f"{where}.output must be a string or an array", f"{where}.output")
        if nonempty_str(item.get("id")):
            self.ids[f"output:{call_id}"] = item["id"]
        kept = tuple(p for p in content if isinstance(p, c.TextPart | c.ImagePart))
        if len(kept) < len(content):
            log.info("responses: dropping a file from a function_call_output (no canonical form)")
        name = self._names.get(call_id)
        self._extend("results", c.ToolResultPart(tool_use_id=call_id, content=kept, name=name))

    def _extend(self, run: str, *parts: c.Part) -> None:
        if self._run is None or self._run[0] != run:
            self._flush()
            self._run = (run, [])
        self._run[1].extend(parts)

    def _flush(self) -> None:
        if self._run is not None and self._run[1]:
            role: c.Role = "assistant" if self._run[0] == "assistant" else "user"
            self.messages.append(c.Message(role=role, parts=tuple(self._run[1])))
        self._run = None

    def finish(self) -> tuple[c.Message, ...]:
        self._flush()
        return tuple(self.messages)
