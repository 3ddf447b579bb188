"""Chat Completions streamed tool calls → canonical tool_use blocks that never interleave.

A Chat stream names each tool call by `index`, and a provider may interleave the argument
deltas of parallel calls (0, 1, 0, 1…). Canonical blocks (like Anthropic content blocks) are
told one at a time, so ToolCallAssembler keeps one call *live* (its block open, its arguments
streamed as they come) and buffers the others. A waiting call goes live once the live call's
arguments are a complete JSON value (it cannot grow any more), or at the end of the stream;
nothing a provider sent for any index is lost, and the calls keep their index order.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from ...unique_ids import unique_hex
from .. import canonical as c


@dataclass
class _Call:
    id: str
    name: str
    pending: str = ""  # arguments not yet sent
    sent: str = ""  # arguments already in a BlockDelta
    block: int | None = None  # canonical block index once live


class ToolCallAssembler:
    """Turns tool_call deltas into block events. `open_block(part)` gives the events that close
    the open block and start one for `part`; `open_index()` is the index of that new block."""

    def __init__(
        self, open_block: Callable[[c.Part], list[c.StreamEvent]], open_index: Callable[[], int]
    ):
        self._open_block = open_block
        self._open_index = open_index
        self._calls: dict[int, _Call] = {}
        self._live: _Call | None = None

    @property
    def seen(self) -> bool:
        return bool(self._calls)

    def feed(self, call: dict) -> list[c.StreamEvent]:
        position = call.get("index", 0)
        position = position if isinstance(position, int) else 0
        function = call.get("function")
        function = function if isinstance(function, dict) else {}
        entry = self._calls.get(position)
        if entry is None:
            call_id = call.get("id") or f"call_{unique_hex()[:24]}"
            entry = self._calls[position] = _Call(str(call_id), str(function.get("name") or ""))
        elif not entry.name and isinstance(function.get("name"), str):
            entry.name = function["name"]
        arguments = function.get("arguments")
        if isinstance(arguments, str):
            entry.pending += arguments
        return self._advance(force=False)

    def lost_live(self) -> None:
        """Another kind of block (text, thinking) took over: the live call is closed."""
        self._live = None

    def flush(self) -> list[c.StreamEvent]:
        """At the end of the stream: every waiting call, in index order."""
        return self._advance(force=True)

    def _advance(self, force: bool) -> list[c.StreamEvent]:
        events = self._send_pending(self._live)
        for position in sorted(self._calls):
            entry = self._calls[position]
            if entry.block is not None:
                continue
            if self._live is not None and not force and not _complete(self._live.sent):
                break
            part = c.ToolUsePart(id=entry.id, name=entry.name, arguments="")
            events += self._open_block(part)
            entry.block, self._live = self._open_index(), entry
            events += self._send_pending(entry)
        return events

    def _send_pending(self, entry: _Call | None) -> list[c.StreamEvent]:
        if entry is None or entry.block is None or not entry.pending:
            return []
        text, entry.pending = entry.pending, ""
        entry.sent += text
        return [c.BlockDelta(entry.block, arguments=text)]


def _complete(arguments: str) -> bool:
    """Whether tool-call JSON is whole (a JSON object or array cannot take more text)."""
    if not arguments.strip():
        return False
    try:
        json.loads(arguments)
    except ValueError:
        return False
    return True
