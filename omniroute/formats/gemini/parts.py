"""Gemini content parts ⇄ canonical parts, and the ids of tool calls.

The conventions they implement (thought signatures, synthesized ids, tool-result wrapping) are
described in the package docstring.
"""

from __future__ import annotations

import json
import mimetypes
import re
from collections.abc import Callable
from typing import Any

from ...unique_ids import unique_hex
from ..canonical import (
    DocumentPart,
    ImagePart,
    Part,
    Request,
    TextPart,
    ThinkingPart,
    ToolResultPart,
    ToolUsePart,
)
from . import NAME
from .vocabulary import dumps, field, invalid, optional_str

SKIP_SIGNATURE = "skip_thought_signature_validator"
"""Gemini's documented stand-in for a thought signature the conversation does not have (its
function calls came from another model, or their signature was issued by another provider)."""

SYNTHETIC_ID_PREFIX = "call_gemini_"
"""Ids the gateway made up for Gemini function calls that came without one. They are never
sent to Gemini (nor shown to a Gemini client): Gemini matches calls and results by name."""


# ---------------------------------------------------------------------------------------------
# Tool-call ids


def is_synthetic_id(call_id: str) -> bool:
    return call_id.startswith(SYNTHETIC_ID_PREFIX)


class CallIds:
    """Ids for function calls (Gemini may send none) and results matched to calls by name.

    A call without id gets `<prefix><n>`; a result without id takes the oldest unanswered call
    of the same name, so parallel calls of one function are matched in order."""

    def __init__(self, prefix: str = SYNTHETIC_ID_PREFIX) -> None:
        self._prefix = prefix
        self._count = 0
        self._pending: dict[str, list[str]] = {}
        self.saw_ids = False  # some call or result came with its own id

    @classmethod
    def unique(cls) -> CallIds:
        """For a model's answer: ids unique across turns (a conversation holds many)."""
        return cls(f"{SYNTHETIC_ID_PREFIX}{unique_hex()[:12]}_")

    def _new(self) -> str:
        self._count += 1
        return f"{self._prefix}{self._count - 1}"

    def call(self, name: str, given: str | None) -> str:
        self.saw_ids = self.saw_ids or bool(given)
        call_id = given or self._new()
        self._pending.setdefault(name, []).append(call_id)
        return call_id

    def result(self, name: str, given: str | None) -> str:
        queue = self._pending.get(name, [])
        self.saw_ids = self.saw_ids or bool(given)
        if given:
            if given in queue:
                queue.remove(given)
            return given
        return queue.pop(0) if queue else self._new()


# ---------------------------------------------------------------------------------------------
# Parts: wire → canonical


def parse_part(part: Any, path: str, ids: CallIds) -> list[Part]:
    """One Gemini part as canonical parts. A thoughtSignature on a part that is not a thought
    comes out as ThinkingPart(text="", signature=…) just before it; every signature is Gemini's
    (origin "gemini") until parse_request finds it wrapped. Part kinds the canonical model
    cannot hold (executableCode, codeExecutionResult…) are dropped."""
    if not isinstance(part, dict):
        raise invalid(f"'{path}' must be an object", path)
    signature = optional_str(part, "thoughtSignature", path)
    thought = field(part, "thought")
    if thought is not None and not isinstance(thought, bool):
        raise invalid(f"'{path}.thought' must be a boolean", f"{path}.thought")
    text = optional_str(part, "text", path)
    origin = NAME if signature else None
    if thought:
        return [ThinkingPart(text=text or "", signature=signature, origin=origin)]
    signed: list[Part] = [ThinkingPart(signature=signature, origin=origin)] if signature else []
    if text is not None:
        return signed + ([TextPart(text)] if text else [])
    for name, parse in _PART_PARSERS:
        value = field(part, name)
        if value is not None:
            if not isinstance(value, dict):
                raise invalid(f"'{path}.{name}' must be an object", f"{path}.{name}")
            return [*signed, parse(value, f"{path}.{name}", ids)]
    return signed


def _inline_data(value: dict, path: str, ids: CallIds) -> Part:
    mime = optional_str(value, "mimeType", path)
    data = optional_str(value, "data", path)
    if data is None:
        raise invalid(f"'{path}.data' is required", f"{path}.data")
    if (mime or "").startswith("image/"):
        return ImagePart(media_type=mime, data=data)
    return DocumentPart(media_type=mime, data=data)


def _file_data(value: dict, path: str, ids: CallIds) -> Part:
    mime = optional_str(value, "mimeType", path)
    uri = optional_str(value, "fileUri", path)
    if not uri:
        raise invalid(f"'{path}.fileUri' is required", f"{path}.fileUri")
    if (mime or "").startswith("image/"):
        return ImagePart(media_type=mime, url=uri)
    return DocumentPart(media_type=mime, url=uri)


def _function_call(value: dict, path: str, ids: CallIds) -> Part:
    name = optional_str(value, "name", path)
    if not name:
        raise invalid(f"'{path}.name' is required", f"{path}.name")
    args = field(value, "args")
    if args is not None and not isinstance(args, dict):
        raise invalid(f"'{path}.args' must be an object", f"{path}.args")
    call_id = ids.call(name, optional_str(value, "id", path))
    return ToolUsePart(id=call_id, name=name, arguments=dumps(args or {}))


