"""Reading a provider's own model list (providers/model_lists.py) in each shape providers answer
with, and the catalog page's monograms and filters (web/providers/catalog_filters.py)."""

from __future__ import annotations

import json

import pytest

from omniroute.providers import PROVIDERS
from omniroute.providers.model_lists import (
    ListedId,
    ModelListError,
    list_query,
    parse_model_list,
)
from omniroute.web.providers.catalog_filters import CatalogFilter, monogram


def _parse(payload) -> list[ListedId]:
    return parse_model_list(json.dumps(payload).encode())


def test_openai_shape():
    listed = _parse({"object": "list", "data": [{"id": "gpt-4o", "object": "model"}]})
    assert listed == [ListedId("gpt-4o")]


def test_anthropic_shape_keeps_the_display_name():
    payload = {
        "data": [{"type": "model", "id": "claude-opus-4-6", "display_name": "Claude Opus 4.6"}],
        "has_more": False,
    }
    assert _parse(payload) == [ListedId("claude-opus-4-6", "Claude Opus 4.6")]


def test_gemini_shape_drops_the_resource_prefix():
    payload = {
        "models": [{"name": "models/gemini-2.5-pro", "displayName": "Gemini 2.5 Pro"}],
        "nextPageToken": "x",
    }
    assert _parse(payload) == [ListedId("gemini-2.5-pro", "Gemini 2.5 Pro")]


def test_ollama_tags_shape():
    payload = {"models": [{"name": "llama3:latest", "model": "llama3:latest", "size": 1}]}
    assert _parse(payload) == [ListedId("llama3:latest")]


def test_bedrock_and_cloudflare_shapes():
    bedrock = {"modelSummaries": [{"modelId": "amazon.nova-pro-v1:0", "modelName": "Nova Pro"}]}
    assert _parse(bedrock) == [ListedId("amazon.nova-pro-v1:0", "Nova Pro")]
    cloudflare = {"success": True, "result": [{"name": "@cf/meta/llama-3.1-8b-instruct"}]}
    assert _parse(cloudflare) == [ListedId("@cf/meta/llama-3.1-8b-instruct")]


def test_cloudflare_search_names_the_model_in_name_not_its_uuid():
    entry = {"id": "f8a2c3e1-0000-4000-8000-000000000001", "name": "@cf/qwen/qwq-32b",
             "source": 1, "task": {"name": "Text Generation"}}  # fmt: skip
    assert _parse({"success": True, "result": [entry]}) == [ListedId("@cf/qwen/qwq-32b")]


def test_vertex_publisher_models_are_routed_as_publisher_slash_model():
    payload = {
        "publisherModels": [
            {"name": "publishers/google/models/gemini-2.5-pro", "versionId": "001"},
            {"name": "publishers/google/models/gemini-2.5-flash"},
        ],
        "nextPageToken": "",
    }
    assert _parse(payload) == [
        ListedId("google/gemini-2.5-pro"),
        ListedId("google/gemini-2.5-flash"),
    ]


def test_azure_models_list_shape():
    entry = {
        "id": "gpt-4o",
        "object": "model",
        "status": "succeeded",
        "capabilities": {"chat_completion": True},
        "lifecycle_status": "generally-available",
    }
    assert _parse({"object": "list", "data": [entry]}) == [ListedId("gpt-4o")]


def test_a_bare_list_and_ids_that_cannot_be_routed():
    payload = [
        {"id": "ok-1"},
        "ok-2",
        {"id": "has space"},
        {"id": ""},
        {"id": "x" * 201},
        {"id": 7},
        None,
        {"id": "ok-1"},  # listed twice: once
    ]
    assert [item.id for item in _parse(payload)] == ["ok-1", "ok-2"]


@pytest.mark.parametrize(
    "raw", [b"<html>", b'{"object": "list"}', b'"text"', b"\xff\xfe", b'{"data": {}}']
)
def test_what_is_not_a_list_is_an_error(raw):
    with pytest.raises(ModelListError):
        parse_model_list(raw)


def test_whole_list_in_one_page():
    assert list_query("anthropic") == "limit=1000"
    assert list_query("gemini") == "pageSize=1000"
    assert list_query("openai") == ""


@pytest.mark.parametrize(
    ("provider", "letters"),
    [
        ("openrouter", "OR"),
        ("xai", "XA"),
        ("groq", "GR"),
        ("claude-code", "CC"),
        ("deepseek", "DS"),
    ],
)
def test_monograms(provider, letters):
    mark = monogram(PROVIDERS[provider])
    assert mark["letters"] == letters and 1 <= mark["colour"] <= 6


def test_filters_from_query_parameters():
    chosen = CatalogFilter.from_args(
        {"q": "  open   router ", "group": "aggregator", "tier": "nope", "configured": "on"}
    )
    assert chosen == CatalogFilter("open router", "aggregator", "", True, False)
    assert chosen.active and not chosen.configured_view
    assert CatalogFilter.from_args({"configured": "1"}).configured_view
    assert not CatalogFilter.from_args({"free": "0", "q": " "}).active
