"""The provider catalog is data: every row complete, consistent and unambiguous."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from omniroute.providers import PROVIDERS, provider_for_prefix
from omniroute.providers.catalog import CATALOG
from omniroute.providers.spec import AUTH_STYLES, MODEL_KINDS, PROVIDER_WIRE_FORMATS, TIERS

IDS = [spec.id for spec in CATALOG]


def test_ids_and_prefixes_are_unique_across_each_other():
    assert len(set(IDS)) == len(IDS)
    prefixes = [spec.prefix for spec in CATALOG]
    assert len(set(prefixes)) == len(prefixes)
    for spec in CATALOG:
        # a prefix must not be another provider's id (and vice versa): lookups stay unambiguous
        other = PROVIDERS.get(spec.prefix)
        assert other is None or other is spec, (spec.id, spec.prefix)
        assert provider_for_prefix(spec.prefix) is spec
        assert provider_for_prefix(spec.id) is spec


@pytest.mark.parametrize("spec", CATALOG, ids=IDS)
def test_every_entry_is_complete(spec):
    assert spec.id and spec.name and spec.prefix
    assert spec.prefix == spec.prefix.lower() and "/" not in spec.prefix
    assert spec.wire_format in PROVIDER_WIRE_FORMATS
    assert spec.auth in AUTH_STYLES
    assert spec.tier in TIERS
    url = urlparse(spec.base_url)
    assert url.scheme == ("http" if spec.tier == "local" else "https"), spec.base_url
    assert url.hostname and not url.query and not url.fragment
    assert not spec.base_url.endswith("/")
    assert spec.models, "at least one model"
    model_ids = [model.id for model in spec.models]
    assert len(set(model_ids)) == len(model_ids)
    for model in spec.models:
        assert model.id and model.id == model.id.strip() and model.name
        assert model.kind in MODEL_KINDS
        assert model.context_length is None or model.context_length > 0
        for price in (model.input_price, model.output_price):
            assert price is None or price >= 0


def test_local_servers_only_are_plain_http():
    local = {spec.id: spec.base_url for spec in CATALOG if spec.tier == "local"}
    assert set(local) == {"ollama-local", "vllm-local", "lmstudio-local", "llamacpp-local"}
    assert all(url.startswith("http://127.0.0.1:") for url in local.values())


@pytest.mark.parametrize(
    "model",
    [
        "cc/claude-opus-4-6",
        "cx/gpt-5.2-codex",
        "gc/gemini-3-flash-preview",
        "gh/gpt-5",
        "glm/glm-4.7",
        "minimax/MiniMax-M2.1",
        "kimi/kimi-latest",
        "if/kimi-k2-thinking",
        "qw/qwen3-coder-plus",
        "kr/claude-sonnet-4.5",
        "ds/deepseek-chat",
        "groq/llama-3.3-70b-versatile",
        "xai/grok-4",
        "mistral/codestral-2501",
        "pplx/sonar-pro",
        "together/meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "fireworks/accounts/fireworks/models/deepseek-v3p1",
        "cerebras/llama-3.3-70b",
        "cohere/command-r-plus-08-2024",
        "nvidia/nvidia/llama-3.3-70b-instruct",
        "openrouter/openrouter/auto",
        "openai/gpt-4o-mini",
        "anthropic/claude-sonnet-4-5",
        "gemini/gemini-2.5-flash",
        "deepgram/nova-3",
        "assemblyai/best",
    ],
)
def test_the_guides_models_are_listed(model):
    prefix, _, model_id = model.partition("/")
    spec = provider_for_prefix(prefix)
    assert spec is not None and model_id in {m.id for m in spec.models}


def test_tiers_formats_auth_and_kinds_from_the_guide():
    tier = {spec.prefix: spec.tier for spec in CATALOG}
    assert {tier[p] for p in ("cc", "cx", "gc", "gh")} == {"subscription"}
    assert {tier[p] for p in ("glm", "minimax", "kimi")} == {"cheap"}
    assert {tier[p] for p in ("if", "qw", "kr")} == {"free"}
    fmt = {spec.prefix: spec.wire_format for spec in CATALOG}
    assert (fmt["cc"], fmt["cx"], fmt["gc"], fmt["kr"]) == (
        "anthropic",
        "responses",
        "gemini",
        "anthropic",
    )
    assert PROVIDERS["deepgram"].auth == "token" and PROVIDERS["assemblyai"].auth == "authorization"
    assert PROVIDERS["kimi"].base_url == "https://api.moonshot.ai/v1"
    assert PROVIDERS["cohere"].base_url == "https://api.cohere.ai/compatibility/v1"
    glm = {m.id: m for m in PROVIDERS["glm"].models}["glm-4.7"]
    minimax = {m.id: m for m in PROVIDERS["minimax"].models}["MiniMax-M2.1"]
    assert (glm.input_price, minimax.input_price) == (0.6, 0.2)
    kinds = {(spec.id, m.id): m.kind for spec in CATALOG for m in spec.models}
    assert kinds[("openai", "text-embedding-3-small")] == "embedding"
    assert kinds[("openai", "gpt-image-1")] == "image"
    assert kinds[("openai", "whisper-1")] == "audio"
    assert kinds[("gemini", "text-embedding-004")] == "embedding"
    assert kinds[("deepgram", "nova-3")] == kinds[("assemblyai", "best")] == "audio"
    assert kinds[("openai", "gpt-4o-mini")] == "chat"


@pytest.mark.parametrize("spec", CATALOG, ids=lambda spec: spec.id)
def test_every_provider_links_its_documentation(spec):
    parsed = urlparse(spec.docs_url)
    assert parsed.scheme == "https" and parsed.hostname, spec.docs_url
