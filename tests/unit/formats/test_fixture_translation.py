"""Every captured client request translates to every other format and back without losing what
that format can carry: every line of system text (formats may join or move system pieces), the
conversation's text, tool calls (names and arguments), tool results, the tool definitions
(names, descriptions, schemas — for Gemini as its schema sanitizer leaves them), tool_choice,
tool call ids (Gemini: each result still answers its call), thinking with its signature (back
to its own format only: a provider takes only the signatures it issued, another gets none),
images, max_tokens and stop sequences. (Things a target cannot express — Chat has no thinking
signatures, Anthropic folds mid-conversation system messages into the system prompt — are
outside this comparison and covered by each format's own tests.)
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from omniroute.formats import canonical as c
from omniroute.formats.gemini.schema import sanitize_schema, to_json_schema
from omniroute.formats.registry import FORMATS
from tests.formats.client_fixtures import client_records, missing_fixtures_message

SIGNATURES_CARRIED = {"anthropic", "gemini"}  # thinking signatures survive these formats
SOURCE_FORMAT_BY_PATH = {
    "/v1/chat/completions": "openai",
    "/v1/messages": "anthropic",
    "/v1/responses": "responses",
}


def fixture_requests():
    cases = []
    for stem, index, entry in client_records():
        route = entry["path"].split("?")[0]
        fmt = SOURCE_FORMAT_BY_PATH.get(route)
        if fmt and isinstance(entry["body"], dict):
            cases.append(pytest.param(fmt, entry["body"], id=f"{stem}-{index}"))
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
    assert not missing_fixtures_message(), missing_fixtures_message()
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
    assert tool_definitions(back, target) == tool_definitions(original, target)
    assert choice_of(back) == choice_of(original)
    assert call_ids(back, target) == call_ids(original, target)
    assert thinking_of(back, target) == (thinking_of(original, target) if target == source else [])
    assert images_of(back) == images_of(original)
    assert back.stop == original.stop
    if original.max_tokens is not None:
        assert back.max_tokens == original.max_tokens


def tool_definitions(request: c.Request, target: str) -> list:
    """(name, description, schema) of each tool; for Gemini, the schema as sanitized."""
    schema = (lambda s: _gemini_schema(s)) if target == "gemini" else (lambda s: s or EMPTY_SCHEMA)
    return sorted(
        (tool.name, tool.description, json.dumps(schema(tool.parameters), sort_keys=True))
        for tool in request.tools
    )


EMPTY_SCHEMA = {"type": "object", "properties": {}}


def _gemini_schema(schema: dict) -> dict:
    cleaned = sanitize_schema(schema)
    if not (set(cleaned) - {"type"}) or cleaned == EMPTY_SCHEMA:
        return EMPTY_SCHEMA  # Gemini sends no parameters for an empty object
    return to_json_schema(cleaned)


def choice_of(request: c.Request) -> tuple | None:
    """tool_choice; "auto" is what no choice means too."""
    choice = request.tool_choice
    if choice is None or choice.mode == "auto":
        return None
    return (choice.mode, choice.name)


def call_ids(request: c.Request, target: str) -> list:
    """Tool call ids and the ids results answer; for Gemini, which call each result answers
    (Gemini sends ids only back to a client that used them)."""
    calls: list[str] = []
    answers: list = []
    for message in request.messages:
        for part in message.parts:
            if isinstance(part, c.ToolUsePart):
                calls.append(part.id)
            elif isinstance(part, c.ToolResultPart):
                answers.append(
                    calls.index(part.tool_use_id) if part.tool_use_id in calls else part.tool_use_id
                )
    return [answers] if target == "gemini" else [calls, answers]


def thinking_of(request: c.Request, target: str) -> list:
    """Signed thinking (text and signature) where the target carries signatures."""
    if target not in SIGNATURES_CARRIED:
        return []
    return [
        (part.text, part.signature)
        for message in request.messages
        for part in message.parts
        if isinstance(part, c.ThinkingPart) and part.signature
    ]


def images_of(request: c.Request) -> list:
    return [
        (part.data_url, part.media_type if part.data else None)
        for message in request.messages
        for part in message.parts
        for part in (part.content if isinstance(part, c.ToolResultPart) else (part,))
        if isinstance(part, c.ImagePart)
    ]
