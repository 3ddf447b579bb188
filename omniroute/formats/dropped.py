"""What a provider's format cannot take from a request, named in a log line as it is dropped.

Some request features have no counterpart in another format and are left out of the built body:
Anthropic server tools (web_search_20250305, bash_…, kept in `anthropic.server_tools`) for a
non-Anthropic provider, Gemini's built-in tools (googleSearch, codeExecution, urlContext…, kept in
`gemini.tools`) for a non-Gemini provider, Responses hosted and unmappable namespace tools
and a tool_choice with no canonical form (kept in `responses.tools.dropped`) for a
non-Responses provider, a `json_object` response format for Anthropic
(which has no JSON mode; a json_schema format is sent as output_config.format), and stop
sequences for a Responses provider (the Responses API has none). Each build_request
calls `log_dropped(request, its format name)` so that nothing disappears silently.

Every drop goes through `note_dropped(request, target, what, why)`: one INFO line on the
`omniroute.formats.dropped` logger naming what was left out and why (also as the line's fields
`target`, `dropped`, `why`). A request being served carries a `DropNotes` (`Request.drops`, set
by the pipeline: logs/drops.py) so that a drop repeated by every attempt of one request is
logged once, with the request's id and model; without one (a unit test, the translator
playground) each note is logged as it comes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from .canonical import Request

log = logging.getLogger("omniroute.formats.dropped")
CANNOT_TAKE = "the provider's API cannot take it"


class DropNotes:
    """What one client request lost on its way to the providers, each drop logged once."""

    def __init__(self, label: str = "", fields: dict | None = None) -> None:
        self.label = label  # e.g. the request id and the client's model, for the log line
        self.fields = fields or {}  # the same as structured fields (a JSON log shows them)
        self.seen: list[tuple[str, str, str]] = []  # (target, what, why) in the order logged

    def note(self, target: str, what: str, why: str) -> None:
        entry = (target, what, why)
        if entry in self.seen:
            return
        self.seen.append(entry)
        prefix = f"{self.label} " if self.label else ""
        fields = {**self.fields, "target": target, "dropped": what, "why": why}
        log.info("%sdropping %s for %s: %s", prefix, what, target, why, extra=fields)


def note_dropped(request: Request, target: str, what: str, why: str = CANNOT_TAKE) -> None:
    """Log that `what` is left out of the body built for `target` (a format or model name)."""
    notes = request.drops if isinstance(request.drops, DropNotes) else DropNotes()
    notes.note(target, what, why)


def log_dropped(request: Request, target: str) -> None:
    """Log one line per request feature the `target` format's body will not carry."""
    for what in dropped_features(request, target):
        note_dropped(request, target, what)


def dropped_features(request: Request, target: str) -> Iterator[str]:
    extra = request.extra
    if target != "anthropic":
        for _, tool in extra.get("anthropic.server_tools") or ():
            kind = tool.get("type") if isinstance(tool, dict) else None
            yield f"Anthropic server tool {kind!r}"
    if target != "gemini":
        for entry in extra.get("gemini.tools") or ():
            for name in entry if isinstance(entry, dict) else ():
                yield f"Gemini tool {name!r}"
    if target != "responses":
        yield from extra.get("responses.tools.dropped") or ()
    if target == "responses" and request.stop:
        yield "stop sequences (the Responses API has none)"
    fmt = request.response_format
    if target == "anthropic" and fmt is not None and fmt.kind == "json_object":
        yield "the json_object response format (Anthropic has no JSON mode)"