def _function_response(value: dict, path: str, ids: CallIds) -> Part:
    name = optional_str(value, "name", path)
    if not name:
        raise invalid(f"'{path}.name' is required", f"{path}.name")
    response = field(value, "response")
    if response is not None and not isinstance(response, dict):
        raise invalid(f"'{path}.response' must be an object", f"{path}.response")
    text, is_error = _result_text(response or {})
    call_id = ids.result(name, optional_str(value, "id", path))
    return ToolResultPart(call_id, content=(TextPart(text),), is_error=is_error, name=name)


def _result_text(response: dict) -> tuple[str, bool]:
    """{"output": s} (the key Gemini documents) or {"content"/"result": s} → s; {"error": e} →
    e as an error; any other object → its JSON."""
    if len(response) == 1:
        (key, value), *_ = response.items()
        if key in ("output", "content", "result", "error"):
            return (value if isinstance(value, str) else dumps(value)), key == "error"
    return dumps(response), False


_PART_PARSERS: tuple[tuple[str, Callable[[dict, str, CallIds], Part]], ...] = (
    ("functionCall", _function_call),
    ("functionResponse", _function_response),
    ("inlineData", _inline_data),
    ("fileData", _file_data),
)


# ---------------------------------------------------------------------------------------------
# Parts: canonical → wire


def build_parts(
    parts: tuple[Part, ...], names: dict[str, str], emit_id: Callable[[str], bool]
) -> list[dict]:
    """Gemini parts for canonical parts. A ThinkingPart without text hands its signature to the
    next part (one without a signature of its own); with nothing to carry it, it goes out as
    {"text": "", "thoughtSignature": …}. `names` maps tool-use ids to tool names for results
    that do not name their tool; `emit_id` says which ids may be sent."""
    out: list[dict] = []
    pending: str | None = None
    for part in parts:
        if isinstance(part, ThinkingPart) and not part.text:
            if part.signature:
                if pending:
                    out.append({"text": "", "thoughtSignature": pending})
                pending = part.signature
            continue
        built = build_part(part, names, emit_id)
        if built and pending and "thoughtSignature" not in built[0]:
            built[0]["thoughtSignature"] = pending
            pending = None
        elif built and pending:
            out.append({"text": "", "thoughtSignature": pending})
            pending = None
        out.extend(built)
    if pending:
        out.append({"text": "", "thoughtSignature": pending})
    return out


def build_part(part: Part, names: dict[str, str], emit_id: Callable[[str], bool]) -> list[dict]:
    """The Gemini part(s) for one canonical part (redacted thinking and empty text: none)."""
    if isinstance(part, TextPart):
        return [{"text": part.text}] if part.text else []
    if isinstance(part, ThinkingPart):
        thought: dict[str, Any] = {"thought": True, "text": part.text}
        if part.signature:
            thought["thoughtSignature"] = part.signature
        return [thought]
    if isinstance(part, ImagePart | DocumentPart):
        return [_media(part)]
    if isinstance(part, ToolUsePart):
        call: dict[str, Any] = {"name": part.name, "args": part.input}
        if emit_id(part.id):
            call["id"] = part.id
        return [{"functionCall": call}]
    if isinstance(part, ToolResultPart):
        return _tool_result(part, names, emit_id)
    return []


def _media(part: ImagePart | DocumentPart) -> dict:
    default = "image/jpeg" if isinstance(part, ImagePart) else "application/pdf"
    if part.data is not None:
        return {"inlineData": {"mimeType": part.media_type or default, "data": part.data}}
    url = part.url or ""
    match = re.match(r"data:([^;,]+)?(?:;[^,]*)?;base64,(.*)$", url, re.DOTALL)
    if match:
        return {"inlineData": {"mimeType": match.group(1) or default, "data": match.group(2)}}
    mime = part.media_type or mimetypes.guess_type(url)[0] or default
    return {"fileData": {"mimeType": mime, "fileUri": url}}


def _tool_result(
    part: ToolResultPart, names: dict[str, str], emit_id: Callable[[str], bool]
) -> list[dict]:
    text = part.text
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if part.is_error:
        response = {"error": value if isinstance(value, dict) else text}
    else:
        response = value if isinstance(value, dict) else {"output": text}
    name = part.name or names.get(part.tool_use_id) or part.tool_use_id
    result: dict[str, Any] = {"name": name, "response": response}
    if emit_id(part.tool_use_id):
        result["id"] = part.tool_use_id
    images = [_media(p) for p in part.content if isinstance(p, ImagePart)]
    return [{"functionResponse": result}, *images]


# ---------------------------------------------------------------------------------------------
# Signatures on the function calls of the turn in progress


def signs_calls(request: Request) -> bool:
    """Whether the target model wants every model turn of the turn in progress to carry a thought
    signature on its first functionCall: the Gemini models told how to think by thinkingLevel
    (Gemini 3 and later), which refuse an unsigned call ("Function call is missing a
    thought_signature"); older models take calls without one."""
    traits = request.traits
    return traits is not None and traits.thinking == "level"


def sign_first_call(parts: list[dict]) -> None:
    """A model turn's first functionCall gets SKIP_SIGNATURE when none of its calls is signed
    (Gemini signs only the first of parallel calls)."""
    calls = [part for part in parts if "functionCall" in part]
    if calls and not any("thoughtSignature" in part for part in calls):
        calls[0]["thoughtSignature"] = SKIP_SIGNATURE
