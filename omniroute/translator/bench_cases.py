"""The test bench's translation cases and what must survive each hop.

A case is a canonical Request or Response; the bench writes it in a source format, translates it
to a target format and reads the result back. `facts()` lists what a reader can check (texts,
tool calls and results, thinking and signatures, images, parameters, usage) and `expected()`
removes what a format cannot carry, by the documented limits of each wire format (LOSSES).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..formats import canonical as c
from ..formats.signatures import unwrap
from ..lazy_text import lazy_gettext as _l

PNG = (  # a 1×1 PNG
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
WEATHER = c.Tool(
    "get_weather",
    "Current weather for a city",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


@dataclass(frozen=True)
class Case:
    id: str
    title: object  # a lazy translatable string
    kind: str  # request | response | stream
    value: c.Request | c.Response


def _user(*parts: c.Part) -> c.Message:
    return c.Message("user", parts)


def _assistant(*parts: c.Part) -> c.Message:
    return c.Message("assistant", parts)


def _request(*messages: c.Message, **fields) -> c.Request:
    return c.Request(model="bench-model", messages=messages, **fields)


TOOL_CALL = c.ToolUsePart("call_bench_1", "get_weather", '{"city": "Paris"}')
TOOL_ROUND = (
    _user(c.TextPart("What is the weather in Paris?")),
    _assistant(c.TextPart("Let me check."), TOOL_CALL),
    _user(c.ToolResultPart("call_bench_1", (c.TextPart("sunny, 21C"),), name="get_weather")),
)
USAGE = c.Usage(input_tokens=120, output_tokens=30, cache_read_tokens=80, reasoning_tokens=12)

CASES = [
    Case("text", _l("Plain text"), "request", _request(_user(c.TextPart("Hello there")))),
    Case(
        "system",
        _l("System prompt"),
        "request",
        _request(_user(c.TextPart("Hi")), system=(c.TextPart("You are terse."),)),
    ),
    Case(
        "multi-turn",
        _l("Multi-turn conversation"),
        "request",
        _request(
            _user(c.TextPart("My name is Ada.")),
            _assistant(c.TextPart("Nice to meet you, Ada.")),
            _user(c.TextPart("What is my name?")),
        ),
    ),
    Case("tools", _l("Tools and tool results"), "request", _request(*TOOL_ROUND, tools=(WEATHER,))),
    Case(
        "thinking",
        _l("Thinking with a signature"),
        "request",
        _request(
            _user(c.TextPart("Is 17 prime?")),
            _assistant(
                c.ThinkingPart("Check divisors up to 4.", signature="sig-bench-1"),
                c.TextPart("Yes."),
            ),
            _user(c.TextPart("And 21?")),
            reasoning=c.Reasoning(budget_tokens=2048),
            max_tokens=4096,
        ),
    ),
    Case(
        "image",
        _l("Image"),
        "request",
        _request(_user(c.TextPart("What is in this picture?"), c.ImagePart("image/png", PNG))),
    ),
    Case(
        "parameters",
        _l("Limits and sampling"),
        "request",
        _request(_user(c.TextPart("Count to 3")), max_tokens=256, temperature=0.2, stop=("END",)),
    ),
]
_ANSWERS = [
    (
        "answer-usage",
        (_l("Answer with usage"), _l("Streamed answer with usage")),
        c.Response(
            "bench-1",
            "bench-model",
            (c.TextPart("Hello! How can I help?"),),
            "end_turn",
            usage=USAGE,
        ),
    ),
    (
        "answer-tool-call",
        (_l("Answer calling a tool"), _l("Streamed tool call")),
        c.Response("bench-2", "bench-model", (TOOL_CALL,), "tool_use", usage=c.Usage(50, 10)),
    ),
    (
        "answer-thinking",
        (_l("Answer with thinking"), _l("Streamed thinking")),
        c.Response(
            "bench-3",
            "bench-model",
            (c.ThinkingPart("The user greets me.", signature="sig-bench-2"), c.TextPart("Hi!")),
            "end_turn",
            usage=c.Usage(40, 25, reasoning_tokens=15),
        ),
    ),
]
CASES += [Case(i, titles[0], "response", r) for i, titles, r in _ANSWERS]
CASES += [Case(f"{i}-stream", titles[1], "stream", r) for i, titles, r in _ANSWERS]
CASE_BY_ID = {case.id: case for case in CASES}


def facts(value: c.Request | c.Response) -> dict:
    """What a reader can check of a request or an answer, normalised for comparison."""
    messages = value.messages if isinstance(value, c.Request) else (_assistant(*value.parts),)
    found: dict = {
        "text": [],
        "tool_calls": [],
        "tool_results": [],
        "thinking": [],
        "signatures": [],
        "images": [],
    }
    calls: set[str] = set()
    for message in messages:
        for part in message.parts:
            _note(found, calls, message.role, part)
    if isinstance(value, c.Request):
        found["system"] = " ".join(value.system_text.split())
        found["tools"] = [tool.name for tool in value.tools]
        found["parameters"] = (value.max_tokens, value.temperature, list(value.stop))
    else:
        usage = value.usage or c.Usage()
        found["usage"] = (
            usage.input_tokens,
            usage.output_tokens,
            usage.cache_read_tokens,
            usage.reasoning_tokens,
        )
        found["stop_reason"] = value.stop_reason
    return found


def _note(found: dict, calls: set, role: str, part: c.Part) -> None:
    if isinstance(part, c.TextPart) and part.text.strip():
        found["text"].append((role, part.text.strip()))
    elif isinstance(part, c.ToolUsePart):
        calls.add(part.id)
        found["tool_calls"].append((part.name, json.dumps(part.input, sort_keys=True)))
    elif isinstance(part, c.ToolResultPart):
        found["tool_results"].append((part.text, part.tool_use_id in calls))
    elif isinstance(part, c.ThinkingPart) and part.text:
        found["thinking"].append(part.text)
        if part.signature:  # as the provider issued it (a client of another format had it wrapped)
            found["signatures"].append(unwrap(part.signature, None)[1])
    elif isinstance(part, c.ImagePart):
        found["images"].append((part.media_type, part.data))


# What a hop loses or fills in, by design (each format module's documentation says the same):
# (applies to kinds, changes the expected facts for source → target; returns True if it did).


def _no_signatures(wanted: dict, src: str, tgt: str, kind: str) -> bool:
    carriers = {"anthropic", "gemini"} | ({"responses"} if kind != "request" else set())
    foreign = kind == "request" and src != tgt  # a provider takes only the signatures it issued
    return _clear(wanted, "signatures", foreign or not {src, tgt} <= carriers)


def _no_foreign_thinking(wanted: dict, src: str, tgt: str, kind: str) -> bool:
    unsigned = tgt == "anthropic" and src != "anthropic"  # no signature of Anthropic's
    lost = kind == "request" and ("responses" in (src, tgt) or unsigned)
    return _clear(wanted, "thinking", lost)


def _anthropic_max_tokens(wanted: dict, src: str, tgt: str, kind: str) -> bool:
    if kind != "request" or "anthropic" not in (src, tgt):
        return False
    params = wanted["parameters"]  # a request's facts hold them
    if params[0] is not None:
        return False
    wanted["parameters"] = (DEFAULT_MAX_TOKENS, *params[1:])
    return True


def _responses_stop(wanted: dict, src: str, tgt: str, kind: str) -> bool:
    if kind != "request" or "responses" not in (src, tgt):
        return False
    params = wanted["parameters"]
    if not params[2]:
        return False
    wanted["parameters"] = (*params[:2], [])
    return True


def _anthropic_reasoning_tokens(wanted: dict, src: str, tgt: str, kind: str) -> bool:
    if kind == "request" or "anthropic" not in (src, tgt):
        return False
    usage = wanted["usage"]  # an answer's facts hold it
    if not usage[3]:
        return False
    wanted["usage"] = (*usage[:3], 0)
    return True


def _clear(wanted: dict, key: str, lost: bool) -> bool:
    if lost and wanted.get(key):
        wanted[key] = []
        return True
    return False


DEFAULT_MAX_TOKENS = 4096
HOP_RULES = [
    (
        _no_signatures,
        _l(
            "thinking signatures travel only between formats that carry them, and back only to "
            "the provider that issued them"
        ),
    ),
    (
        _no_foreign_thinking,
        _l("Responses takes back only its own encrypted reasoning, Anthropic only signed thinking"),
    ),
    (_anthropic_max_tokens, _l("Anthropic requires max_tokens (4096 when none is set)")),
    (_responses_stop, _l("Responses has no stop sequences")),
    (_anthropic_reasoning_tokens, _l("Anthropic reports no reasoning-token count")),
]


def expected(case: Case, source: str, target: str) -> tuple[dict, list[str]]:
    """The facts that must survive source → target, and the documented losses on the way."""
    wanted = facts(case.value)
    notes = [str(why) for rule, why in HOP_RULES if rule(wanted, source, target, case.kind)]
    return wanted, notes
