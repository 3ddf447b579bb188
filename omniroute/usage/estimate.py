"""Token estimates for when a provider cannot count: about 4 characters per token.

Used by /v1/messages/count_tokens when the provider has no counting endpoint. It counts every
character the model would read — system prompt, message text, tool calls and results, tool
definitions as JSON — divided by 4 and rounded up, plus 3 tokens per message for its framing.
Images count a flat 1,000 tokens each. It is an estimate, and the README says so.
"""

from __future__ import annotations

import json
import math

from ..formats import canonical as c

CHARS_PER_TOKEN = 4
TOKENS_PER_MESSAGE = 3
TOKENS_PER_IMAGE = 1000


def estimate_input_tokens(request: c.Request) -> int:
    chars = sum(len(p.text) for p in request.system)
    chars += sum(
        len(json.dumps(t.parameters)) + len(t.name) + len(t.description) for t in request.tools
    )
    images = 0
    for message in request.messages:
        for part in message.parts:
            chars += _part_chars(part)
            images += isinstance(part, c.ImagePart)
    framing = TOKENS_PER_MESSAGE * len(request.messages)
    return math.ceil(chars / CHARS_PER_TOKEN) + framing + images * TOKENS_PER_IMAGE


def _part_chars(part: c.Part) -> int:
    if isinstance(part, c.TextPart | c.ThinkingPart):
        return len(part.text)
    if isinstance(part, c.ToolUsePart):
        return len(part.name) + len(part.arguments)
    if isinstance(part, c.ToolResultPart):
        return sum(_part_chars(p) for p in part.content)
    return 0
