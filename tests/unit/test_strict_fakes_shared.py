"""What the strict fake's validators share: signatures that name their issuer, the model
families read from the provider's own id, and the two schema dialects."""

from __future__ import annotations

import pytest

from tests.fakes import anthropic, gemini, responses
from tests.fakes.script import Behavior, Conversation, build_reply
from tests.fakes.validation import families
from tests.fakes.validation.common import Invalid
from tests.fakes.validation.schemas import check_gemini_schema, json_schema_error
from tests.fakes.validation.signatures import issue, issued_by

FORMATS = ("anthropic", "gemini", "responses")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_signature_is_recognised_by_its_issuer_only(fmt):
    signature = issue(fmt, 7)
    assert issued_by(fmt, signature)
    assert [other for other in FORMATS if issued_by(other, signature)] == [fmt]


@pytest.mark.parametrize(
    "forged",
    ["sig-1", "", None, 42, "fake-anthropic-7", "fake-anthropic-7.000000000000000000000000"],
)
def test_a_forged_or_altered_signature_is_not_recognised(forged):
    assert not issued_by("anthropic", forged)
    tampered = issue("anthropic", 7).replace("-7.", "-8.")
    assert not issued_by("anthropic", tampered)


def test_each_dialect_signs_its_answers_with_its_own_signature():
    reply = build_reply(Behavior(thinking="hm", tool_calls=[("f", "{}")]), Conversation("", None),
                        "m", 5, {})  # fmt: skip
    claude = anthropic.answer(reply)["content"][0]["signature"]
    google = gemini.answer(reply)["candidates"][0]["content"]["parts"][-1]["thoughtSignature"]
    openai = responses.answer(reply)["output"][0]["encrypted_content"]
    assert issued_by("anthropic", claude) and issued_by("gemini", google)
    assert issued_by("responses", openai)
    assert len({claude, google, openai}) == 3


@pytest.mark.parametrize(
    "model, limit, one_sampler",
    [
        ("claude-opus-4-6", 128000, True),
        ("claude-sonnet-4-5-20250929", 64000, True),
        ("claude-haiku-4-5", 64000, True),
        ("claude-opus-4-1-20250805", 32000, True),
        ("claude-opus-4-20250514", 32000, False),
        ("claude-3-5-haiku-20241022", 8192, False),
        ("claude-opus-4-7", None, False),  # not claude-opus-4: an unknown family
        ("fake-model", None, False),
    ],
)
def test_claude_families_come_from_the_model_id(model, limit, one_sampler):
    assert families.claude_max_output(model) == limit
    assert families.claude_one_sampler(model) is one_sampler


@pytest.mark.parametrize(
    "model, reasoning, classic",
    [
        ("o1", True, False),
        ("o3-mini", True, False),
        ("o4-mini-2025-04-16", True, False),
        ("gpt-5", True, False),
        ("gpt-5.2-codex", True, False),
        ("gpt-5-chat-latest", False, True),
        ("gpt-4o-mini", False, True),
        ("gpt-4.1", False, True),
        ("gpt-3.5-turbo", False, True),
        ("llama3.2", False, False),
        ("fake-model", False, False),
    ],
)
def test_openai_families_come_from_the_model_id(model, reasoning, classic):
    assert families.openai_reasoning(model) is reasoning
    assert families.openai_classic(model) is classic


def test_only_gpt_5_1_and_later_sample_while_effort_is_none():
    assert families.samples_without_reasoning("gpt-5.1", None)
    assert families.samples_without_reasoning("gpt-5.2", "none")
    assert not families.samples_without_reasoning("gpt-5.2", "low")
    assert not families.samples_without_reasoning("gpt-5", None)
    assert not families.samples_without_reasoning("gpt-5.1-codex", "none")


@pytest.mark.parametrize(
    "schema, why",
    [
        ({"type": "object", "properties": {"a": {"type": ["string", "null"]}}}, None),
        ({"type": "OBJECT"}, '"OBJECT" is not a valid type'),
        ({"type": "object", "properties": {"a": {"type": "STRING"}}}, "/properties/a"),
        ({"type": "array", "items": {"anyOf": [{"type": "Integer"}]}}, "/items/anyOf/0"),
        ({"$defs": {"x": {"type": "NUMBER"}}}, "/$defs/x"),
    ],
)
def test_json_schema_types_are_lower_case_everywhere(schema, why):
    error = json_schema_error(schema)
    assert (error is None) if why is None else (why in error)


@pytest.mark.parametrize(
    "schema, unknown",
    [
        ({"type": "object", "properties": {"a": {"type": "string", "format": "date"}}}, None),
        ({"type": "OBJECT", "property_ordering": ["a"]}, None),  # proto snake_case spelling
        ({"type": "object", "$schema": "https://json-schema.org/draft/2020-12/schema"}, "$schema"),
        ({"type": "object", "properties": {"a": {"type": "string", "const": "x"}}}, "const"),
        ({"type": "array", "items": {"oneOf": [{"type": "string"}]}}, "oneOf"),
    ],
)
def test_gemini_schema_refuses_what_it_does_not_know(schema, unknown):
    if unknown is None:
        check_gemini_schema(schema, "p")
        return
    with pytest.raises(Invalid) as refused:
        check_gemini_schema(schema, "p")
    assert f'Unknown name "{unknown}"' in refused.value.message


def test_gemini_schema_type_is_one_name_not_a_list():
    with pytest.raises(Invalid) as refused:
        check_gemini_schema({"type": ["string", "null"]}, "p")
    assert "Invalid value at 'p.type'" in refused.value.message
