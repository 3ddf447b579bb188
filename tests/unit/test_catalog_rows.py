"""The grouped catalog rows (omniroute/providers/rows/): every row checked against its table
entry (prefix, base URL, group, auth, first model and its prices, each transcribed from the
provider's page in the row's docs_url), and the rules every catalog row follows: a group, a
unique lowercase prefix, https (loopback http for local servers), a known wire format and auth
style, non-negative prices, a models listing path, at least 100 providers, and none of the
grouped rows discontinued or waiting for a sign-in flow."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from omniroute.providers import PROVIDERS
from omniroute.providers.catalog import CATALOG
from omniroute.providers.rows import GROUPED_ROWS
from omniroute.providers.spec import GROUPS, ModelSpec, ProviderSpec

ROW_IDS = [spec.id for spec in GROUPED_ROWS]

# id: (prefix, base URL, group, auth, first model, its input / output USD per 1M tokens)
EXPECTED_ROWS = {
    "vercel-ai-gateway": ("vercel", "https://ai-gateway.vercel.sh/v1", "aggregator", "bearer",
        "openai/gpt-4o", None, None),
    "huggingface": ("hf", "https://router.huggingface.co/v1", "aggregator", "bearer",
        "openai/gpt-oss-120b", None, None),
    "nanogpt": ("nanogpt", "https://nano-gpt.com/api/v1", "aggregator", "bearer",
        "openai/gpt-5.2", None, None),
    "aimlapi": ("aimlapi", "https://api.aimlapi.com/v1", "aggregator", "bearer",
        "flux-pro/v1.1", None, None),
    "clarifai": ("clarifai", "https://api.clarifai.com/v2/ext/openai/v1", "aggregator", "bearer",
        "https://clarifai.com/openai/chat-completion/models/gpt-oss-120b", None, None),
    "helicone": ("helicone", "https://ai-gateway.helicone.ai/v1", "aggregator", "bearer",
        "gpt-4o-mini", None, None),
    "aihubmix": ("aihubmix", "https://aihubmix.com/v1", "aggregator", "bearer",
        "o4-mini", None, None),
    "glama": ("glama", "https://gateway.glama.ai/v1", "aggregator", "bearer",
        "openai/gpt-4o", None, None),
    "requesty": ("requesty", "https://router.requesty.ai/v1", "aggregator", "bearer",
        "openai/gpt-4o", None, None),
    "github-models": ("ghm", "https://models.github.ai/inference", "aggregator", "bearer",
        "openai/gpt-4.1", None, None),
    "poe": ("poe", "https://api.poe.com/v1", "subscription", "bearer",
        "Claude-Sonnet-4.6", None, None),
    "ollama-cloud": ("ollama-cloud", "https://ollama.com/v1", "subscription", "bearer",
        "gemma4:31b", None, None),
    "deepinfra": ("deepinfra", "https://api.deepinfra.com/v1/openai", "llm", "bearer",
        "deepseek-ai/DeepSeek-V3.2", None, None),
    "sambanova": ("sambanova", "https://api.sambanova.ai/v1", "llm", "bearer",
        "Meta-Llama-3.3-70B-Instruct", None, None),
    "nebius": ("nebius", "https://api.tokenfactory.nebius.com/v1", "llm", "bearer",
        "meta-llama/Llama-3.3-70B-Instruct", None, None),
    "siliconflow": ("siliconflow", "https://api.siliconflow.com/v1", "llm", "bearer",
        "deepseek-ai/DeepSeek-V3", None, None),
    "hyperbolic": ("hyperbolic", "https://api.hyperbolic.xyz/v1", "llm", "bearer",
        "deepseek-ai/DeepSeek-R1", None, None),
    "novita": ("novita", "https://api.novita.ai/v3/openai", "llm", "bearer",
        "deepseek/deepseek-v3-0324", None, None),
    "featherless": ("featherless", "https://api.featherless.ai/v1", "llm", "bearer",
        "Qwen/Qwen3-32B", None, None),
    "friendliai": ("friendli", "https://api.friendli.ai/serverless/v1", "llm", "bearer",
        "meta-llama-3.1-8b-instruct", None, None),
    "baseten": ("baseten", "https://inference.baseten.co/v1", "llm", "bearer",
        "zai-org/GLM-4.7", None, None),
    "ovhcloud": ("ovh", "https://oai.endpoints.kepler.ai.cloud.ovh.net/v1", "llm", "bearer",
        "gpt-oss-120b", None, None),
    "scaleway": ("scaleway", "https://api.scaleway.ai/v1", "llm", "bearer",
        "llama-3.3-70b-instruct", None, None),
    "chutes": ("chutes", "https://llm.chutes.ai/v1", "llm", "bearer",
        "Qwen/Qwen3-32B-TEE", None, None),
    "nscale": ("nscale", "https://inference.api.nscale.com/v1", "llm", "bearer",
        "meta-llama/Llama-3.1-8B-Instruct", None, None),
    "inference-net": ("inferencenet", "https://api.inference.net/v1", "llm", "bearer",
        "glm-5.2", None, None),
    "parasail": ("parasail", "https://api.parasail.io/v1", "llm", "bearer",
        "parasail-llama-33-70b-fp8", 0.28, 0.78),
    "io-intelligence": ("iointel", "https://api.intelligence.io.solutions/api/v1", "llm", "bearer",
        "meta-llama/Llama-3.3-70B-Instruct", 0.13, 0.38),
    "venice": ("venice", "https://api.venice.ai/api/v1", "llm", "bearer",
        "zai-org-glm-4.7", 0.55, 2.65),
    "nous": ("nous", "https://inference-api.nousresearch.com/v1", "llm", "bearer",
        "Hermes-4-70B", None, None),
    "zai": ("zai", "https://api.z.ai/api/paas/v4", "llm", "bearer",
        "glm-4.7", None, None),
    "dashscope": ("dashscope", "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", "llm",
                  "bearer",
        "qwen3-max", None, None),
    "volcengine": ("volcengine", "https://ark.cn-beijing.volces.com/api/v3", "llm", "bearer",
        "doubao-seed-1-8-251228", None, None),
    "qianfan": ("qianfan", "https://qianfan.baidubce.com/v2", "llm", "bearer",
        "ernie-5.1", None, None),
    "hunyuan": ("hunyuan", "https://api.hunyuan.cloud.tencent.com/v1", "llm", "bearer",
        "hunyuan-turbos-latest", None, None),
    "stepfun": ("stepfun", "https://api.stepfun.ai/v1", "llm", "bearer",
        "step-3.5-flash", 0.1, 0.29),
    "xiaomi-mimo": ("mimo", "https://api.xiaomimimo.com/v1", "llm", "bearer",
        "mimo-v2-flash", None, None),
    "longcat": ("longcat", "https://api.longcat.chat/openai/v1", "llm", "bearer",
        "LongCat-Flash-Chat", None, None),
    "spark": ("spark", "https://spark-api-open.xf-yun.com/v1", "llm", "bearer",
        "4.0Ultra", None, None),
    "upstage": ("upstage", "https://api.upstage.ai/v1", "llm", "bearer",
        "solar-pro3", None, None),
    "ai21": ("ai21", "https://api.ai21.com/studio/v1", "llm", "bearer",
        "jamba-large", 2.0, 8.0),
    "reka": ("reka", "https://api.reka.ai/v1", "llm", "bearer",
        "reka-flash-3", None, None),
    "meta-llama": ("llama-api", "https://api.llama.com/compat/v1", "llm", "bearer",
        "Llama-4-Maverick-17B-128E-Instruct-FP8", None, None),
    "codestral": ("codestral", "https://codestral.mistral.ai/v1", "llm", "bearer",
        "codestral-latest", None, None),
    "inception": ("inception", "https://api.inceptionlabs.ai/v1", "llm", "bearer",
        "mercury-2", 0.25, 0.75),
    "maritaca": ("maritaca", "https://chat.maritaca.ai/api", "llm", "bearer",
        "sabia-4", None, None),
    "sarvam": ("sarvam", "https://api.sarvam.ai/v1", "llm", "bearer",
        "sarvam-105b", None, None),
    "exa": ("exa", "https://api.exa.ai", "search", "bearer",
        "exa", None, None),
    "databricks": ("databricks", "https://WORKSPACE.cloud.databricks.com/serving-endpoints",
                   "enterprise-cloud", "bearer",
        "databricks-claude-sonnet-4-5", None, None),
    "snowflake-cortex": ("snowflake", "https://ACCOUNT.snowflakecomputing.com/api/v2/cortex/v1",
                         "enterprise-cloud", "bearer",
        "claude-sonnet-4-5", None, None),
    "predibase": ("predibase",
                  "https://serving.app.predibase.com/TENANT/deployments/v2/llms/DEPLOYMENT/v1",
                  "llm", "bearer",
        "qwen3-8b", None, None),
    "watsonx": ("watsonx", "https://us-south.ml.cloud.ibm.com", "enterprise-cloud", "bearer",
        "ibm/granite-3-3-8b-instruct", None, None),
    "gigachat": ("gigachat", "https://gigachat.devices.sberbank.ru/api/v1", "llm", "bearer",
        "GigaChat-2", None, None),
    "voyage": ("voyage", "https://api.voyageai.com/v1", "embedding-rerank", "bearer",
        "voyage-3.5", 0.06, None),
    "jina": ("jina", "https://api.jina.ai/v1", "embedding-rerank", "bearer",
        "jina-embeddings-v3", None, None),
    "recraft": ("recraft", "https://external.api.recraft.ai/v1", "image", "bearer",
        "recraftv3", None, None),
    "elevenlabs": ("elevenlabs", "https://api.elevenlabs.io/v1", "audio", "xi-api-key",
        "eleven_multilingual_v2", None, None),
    "cartesia": ("cartesia", "https://api.cartesia.ai", "audio", "bearer",
        "sonic-3.5", None, None),
    "stability": ("stability", "https://api.stability.ai", "image", "bearer",
        "stable-image-core", None, None),
    "bfl": ("bfl", "https://api.bfl.ai/v1", "image", "x-key",
        "flux-pro-1.1", 0.0, 40000.0),  # $0.04 an image, per 1M images
    "fal": ("fal", "https://queue.fal.run", "image", "key",
        "fal-ai/flux/dev", None, None),
    "lemonade-local": ("lemonade-local", "http://127.0.0.1:13305/v1", "local", "bearer",
        "default", 0.0, 0.0),
    "llamafile-local": ("llamafile-local", "http://127.0.0.1:8080/v1", "local", "bearer",
        "default", 0.0, 0.0),
    "docker-model-runner-local": ("dmr-local", "http://127.0.0.1:12434/engines/v1", "local",
                                  "bearer",
        "default", 0.0, 0.0),
    "xinference-local": ("xinference-local", "http://127.0.0.1:9997/v1", "local", "bearer",
        "default", 0.0, 0.0),
    "textgen-webui-local": ("textgen-local", "http://127.0.0.1:5000/v1", "local", "bearer",
        "default", 0.0, 0.0),
    "localai-local": ("localai-local", "http://127.0.0.1:8080/v1", "local", "bearer",
        "default", 0.0, 0.0),
    "jan-local": ("jan-local", "http://127.0.0.1:1337/v1", "local", "bearer",
        "default", 0.0, 0.0),
    "sglang-local": ("sglang-local", "http://127.0.0.1:30000/v1", "local", "bearer",
        "Qwen/Qwen3-8B", 0.0, 0.0),
    "litellm-local": ("litellm-local", "http://127.0.0.1:4000/v1", "local", "bearer",
        "gpt-4o", 0.0, 0.0),
    "lmdeploy-local": ("lmdeploy-local", "http://127.0.0.1:23333/v1", "local", "bearer",
        "internlm2_5-7b-chat", 0.0, 0.0),
    "gpt4all-local": ("gpt4all-local", "http://127.0.0.1:4891/v1", "local", "bearer",
        "Phi-3 Mini Instruct", 0.0, 0.0),
    "tgi-local": ("tgi-local", "http://127.0.0.1:3000/v1", "local", "bearer",
        "tgi", 0.0, 0.0),
    "mlx-local": ("mlx-local", "http://127.0.0.1:8080/v1", "local", "bearer",
        "mlx-community/Meta-Llama-3-8B-Instruct-4bit", 0.0, 0.0),
    "tei-local": ("tei-local", "http://127.0.0.1:8080/v1", "local", "bearer",
        "Qwen/Qwen3-Embedding-0.6B", 0.0, None),
    "infinity-local": ("infinity-local", "http://127.0.0.1:7997", "local", "bearer",
        "BAAI/bge-small-en-v1.5", 0.0, None),
}  # fmt: skip


def test_the_table_covers_every_grouped_row():
    assert list(EXPECTED_ROWS) == ROW_IDS


@pytest.mark.parametrize("provider_id", ROW_IDS)
def test_each_grouped_row_matches_its_table_entry(provider_id):
    prefix, base_url, group, auth, model_id, input_price, output_price = EXPECTED_ROWS[provider_id]
    spec = PROVIDERS[provider_id]
    assert (spec.prefix, spec.base_url, spec.group, spec.auth) == (prefix, base_url, group, auth)
    first = spec.models[0]
    assert first.id == model_id
    assert (first.input_price, first.output_price) == (input_price, output_price)
    # the chat wire format and the OpenAI-compatible media calls, or (speech and image APIs of
    # their own shape) the provider's own adapter (providers/<id>.py)
    assert spec.wire_format in ("openai", spec.id)
    assert spec.docs_url.startswith("https://")


def test_the_catalog_has_at_least_100_providers():
    assert len(CATALOG) >= 100
    assert len({spec.id for spec in CATALOG}) == len(CATALOG)


@pytest.mark.parametrize("spec", CATALOG, ids=lambda spec: spec.id)
def test_every_row_has_a_group_and_a_listing_path(spec):
    assert spec.group in GROUPS
    assert spec.models_path is None or spec.models_path.startswith("/")
    assert spec.prefix == spec.prefix.lower() and spec.prefix.strip() == spec.prefix
    if spec.group == "local":
        assert spec.tier == "local" and spec.id.endswith("-local")


def test_no_grouped_row_is_discontinued_or_waits_for_a_sign_in():
    assert not [spec.id for spec in GROUPED_ROWS if spec.discontinued or spec.needs_sign_in]


def test_local_rows_are_loopback_http_and_keyless_services_are_free():
    for spec in GROUPED_ROWS:
        url = urlparse(spec.base_url)
        if spec.tier == "local":
            assert (url.scheme, url.hostname) == ("http", "127.0.0.1"), spec.id
            assert all(model.input_price == 0.0 for model in spec.models), spec.id
        else:
            assert url.scheme == "https" and url.hostname != "127.0.0.1", spec.id


def test_the_group_follows_the_tier_unless_a_row_names_its_own():
    model = (ModelSpec("m", "M"),)

    def row(**fields) -> ProviderSpec:
        return ProviderSpec("x", "X", "x", "https://x.example", models=model, **fields)

    assert row().group == "llm"
    assert row(tier="cheap").group == "llm"
    assert row(tier="subscription").group == "subscription"
    assert row(tier="local").group == "local"
    assert row(group="aggregator").group == "aggregator"
    assert PROVIDERS["openrouter"].group == PROVIDERS["huggingface"].group == "aggregator"
    assert PROVIDERS["deepgram"].group == PROVIDERS["assemblyai"].group == "audio"
    assert PROVIDERS["claude-code"].group == "subscription"
    assert PROVIDERS["ollama-local"].group == "local"
    assert PROVIDERS["anthropic"].models_path == "/models"
    assert PROVIDERS["deepgram"].models_path is None


def test_free_tiers_are_marked():
    free = {spec.id for spec in CATALOG if spec.free_tier}
    assert {"openrouter", "groq", "cerebras", "nvidia", "ovhcloud", "github-models"} <= free
    assert not {"openai", "anthropic", "poe"} & free


def test_duplicates_of_existing_rows_were_not_added():
    # one row per service: Kimi is Moonshot's API, Doubao is Volcengine Ark's
    for row in GROUPED_ROWS:
        if row.tier != "local":  # local servers may share a default port
            others = [spec.id for spec in CATALOG if spec.base_url == row.base_url]
            assert others == [row.id]
    assert "moonshot" not in PROVIDERS and "doubao" not in PROVIDERS
