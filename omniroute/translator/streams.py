"""A canonical Response told as stream events, and stream events put back together.

The test bench uses both: a case's answer is streamed in the source format from
`response_events`, and the translated stream is read back with `assemble` for comparison.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..formats import canonical as c


def response_events(response: c.Response, pieces: int = 2) -> list[c.StreamEvent]:
    """The events a provider would send for `response`, text cut into `pieces` deltas."""
    events: list[c.StreamEvent] = [c.MessageStart(response.id, response.model)]
    for index, part in enumerate(response.parts):
        events.extend(_block_events(index, part, pieces))
    events.append(c.MessageDelta(response.stop_reason, response.stop_sequence, response.usage))
    events.append(c.MessageStop())
    return events


def _block_events(index: int, part: c.Part, pieces: int) -> list[c.StreamEvent]:
    if isinstance(part, c.TextPart):
        start: c.Part = c.TextPart("")
        deltas = [c.BlockDelta(index, text=t) for t in _cut(part.text, pieces)]
    elif isinstance(part, c.ThinkingPart):
        start = c.ThinkingPart("")
        deltas = [c.BlockDelta(index, text=t) for t in _cut(part.text, pieces)]
        if part.signature:
            deltas.append(c.BlockDelta(index, signature=part.signature))
    elif isinstance(part, c.ToolUsePart):
        start = c.ToolUsePart(part.id, part.name, "")
        deltas = [c.BlockDelta(index, arguments=a) for a in _cut(part.arguments, pieces)]
    else:
        return []
    return [c.BlockStart(index, start), *deltas, c.BlockStop(index)]


def _cut(text: str, pieces: int) -> list[str]:
    if not text:
        return []
    size = max(1, -(-len(text) // pieces))
    return [text[i : i + size] for i in range(0, len(text), size)]


def assemble(events: Iterable[c.StreamEvent]) -> c.Response:
    """The Response a stream of canonical events tells (errors become stop_reason "error")."""
    parts: dict[int, c.Part] = {}
    ident, model, stop, usage = "", "", None, c.Usage()
    for event in events:
        if isinstance(event, c.MessageStart):
            ident, model = event.id, event.model
            usage = _merged(usage, event.usage)
        elif isinstance(event, c.BlockStart):
            parts[event.index] = event.part
        elif isinstance(event, c.BlockDelta) and event.index in parts:
            parts[event.index] = _grown(parts[event.index], event)
        elif isinstance(event, c.MessageDelta):
            stop = event.stop_reason or stop
            usage = _merged(usage, event.usage)
        elif isinstance(event, c.StreamError):
            stop = "error"
    ordered = tuple(parts[index] for index in sorted(parts))
    return c.Response(ident, model, ordered, stop, usage=usage)


def _grown(part: c.Part, delta: c.BlockDelta) -> c.Part:
    if isinstance(part, c.TextPart):
        return c.TextPart(part.text + delta.text)
    if isinstance(part, c.ThinkingPart):
        signature = (part.signature or "") + delta.signature
        return c.ThinkingPart(part.text + delta.text, signature or None, part.encrypted, part.id)
    if isinstance(part, c.ToolUsePart):
        return c.ToolUsePart(part.id, part.name, part.arguments + delta.arguments)
    return part


def _merged(usage: c.Usage, update: c.Usage | None) -> c.Usage:
    if update is None:
        return usage
    return c.Usage(
        *(
            getattr(update, name) or getattr(usage, name)
            for name in (
                "input_tokens",
                "output_tokens",
                "cache_read_tokens",
                "cache_write_tokens",
                "reasoning_tokens",
            )
        )
    )
