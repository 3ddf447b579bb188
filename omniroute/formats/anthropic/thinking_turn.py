"""Thinking stays on only when the turn in progress shows Anthropic the thinking it signed.

With thinking on, Anthropic refuses a tool loop whose assistant turn does not start with a
thinking block it signed ("Expected `thinking` or `redacted_thinking`, but found `tool_use`.
When `thinking` is enabled, a final `assistant` message must start with a thinking block
(preceeding the lastmost set of `tool_use` and `tool_result` blocks)"). The turn in progress
runs from the last user message that answers no tool call; earlier turns may lack thinking.
Once foreign signatures are taken out (signatures.keep_own), a turn that holds tool calls can
keep thinking on only when both its first assistant message and its last one holding tool_use
open with a signed thinking or redacted_thinking block; otherwise `thinking` is left out of
that request (the API's own advice: "To avoid this requirement, disable `thinking`"), and the
log says so.
"""

from __future__ import annotations

from dataclasses import replace

from ..canonical import (
    Message,
    RedactedThinkingPart,
    Request,
    TextPart,
    ThinkingPart,
    ToolUsePart,
)
from ..dropped import note_dropped
from ..signatures import current_turn_start
from . import NAME

_WHY = "the tool calls of the turn in progress come without a thinking block Anthropic signed"


def fit_thinking_to_turn(request: Request) -> Request:
    """`request` without reasoning when the turn in progress cannot be sent with thinking on."""
    reasoning = request.reasoning
    if reasoning is None or reasoning.is_off or _turn_can_think(request.messages):
        return request
    note_dropped(request, NAME, "thinking", _WHY)
    return replace(request, reasoning=None)


def _turn_can_think(messages: tuple[Message, ...]) -> bool:
    turn = [m for m in messages[current_turn_start(messages) :] if m.role == "assistant"]
    callers = [m for m in turn if any(isinstance(part, ToolUsePart) for part in m.parts)]
    if not callers:
        return True
    return _opens_with_thinking(turn[0]) and _opens_with_thinking(callers[-1])


def _opens_with_thinking(message: Message) -> bool:
    """Whether the first block built for `message` is a signed thinking or redacted block
    (blank text is not built, see blocks.request_block)."""
    for part in message.parts:
        if isinstance(part, TextPart) and not part.text.strip():
            continue
        if isinstance(part, RedactedThinkingPart):
            return True
        return isinstance(part, ThinkingPart) and bool(part.signature)
    return False
