"""The provider catalog is data: every row complete, consistent and unambiguous."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from omniroute.providers import PROVIDERS, provider_for_prefix
from omniroute.providers.catalog import CATALOG
from omniroute.providers.rows import GROUPED_ROWS
from omniroute.providers.rows.local import LOCAL_SERVER_ROWS
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
    core = {"ollama-local", "vllm-local", "lmstudio-local", "llamacpp-local"}
    assert set(local) == core | {spec.id for spec in LOCAL_SERVER_ROWS}
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
    assert kinds[("gemini", "gemini-embedding-001")] == "embedding"
    assert ("gemini", "text-embedding-004") not in kinds  # retired by Google on 2026-01-14
    assert kinds[("deepgram", "nova-3")] == kinds[("assemblyai", "best")] == "audio"
    assert kinds[("openai", "gpt-4o-mini")] == "chat"


@pytest.mark.parametrize("spec", CATALOG, ids=lambda spec: spec.id)
def test_every_provider_links_its_documentation(spec):
    parsed = urlparse(spec.docs_url)
    assert parsed.scheme == "https" and parsed.hostname, spec.docs_url


# Every provider: (prefix, base URL, wire format, auth, first model, its input/output price per
# 1M tokens). Prefixes, models, tiers and the cheap plans' prices are the user guide's ("Model
# yang Tersedia", "Sekilas tentang Harga"); base URLs and the other list prices are each
# provider's published API reference and price page. None: no per-token price.
EXPECTED = {
    "claude-code": ("cc", "https://api.anthropic.com/v1", "anthropic", "bearer",
                    "claude-opus-4-6", None, None),
    "codex": ("cx", "https://chatgpt.com/backend-api/codex", "responses", "bearer",
              "gpt-5.2-codex", None, None),
    "gemini-cli": ("gc", "https://cloudcode-pa.googleapis.com/v1internal", "gemini", "bearer",
                   "gemini-3-flash-preview", 0.0, 0.0),
    "github-copilot": ("gh", "https://api.githubcopilot.com", "openai", "bearer", "gpt-5",
                       None, None),
    "openai": ("openai", "https://api.openai.com/v1", "openai", "bearer", "gpt-4o-mini",
               0.15, 0.60),
    "anthropic": ("anthropic", "https://api.anthropic.com/v1", "anthropic", "x-api-key",
                  "claude-sonnet-4-5", 3.00, 15.00),
    "gemini": ("gemini", "https://generativelanguage.googleapis.com/v1beta", "gemini",
               "x-goog-api-key", "gemini-2.5-flash", 0.30, 2.50),
    "deepseek": ("ds", "https://api.deepseek.com/v1", "openai", "bearer", "deepseek-chat",
                 0.28, 0.42),
    "groq": ("groq", "https://api.groq.com/openai/v1", "openai", "bearer",
             "llama-3.3-70b-versatile", 0.59, 0.79),
    "xai": ("xai", "https://api.x.ai/v1", "openai", "bearer", "grok-4", 3.00, 15.00),
    "mistral": ("mistral", "https://api.mistral.ai/v1", "openai", "bearer",
                "mistral-large-2501", 2.00, 6.00),
    "perplexity": ("pplx", "https://api.perplexity.ai", "openai", "bearer", "sonar-pro",
                   3.00, 15.00),
    "together": ("together", "https://api.together.xyz/v1", "openai", "bearer",
                 "meta-llama/Llama-3.3-70B-Instruct-Turbo", 0.88, 0.88),
    "fireworks": ("fireworks", "https://api.fireworks.ai/inference/v1", "openai", "bearer",
                  "accounts/fireworks/models/deepseek-v3p1", 0.56, 1.68),
    "cerebras": ("cerebras", "https://api.cerebras.ai/v1", "openai", "bearer", "llama-3.3-70b",
                 0.85, 1.20),
    "cohere": ("cohere", "https://api.cohere.ai/compatibility/v1", "openai", "bearer",
               "command-r-plus-08-2024", 2.50, 10.00),
    "nvidia": ("nvidia", "https://integrate.api.nvidia.com/v1", "openai", "bearer",
               "nvidia/llama-3.3-70b-instruct", None, None),
    "openrouter": ("openrouter", "https://openrouter.ai/api/v1", "openai", "bearer",
                   "openrouter/auto", None, None),
    "azure-openai": ("azure", "https://RESOURCE.openai.azure.com", "openai", "api-key",
                     "gpt-4o", None, None),
    "azure-ai-foundry": ("foundry", "https://RESOURCE.services.ai.azure.com", "openai",
                         "api-key", "DeepSeek-R1", None, None),
    "google-vertex": ("vertex", "https://aiplatform.googleapis.com", "openai", "bearer",
                      "google/gemini-2.5-flash", 0.30, 2.50),
    "cloudflare-workers-ai": ("cf", "https://api.cloudflare.com/client/v4", "openai", "bearer",
                              "@cf/meta/llama-3.1-8b-instruct", 0.282, 0.827),
    "bedrock": ("bedrock", "https://bedrock-runtime.us-east-1.amazonaws.com", "bedrock", "bearer",
                "global.anthropic.claude-sonnet-4-5-20250929-v1:0", 3.00, 15.00),
    "deepgram": ("deepgram", "https://api.deepgram.com/v1", "deepgram", "token", "nova-3",
                 None, None),
    "assemblyai": ("assemblyai", "https://api.assemblyai.com/v2", "assemblyai",
                   "authorization", "best", None, None),
    "glm": ("glm", "https://open.bigmodel.cn/api/coding/paas/v4", "openai", "bearer",
            "glm-4.7", 0.60, 2.20),
    "minimax": ("minimax", "https://api.minimax.io/v1", "openai", "bearer", "MiniMax-M2.1",
                0.20, 1.10),
    "kimi": ("kimi", "https://api.moonshot.ai/v1", "openai", "bearer", "kimi-latest",
             None, None),
    "iflow": ("if", "https://apis.iflow.cn/v1", "openai", "bearer", "kimi-k2-thinking",
              0.0, 0.0),
    "qwen": ("qw", "https://portal.qwen.ai/v1", "openai", "bearer", "qwen3-coder-plus",
             0.0, 0.0),
    "kiro": ("kr", "https://codewhisperer.us-east-1.amazonaws.com", "anthropic", "bearer",
             "claude-sonnet-4.5", 0.0, 0.0),
    "ollama-local": ("ollama-local", "http://127.0.0.1:11434/v1", "openai", "bearer",
                     "llama3.2", 0.0, 0.0),
    "vllm-local": ("vllm-local", "http://127.0.0.1:8000/v1", "openai", "bearer",
                   "Qwen/Qwen2.5-Coder-7B-Instruct", 0.0, 0.0),
    "lmstudio-local": ("lmstudio-local", "http://127.0.0.1:1234/v1", "openai", "bearer",
                       "qwen2.5-coder-7b-instruct", 0.0, 0.0),
    "llamacpp-local": ("llamacpp-local", "http://127.0.0.1:8080/v1", "openai", "bearer",
                       "default", 0.0, 0.0),
}  # fmt: skip


def test_the_table_covers_every_provider():
    # the grouped rows (providers/rows/) have their own table in test_catalog_rows.py
    assert set(EXPECTED) == set(IDS) - {spec.id for spec in GROUPED_ROWS}


@pytest.mark.parametrize("provider_id", sorted(EXPECTED))
def test_base_url_format_auth_and_prices(provider_id):
    prefix, base_url, wire, auth, model_id, input_price, output_price = EXPECTED[provider_id]
    spec = PROVIDERS[provider_id]
    assert (spec.prefix, spec.base_url, spec.wire_format, spec.auth) == (
        prefix,
        base_url,
        wire,
        auth,
    )
    model = spec.models[0]
    assert (model.id, model.input_price, model.output_price) == (
        model_id,
        input_price,
        output_price,
    )


def test_embedding_models_and_their_input_prices():
    embeddings = {
        (spec.id, m.id): (m.input_price, m.output_price)
        for spec in CATALOG
        for m in spec.models
        if m.kind == "embedding"
    }
    assert embeddings == {
        ("openai", "text-embedding-3-small"): (0.02, None),
        ("openai", "text-embedding-3-large"): (0.13, None),
        ("gemini", "gemini-embedding-001"): (0.15, None),
        ("mistral", "mistral-embed"): (0.10, None),
        ("cohere", "embed-v4.0"): (0.12, None),
        ("ollama-local", "nomic-embed-text"): (0.0, None),
        ("azure-openai", "text-embedding-3-small"): (None, None),  # priced per deployment
        ("cloudflare-workers-ai", "@cf/baai/bge-large-en-v1.5"): (0.204, None),
        ("novita", "qwen/qwen3-embedding-0.6b"): (None, None),
        ("hunyuan", "hunyuan-embedding"): (None, None),
        ("databricks", "databricks-gte-large-en"): (None, None),  # billed in DBUs
        ("voyage", "voyage-3.5"): (0.06, None),
        ("voyage", "voyage-3-large"): (0.18, None),
        ("jina", "jina-embeddings-v3"): (None, None),  # sold as token packs
        ("tei-local", "Qwen/Qwen3-Embedding-0.6B"): (0.0, None),
        ("infinity-local", "BAAI/bge-small-en-v1.5"): (0.0, None),
    }


def test_only_the_providers_without_a_sign_in_flow_are_marked():
    # Gemini CLI's Cloud Code endpoint and Kiro's CodeWhisperer API are not the plain
    # Gemini / Anthropic APIs their wire format names: they need the later sign-in flow.
    assert {spec.id for spec in CATALOG if spec.needs_sign_in} == {"gemini-cli", "kiro"}


def test_aggregators_use_slash_model_ids():
    slash = {spec.id for spec in CATALOG if spec.slash_ids}
    assert {"openrouter", "together", "fireworks", "groq", "nvidia", "cerebras"} <= slash
    assert not {"openai", "anthropic", "gemini", "deepseek", "mistral"} & slash
    assert PROVIDERS["fireworks"].image_api == "fireworks-workflow"
    assert {spec.image_api for spec in CATALOG if spec.id != "fireworks"} == {"openai"}
