"""Property-style round trips: seeded random canonical requests (system, text, images, tools,
tool calls and their results, stop sequences, max_tokens) are built in each wire format and
parsed back; what that format carries must compare equal.

Normalisation is limited to what a format legitimately reshapes: consecutive messages of one
role form one turn (Chat sends tool results as their own messages), Chat joins the system
parts into one, and Gemini has no call ids (a result is matched to its call by position) and
sanitizes schemas (these ones are already in the subset it keeps); the Responses API has no stop
sequences (they are dropped with a log line).
"""

from __future__ import annotations

import dataclasses
import json
import random
import string

import pytest

from omniroute.formats import canonical as c
from omniroute.formats.registry import FORMATS

CASES = 300
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQ"
    "AAAABJRU5ErkJggg=="
)


def _words(rng: random.Random, low: int = 1, high: int = 6) -> str:
    return " ".join(
        "".join(rng.choices(string.ascii_letters + "éü'\"", k=rng.randint(1, 8)))
        for _ in range(rng.randint(low, high))
    )


def _tool(rng: random.Random, index: int) -> c.Tool:
    properties = {
        f"p{i}": rng.choice(
            [
                {"type": "string", "description": _words(rng)},
                {"type": "integer"},
                {"type": "array", "items": {"type": "string"}},
                {"type": "string", "enum": ["a", "b"]},
            ]
        )
        for i in range(rng.randint(0, 3))
    }
    schema: dict = {"type": "object", "properties": properties}
    if properties:
        schema["required"] = sorted(rng.sample(sorted(properties), rng.randint(1, len(properties))))
    return c.Tool(name=f"tool_{index}", description=_words(rng), parameters=schema)


def _arguments(rng: random.Random) -> str:
    value = {f"k{i}": rng.choice([_words(rng), rng.randint(-5, 500), True]) for i in range(3)}
    return json.dumps(value, separators=(",", ":"))


def random_request(rng: random.Random, case: int) -> c.Request:
    tools = tuple(_tool(rng, i) for i in range(rng.randint(0, 3)))
    messages: list[c.Message] = []
    pending: list[c.ToolUsePart] = []
    for turn in range(rng.randint(1, 3)):
        user: list[c.Part] = [
            c.ToolResultPart(call.id, (c.TextPart(_words(rng)),), name=call.name)
            for call in pending
        ]
        user.append(c.TextPart(_words(rng)))
        if rng.random() < 0.3:
            user.append(c.ImagePart(media_type="image/png", data=PNG))
        messages.append(c.Message("user", tuple(user)))
        assistant: list[c.Part] = [c.TextPart(_words(rng))]
        pending = [
            c.ToolUsePart(f"call_{case}_{turn}_{i}", tool.name, _arguments(rng))
            for i, tool in enumerate(rng.sample(tools, rng.randint(0, len(tools))))
        ]
        messages.append(c.Message("assistant", (*assistant, *pending)))
    if pending:
        results = [c.ToolResultPart(call.id, (c.TextPart(_words(rng)),)) for call in pending]
        messages.append(c.Message("user", (*results, c.TextPart(_words(rng)))))
    else:
        messages.append(c.Message("user", (c.TextPart(_words(rng)),)))
    return c.Request(
        model="some-model",
        messages=tuple(messages),
        system=tuple(c.TextPart(_words(rng)) for _ in range(rng.randint(0, 1))),
        tools=tools,
        max_tokens=rng.randint(1, 50000),
        stop=tuple(_words(rng, 1, 2) for _ in range(rng.randint(0, 3))),
    )


def carried(request: c.Request, fmt: str) -> dict:
    """What `fmt` carries of a request, with only the reshaping a format may do undone."""
    turns: list[tuple[str, list]] = []
    ids: dict[str, int] = {}
    for message in request.messages:
        parts = []
        for part in message.parts:
            if isinstance(part, c.ToolUsePart):
                ids.setdefault(part.id, len(ids))
                call_id = ids[part.id] if fmt == "gemini" else part.id
                parts.append(("call", call_id, part.name, json.loads(part.arguments)))
            elif isinstance(part, c.ToolResultPart):
                answered = ids.get(part.tool_use_id) if fmt == "gemini" else part.tool_use_id
                parts.append(("result", answered, part.text))
            elif isinstance(part, c.TextPart):
                parts.append(("text", part.text))
            elif isinstance(part, c.ImagePart):
                parts.append(("image", part.data_url))
            else:
                parts.append(("other", part))
        if turns and turns[-1][0] == message.role:
            turns[-1][1].extend(parts)
        else:
            turns.append((message.role, parts))
    return {
        "system": request.system_text,
        "turns": turns,
        "tools": [(t.name, t.description, t.parameters) for t in request.tools],
        "max_tokens": request.max_tokens,
        "stop": request.stop if fmt != "responses" else (),  # Responses has no stop sequences
    }


REQUESTS = [random_request(random.Random(seed), seed) for seed in range(CASES)]


def test_the_generator_covers_every_feature() -> None:
    kinds = {
        kind
        for request in REQUESTS
        for _, parts in carried(request, "openai")["turns"]
        for kind, *_ in parts
    }
    assert kinds == {"call", "result", "text", "image"}
    assert any(r.stop for r in REQUESTS) and any(r.system for r in REQUESTS)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_random_requests_round_trip_through_each_format(fmt: str) -> None:
    module = FORMATS[fmt]
    for seed, request in enumerate(REQUESTS):
        built = module.build_request(request)
        json.dumps(built)
        back = module.parse_request(built)
        if fmt == "gemini":  # the model travels in the URL, not the body
            back = dataclasses.replace(back, model=request.model)
        assert carried(back, fmt) == carried(request, fmt), f"seed {seed}"
        assert back.model == request.model
