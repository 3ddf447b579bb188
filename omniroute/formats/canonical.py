"""The canonical model every wire format converts to and from (hub and spoke: 2N converters).

It is a superset of what the four formats carry, so a hop through it loses nothing that both ends
can express. Conventions every format module follows:

- System prompts live in `Request.system` (top-level system, OpenAI `system`/`developer`
  messages, Responses `instructions`, Gemini `systemInstruction`). A system message that sits
  in the middle of the conversation (Claude Code sends one) is kept in place as a
  `Message(role="system")`; formats that cannot place it there fold it into `Request.system`.
- Message roles are "user", "assistant" and "system". Tool results are `ToolResultPart`s inside a
  user message (OpenAI `role:"tool"` messages and Responses `function_call_output` items become
  such parts, consecutive ones merged into one user message).
- Tool arguments are kept as the JSON text the model produced (`ToolUsePart.arguments`), so they
  round-trip byte for byte; `ToolUsePart.input` parses them when a format needs an object.
- Token counts: `Usage.input_tokens` is the whole prompt, cached tokens included;
  `cache_read_tokens` and `cache_write_tokens` are parts of it. `output_tokens` includes
  `reasoning_tokens`. (Anthropic reports input without the cached parts: its module converts.)
- Stop reasons use the Anthropic vocabulary: end_turn, max_tokens, stop_sequence, tool_use,
  refusal, pause_turn, error.
- `extra` dictionaries carry format-specific fields a format knows how to read back; other
  formats ignore them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

# ---------------------------------------------------------------------------------------------
# Content parts


@dataclass(frozen=True)
class TextPart:
    text: str
    cache_control: dict | None = None
    type: Literal["text"] = "text"


@dataclass(frozen=True)
class ImagePart:
    """An image given inline (`data`, base64, with `media_type`) or by `url`."""

    media_type: str | None = None
    data: str | None = None
    url: str | None = None
    detail: str | None = None  # OpenAI's low/high/auto
    cache_control: dict | None = None
    type: Literal["image"] = "image"

    @property
    def data_url(self) -> str:
        if self.data is not None:
            return f"data:{self.media_type or 'image/png'};base64,{self.data}"
        return self.url or ""


@dataclass(frozen=True)
class DocumentPart:
    """A file (PDF…) given inline or by URL; formats that cannot carry it drop it."""

    media_type: str | None = None
    data: str | None = None
    url: str | None = None
    name: str | None = None
    type: Literal["document"] = "document"


@dataclass(frozen=True)
class ToolUsePart:
    id: str
    name: str
    arguments: str = "{}"  # JSON text exactly as the model produced it
    cache_control: dict | None = None
    type: Literal["tool_use"] = "tool_use"

    @property
    def input(self) -> dict:
        try:
            value = json.loads(self.arguments or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {"value": value}


@dataclass(frozen=True)
class ToolResultPart:
    tool_use_id: str
    content: tuple[TextPart | ImagePart, ...] = ()
    is_error: bool = False
    name: str | None = None  # the tool's name, when known (Gemini needs it)
    cache_control: dict | None = None
    type: Literal["tool_result"] = "tool_result"

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.content if isinstance(p, TextPart))


@dataclass(frozen=True)
class ThinkingPart:
    """Model reasoning. `signature` (Anthropic, Gemini) or `encrypted` (Responses) must be sent
    back untouched, and only to the provider that issued it: `origin` names that provider's
    wire format (formats/signatures.py). Text may be empty when only the opaque form exists."""

    text: str = ""
    signature: str | None = None
    encrypted: str | None = None
    id: str | None = None  # Responses reasoning item id
    # the wire format that issued signature / encrypted / id; None for a part the gateway's own
    # code made. Provenance, not content: it takes no part in comparisons.
    origin: str | None = field(default=None, compare=False)
    type: Literal["thinking"] = "thinking"


@dataclass(frozen=True)
class RedactedThinkingPart:
    data: str
    origin: str | None = field(default=None, compare=False)  # as ThinkingPart.origin
    type: Literal["redacted_thinking"] = "redacted_thinking"


Part = (
    TextPart
    | ImagePart
    | DocumentPart
    | ToolUsePart
    | ToolResultPart
    | ThinkingPart
    | RedactedThinkingPart
)


Role = Literal["user", "assistant", "system"]


@dataclass(frozen=True)
class Message:
    role: Role
    parts: tuple[Part, ...]

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, TextPart))


# ---------------------------------------------------------------------------------------------
# Request


@dataclass(frozen=True)
class Tool:
    name: str
    description: str = ""
    parameters: dict = field(default_factory=lambda: {"type": "object", "properties": {}})
    strict: bool | None = None
    cache_control: dict | None = None


ToolChoiceMode = Literal["auto", "none", "required", "tool"]


@dataclass(frozen=True)
class ToolChoice:
    mode: ToolChoiceMode = "auto"
    name: str | None = None  # with mode="tool"
    disable_parallel: bool | None = None


@dataclass(frozen=True)
class Reasoning:
    """How much the model should think: an effort level and/or a token budget."""

    effort: str | None = None  # minimal, low, medium, high, xhigh
    budget_tokens: int | None = None
    enabled: bool = True
    summary: str | None = None  # Responses reasoning.summary
    # set by the gateway's AI policy: it stands even where the client's format chose no thinking
    imposed: bool = field(default=False, compare=False)

    @property
    def is_off(self) -> bool:
        """No thinking at all: disabled, or the effort "none" (OpenAI's way to say it)."""
        return not self.enabled or self.effort == "none"


@dataclass(frozen=True)
class ResponseFormat:
    kind: Literal["text", "json_object", "json_schema"] = "text"
    schema: dict | None = None
    name: str | None = None
    strict: bool | None = None


@dataclass(frozen=True)
class Request:
    model: str
    messages: tuple[Message, ...]
    system: tuple[TextPart, ...] = ()
    tools: tuple[Tool, ...] = ()
    tool_choice: ToolChoice | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    stop: tuple[str, ...] = ()
    stream: bool = False
    include_usage: bool = False  # the client asked for usage in the stream
    reasoning: Reasoning | None = None
    response_format: ResponseFormat | None = None
    parallel_tool_calls: bool | None = None
    user: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # what the request loses in translation is noted here (formats/dropped.py DropNotes), so a
    # drop is logged once per client request however many attempts build it
    drops: Any = field(default=None, compare=False, repr=False)
    # what the target model accepts (formats/model_traits.py ModelTraits), set per attempt
    traits: Any = field(default=None, compare=False, repr=False)

    @property
    def system_text(self) -> str:
        return "\n\n".join(p.text for p in self.system)


# ---------------------------------------------------------------------------------------------
# Response


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


StopReason = Literal[
    "end_turn", "max_tokens", "stop_sequence", "tool_use", "refusal", "pause_turn", "error"
]


@dataclass(frozen=True)
class Response:
    id: str
    model: str
    parts: tuple[Part, ...]
    stop_reason: StopReason | None = "end_turn"
    stop_sequence: str | None = None
    usage: Usage | None = None
    created: int | None = None


# ---------------------------------------------------------------------------------------------
# Stream events: a response told as it happens. Blocks are numbered in order of appearance.


@dataclass(frozen=True)
class MessageStart:
    id: str
    model: str
    usage: Usage | None = None


@dataclass(frozen=True)
class BlockStart:
    index: int
    part: Part  # text/thinking start empty; tool_use carries id and name, arguments ""


@dataclass(frozen=True)
class BlockDelta:
    index: int
    text: str = ""  # text, or thinking text for a thinking block
    arguments: str = ""  # a piece of tool-call JSON
    signature: str = ""  # thinking signature (arrives whole, at the end)


@dataclass(frozen=True)
class BlockStop:
    index: int


@dataclass(frozen=True)
class MessageDelta:
    stop_reason: StopReason | None = None
    stop_sequence: str | None = None
    usage: Usage | None = None


@dataclass(frozen=True)
class MessageStop:
    pass


@dataclass(frozen=True)
class StreamError:
    status: int
    message: str
    type: str = "api_error"
    code: str | None = None


StreamEvent = (
    MessageStart | BlockStart | BlockDelta | BlockStop | MessageDelta | MessageStop | StreamError
)

CUT_STREAM_MESSAGE = "the provider's stream ended before it was complete"


def cut_stream_error() -> StreamError:
    """What a decoder's close() gives for a stream that ended without its terminal event ([DONE]
    or a finish_reason, message_stop, response.completed, a finishReason): never a clean stop."""
    return StreamError(502, CUT_STREAM_MESSAGE, "api_error", "stream_truncated")


# ---------------------------------------------------------------------------------------------
# reasoning_effort ⇄ thinking budget: one table for every format.

EFFORT_BUDGETS = {"minimal": 1024, "low": 2048, "medium": 8192, "high": 24576, "xhigh": 32768}


def budget_for_effort(effort: str | None) -> int | None:
    """Thinking-token budget for an effort level (None when there is no level)."""
    return EFFORT_BUDGETS.get(effort or "")


def effort_for_budget(budget: int | None) -> str | None:
    """The smallest effort level whose budget covers `budget` (None without a budget)."""
    if budget is None:
        return None
    for effort, tokens in EFFORT_BUDGETS.items():
        if budget <= tokens:
            return effort
    return "xhigh"
