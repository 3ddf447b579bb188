"""What the fake upstream answers: scripted `Behavior` rules, and the format-neutral `Reply`.

A test scripts a `Behavior` (status, error message/code/details or a raw error body, delays,
text, stream pieces, tool calls, thinking, usage, stalls) and adds it as a `Rule` matched on
model and API key, or adds a cycle of behaviours a rule answers with in turn (a scripted
failure rate for soak tests). For each request the server turns the matching behaviour, or the
default conventions when no rule matches, into a `Reply`; each wire-format module then renders
that one `Reply` in its own shape, so every format answers the same content with the same token
totals.

Default conventions (no rule matched), for real CLI clients that cannot be scripted per request:
- the conversation's last item is a tool result -> text "tool said: <result text[:500]>";
- else the latest user turn contains `CALLTOOL:<name> <json-args>` -> one call of that tool;
- else text "echo: <latest user text>".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

ECHO_PREFIX = "echo: "
TOOL_SAID_PREFIX = "tool said: "
TOOL_RESULT_LIMIT = 500
CALLTOOL = re.compile(r"CALLTOOL:([A-Za-z0-9_.\-]+)")


@dataclass
class Behavior:
    status: int = 200
    error_message: str | None = None  # message of an error answer, in the format's error shape
    error_code: str | None = None  # its code: OpenAI/Responses error.code, Anthropic error.type,
    #                                Gemini error.status (default: the format's code for status)
    error_details: list[dict] | None = None  # Gemini error.details (e.g. a google.rpc.RetryInfo)
    error_body: bytes | None = None  # an error answer's body sent as-is (replaces the shape)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line is sent
    text: str | None = None  # reply text (default: "".join(chunks), or the conventions above)
    chunks: list[str] | None = None  # stream text pieces (default: the text split into words)
    chunk_interval: float = 0.0  # seconds between stream events
    first_event_delay: float = 0.0  # seconds between a stream's headers and its first event
    reset_after_chunks: int | None = None  # drop the connection after this many SSE events
    stall_after_chunks: int | None = None  # after this many SSE events, go silent (connection
    #                                        kept open) for `stall_seconds`, then go on
    stall_seconds: float = 10.0
    heartbeat_interval: float = 0.0  # during `first_event_delay`, an SSE comment this often
    tool_calls: list[tuple[str, str]] | None = None  # (name, arguments JSON)
    usage: tuple[int, int] = (11, 7)  # prompt (incl. cached), completion (incl. reasoning) tokens
    usage_in_stream: bool = True  # False: the stream carries no usage at all
    raw_body: bytes | None = None  # send this body as-is (the whole SSE body when streaming)
    thinking: str | None = None  # reasoning text, rendered in each format's reasoning shape
    cached_tokens: int = 0  # of the prompt tokens, read from the provider's prompt cache
    reasoning_tokens: int | None = None  # of the completion tokens; default from `thinking`


@dataclass
class Rule:
    behavior: Behavior | None
    model: str | None = None
    api_key: str | None = None
    times: int | None = None  # None: every matching request
    cycle: list[Behavior | None] | None = None  # answer with each in turn (None: conventions)
    served: int = 0  # requests this rule answered

    def next_behavior(self) -> Behavior | None:
        self.served += 1
        if self.cycle is None:
            return self.behavior
        return self.cycle[(self.served - 1) % len(self.cycle)]


@dataclass
class Conversation:
    """What the conventions need from a request, extracted by its wire-format module."""

    user_text: str  # the latest user turn's text ("" when there is none)
    tool_result: str | None  # the text of the last item when it is a tool result, else None


@dataclass
class Reply:
    """One answer, independent of wire format. `text is None` means no text block at all."""

    model: str
    serial: int  # per-server answer number: ids, signatures (tests.fakes.validation.signatures)
    text: str | None
    pieces: list[str]
    thinking: str | None
    tool_calls: list[tuple[str, str]]
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    reasoning_tokens: int
    usage_in_stream: bool
    body: dict

    @property
    def thinking_pieces(self) -> list[str]:
        return [] if self.thinking is None else split_words(self.thinking)


def split_words(text: str) -> list[str]:
    words = text.split(" ")
    return [w if i == 0 else " " + w for i, w in enumerate(words)]


def build_reply(
    behavior: Behavior | None, conversation: Conversation, model: str, serial: int, body: dict
) -> Reply:
    """The reply to a request: the matched behaviour's, or the conventions' when none matched."""
    if behavior is None:
        behavior = Behavior()
        text, tool_calls = _conventional(conversation)
    else:
        tool_calls = list(behavior.tool_calls or [])
        text = _scripted_text(behavior, conversation)
    pieces = behavior.chunks if behavior.chunks is not None else split_words(text or "")
    prompt, completion = behavior.usage
    reasoning = behavior.reasoning_tokens
    if reasoning is None:
        reasoning = min(completion, max(1, len(behavior.thinking) // 4)) if behavior.thinking else 0
    return Reply(
        model=model,
        serial=serial,
        text=text,
        pieces=pieces if text is not None else [],
        thinking=behavior.thinking,
        tool_calls=tool_calls,
        prompt_tokens=prompt,
        completion_tokens=completion,
        cached_tokens=behavior.cached_tokens,
        reasoning_tokens=reasoning,
        usage_in_stream=behavior.usage_in_stream,
        body=body,
    )


def _scripted_text(behavior: Behavior, conversation: Conversation) -> str | None:
    if behavior.text is not None:
        return behavior.text
    if behavior.chunks is not None:
        return "".join(behavior.chunks)
    if behavior.tool_calls:
        return None  # a tool-call-only answer
    return ECHO_PREFIX + conversation.user_text


def _conventional(conversation: Conversation) -> tuple[str | None, list[tuple[str, str]]]:
    if conversation.tool_result is not None:
        return TOOL_SAID_PREFIX + conversation.tool_result[:TOOL_RESULT_LIMIT], []
    call = parse_calltool(conversation.user_text)
    if call is not None:
        return None, [call]
    return ECHO_PREFIX + conversation.user_text, []


def parse_calltool(text: str) -> tuple[str, str] | None:
    """`CALLTOOL:<name> <json-args>` -> (name, arguments JSON); args default to {}."""
    match = CALLTOOL.search(text)
    if match is None:
        return None
    rest = text[match.end() :].lstrip()
    try:
        args, _ = json.JSONDecoder().raw_decode(rest)
    except ValueError:
        args = {}
    if not isinstance(args, dict):
        args = {}
    return match.group(1), json.dumps(args)


def parts_text(content, keys: tuple[str, ...] = ("text",), joiner: str = " ") -> str:
    """Text of a string or a list of parts/blocks (each part's first string field in `keys`)."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    texts = []
    for part in content:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict):
            texts.extend(part[k] for k in keys if isinstance(part.get(k), str))
    return joiner.join(texts)
