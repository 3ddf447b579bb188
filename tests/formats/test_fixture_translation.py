"""Every captured client request translates to every other format and back without losing what
that format can carry: every line of system text (formats may join or move system pieces), the
conversation's text, tool calls (names and arguments),
tool results, and the tool definitions. (Things a target cannot express — Gemini has no call ids,
Chat has no thinking signatures, Anthropic folds mid-conversation system messages into the
system prompt — are outside this comparison and covered by each format's own tests.)
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from omniroute.formats import canonical as c
from omniroute.formats.registry import FORMATS

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "clients"
SOURCE_FORMAT_BY_PATH = {
    "/v1/chat/completions": "openai",
    "/v1/messages": "anthropic",
    "/v1/responses": "responses",
}


def fixture_requests():
    cases = []
    for path in sorted(FIXTURES.glob("*.json")):
        for index, entry in enumerate(json.loads(path.read_text())):
            route = entry["path"].split("?")[0]
            fmt = SOURCE_FORMAT_BY_PATH.get(route)
            if fmt and isinstance(entry["body"], dict):
                cases.append(pytest.param(fmt, entry["body"], id=f"{path.stem}-{index}"))
    return cases


def carried(request: c.Request) -> dict:
    """What every format can carry, normalised so legitimate re-shaping compares equal."""
    system = [p.text.strip() for p in request.system if p.text.strip()]
    items = []
    for message in request.messages:
        if message.role == "system":
            system.extend(
                p.text.strip()
                for p in message.parts
                if isinstance(p, c.TextPart) and p.text.strip()
            )
            continue
        for part in message.parts:
            if isinstance(part, c.TextPart) and part.text.strip():
                items.append(("text", message.role, part.text.strip()))
            elif isinstance(part, c.ToolUsePart):
                items.append(("tool_use", part.name, json.dumps(part.input, sort_keys=True)))
            elif isinstance(part, c.ToolResultPart):
                items.append(("tool_result", part.text.strip()))
    lines = sorted(line.strip() for piece in system for line in piece.splitlines() if line.strip())
    return {
        "system": lines,
        "items": _merge_adjacent_text(items),
        "tools": sorted(tool.name for tool in request.tools),
    }


def _merge_adjacent_text(items: list) -> list:
    """Consecutive text of one role may be joined or split by a format; compare it joined."""
    merged: list = []
    for item in items:
        if merged and item[0] == "text" and merged[-1][0] == "text" and merged[-1][1] == item[1]:
            merged[-1] = ("text", item[1], merged[-1][2] + "\n" + item[2])
        else:
            merged.append(item)
    return [
        (kind, *rest) if kind != "text" else ("text", rest[0], " ".join(rest[1].split()))
        for kind, *rest in merged
    ]


def test_there_are_fixtures_of_every_client_format():
    formats = {case.values[0] for case in fixture_requests()}
    assert formats == {"openai", "anthropic", "responses"}


@pytest.mark.parametrize("target", sorted(FORMATS))
@pytest.mark.parametrize("source, body", fixture_requests())
def test_fixture_survives_a_trip_through_every_format(source, body, target):
    original = FORMATS[source].parse_request(body)
    original = dataclasses.replace(original, model="some-model")
    built = FORMATS[target].build_request(original)
    json.dumps(built)  # what goes on the wire must serialise
    back = FORMATS[target].parse_request(built)
    assert carried(back) == carried(original)
    if original.tools:
        assert {t.name for t in back.tools} == {t.name for t in original.tools}
    if original.max_tokens is not None and target != "gemini":
        assert back.max_tokens == original.max_tokens
