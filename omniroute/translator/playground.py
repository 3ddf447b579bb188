"""Translate a request, a response or an SSE transcript between two wire formats, as the gateway
does, and explain the result.

Same as the proxy: the source is parsed into the canonical model and built in the target format;
when both formats are the same the body passes through untouched (only the model id would change).
A stream is decoded event by event, so the diff says which target events each source event became.
Broken input raises `InputError` with its location; it never escapes as another exception.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from ..errors import GatewayError
from ..formats import canonical as c
from ..formats.registry import FORMATS
from ..formats.sse import SSESplitter, event_fields
from . import reasons
from .diff import diff, general
from .source_text import InputError, load_json, split_sse

KINDS = ("request", "response", "stream")
URL_MODEL = "gemini-2.5-flash"  # for a body that carries no model (Gemini's is in the URL)


@dataclass
class Result:
    translated: Any  # a JSON value (request, response) or SSE text (stream)
    diff: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        if isinstance(self.translated, str):
            return self.translated
        return json.dumps(self.translated, indent=2, ensure_ascii=False)


def translate(source: str, target: str, kind: str, body: Any, model: str | None = None) -> Result:
    """`body` (text, or an already parsed JSON value) in `source` format, in `target` format."""
    if kind == "stream":
        if not isinstance(body, str):
            raise InputError(_("A stream is SSE text: paste the transcript as a string."))
        return _translate_stream(source, target, body, model)
    value = load_json(body) if isinstance(body, str) else body
    if not isinstance(value, dict):
        raise InputError(_("The body must be a JSON object."), 1, 1)
    if kind == "request":
        return _translate_request(source, target, value, model)
    return _translate_response(source, target, value)


def parse_request(fmt: str, value: dict, model: str | None = None) -> c.Request:
    """The canonical request of a body; InputError naming the field the format refuses."""
    request = _guarded(FORMATS[fmt].parse_request, value, fmt, "request")
    if FORMATS[fmt].model_in_url:
        request = dataclasses.replace(request, model=model or URL_MODEL)
    return request


def _guarded(parse, value: Any, fmt: str, what: str):
    try:
        return parse(value)
    except GatewayError as error:
        raise InputError(
            error.message,
            path=error.param,
            code=f"refused_{what}",
            params={"format": str(reasons.label(fmt))},
            detail=error.message,
        ) from None
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as error:
        raise InputError(
            _(
                "Not a valid %(format)s %(what)s: %(reason)s",
                format=reasons.label(fmt),
                what=what,
                reason=f"{type(error).__name__}: {error}",
            ),
            code=f"unreadable_{what}",
            params={"format": str(reasons.label(fmt))},
            detail=f"{type(error).__name__}: {error}",
        ) from None


def _translate_request(source: str, target: str, value: dict, model: str | None) -> Result:
    request = parse_request(source, value, model)  # validates even a passthrough
    warnings = []
    if FORMATS[source].model_in_url:
        warnings.append(
            _(
                "%(format)s names the model in the URL; translated for model “%(model)s”.",
                format=reasons.label(source),
                model=request.model,
            )
        )
    if source == target:
        return Result(value, [], [*warnings, _passthrough_note()])
    built = FORMATS[target].build_request(request)
    if FORMATS[target].model_in_url:
        path = FORMATS[target].client_path(request.model, request.stream)
        warnings.append(_("Send it to POST %(path)s.", path=path))
    return Result(built, _explained(value, built, source, target), warnings)


def _translate_response(source: str, target: str, value: dict) -> Result:
    response = _guarded(FORMATS[source].parse_response, value, source, "response")
    if source == target:
        return Result(value, [], [_passthrough_note()])
    built = FORMATS[target].build_response(response)
    return Result(built, _explained(value, built, source, target))


def _passthrough_note() -> str:
    return _("Same format: the gateway forwards the body untouched (only the model id changes).")


def _explained(source_value: Any, built: Any, source: str, target: str) -> list[dict]:
    entries = []
    for item in diff(source_value, built):
        entry = {
            "path": general(item.source if item.change != "added" else item.target),
            "change": item.change,
            "detail": reasons.explain(item, source, target),
            "count": item.count,
        }
        if item.change in ("renamed", "restructured"):
            entry["to"] = general(item.target)
        entries.append(entry)
    return entries


def _translate_stream(source: str, target: str, text: str, model: str | None) -> Result:
    events = split_sse(text)
    if source == target:
        return Result(text, [], [_passthrough_note()])
    decoder = FORMATS[source].stream_decoder()
    encoder = FORMATS[target].stream_encoder(
        c.Request(model=model or "", messages=(), stream=True, include_usage=True)
    )
    out: list[bytes] = []
    mapping: dict[str, list] = {}  # source event label → [count, target labels]
    for event in events:
        produced = b"".join(encoder.encode(e) for e in decoder.feed(event.raw.encode("utf-8")))
        out.append(produced)
        seen = mapping.setdefault(_label(event.name, event.data), [0, {}])
        seen[0] += 1
        for name in _labels(produced):
            seen[1][name] = seen[1].get(name, 0) + 1
    tail = b"".join(encoder.encode(e) for e in decoder.close()) + encoder.close()
    out.append(tail)
    return Result(b"".join(out).decode("utf-8"), _stream_entries(mapping, tail, target))


def _stream_entries(mapping: dict, tail: bytes, target: str) -> list[dict]:
    names = {"target": reasons.label(target)}
    entries = []
    for source_label, (count, produced) in mapping.items():
        if not produced:
            entries.append(
                {
                    "path": source_label,
                    "change": "dropped",
                    "count": count,
                    "detail": _(
                        "No %(target)s event of its own: nothing to carry, or merged into "
                        "a later one.",
                        **names,
                    ),
                }
            )
            continue
        made = ", ".join(f"{n} × {name}" for name, n in produced.items())
        entries.append(
            {
                "path": source_label,
                "change": "restructured",
                "count": count,
                "to": ", ".join(produced),
                "detail": _("Became %(made)s.", made=made),
            }
        )
    for name in _labels(tail):
        entries.append(
            {
                "path": name,
                "change": "added",
                "count": 1,
                "detail": _("%(target)s ends or completes its stream this way.", **names),
            }
        )
    return entries


def _labels(raw: bytes) -> list[str]:
    splitter = SSESplitter()
    found = []
    for event in splitter.feed(raw) + ([splitter.pending()] if splitter.pending().strip() else []):
        name, data = event_fields(event)
        found.append(_label(name, data.decode("utf-8", "replace")))
    return found


def _label(name: str | None, data: str) -> str:
    if name:
        return name
    if data.strip() == "[DONE]":
        return "[DONE]"
    try:
        payload = json.loads(data)
    except ValueError:
        return "data"
    if isinstance(payload, dict):
        return str(payload.get("type") or payload.get("object") or "chunk")
    return "data"
