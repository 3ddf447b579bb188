"""API-key LLM providers that speak OpenAI Chat Completions at their base URL: inference hosts
of open models (their ids name the model's vendor, so they take slash ids), model makers'
own APIs, and Exa's answer API (the search group). Prices are USD per 1M input / output tokens
where the provider publishes them in USD, None otherwise (CNY, INR or BRL price lists, per
request or per subscription).

`stream_usage_option=False` where the provider is not known to accept
`stream_options.include_usage` (a strict validator would refuse the whole request)."""

from __future__ import annotations

from ..spec import ModelSpec as M
from ..spec import ProviderSpec as P

EMB = "embedding"

# fmt: off
LLM_HOSTS: tuple[P, ...] = (
    # --- hosts of open models ------------------------------------------------------------
    P("deepinfra", "DeepInfra", "deepinfra", "https://api.deepinfra.com/v1/openai",
      slash_ids=True, docs_url="https://deepinfra.com/docs/advanced/openai_api", models=(
        M("deepseek-ai/DeepSeek-V3.2", "DeepSeek V3.2"),
        M("meta-llama/Llama-3.3-70B-Instruct", "Llama 3.3 70B"),
    )),
    P("sambanova", "SambaNova Cloud", "sambanova", "https://api.sambanova.ai/v1",
      docs_url="https://docs.sambanova.ai/cloud/docs/resources/glossary", models=(
        M("Meta-Llama-3.3-70B-Instruct", "Llama 3.3 70B", 131072),
        M("gpt-oss-120b", "gpt-oss-120b", 131072),
        M("DeepSeek-V3.1", "DeepSeek V3.1", 131072),
    )),
    P("nebius", "Nebius Token Factory", "nebius", "https://api.tokenfactory.nebius.com/v1",
      slash_ids=True,
      docs_url="https://docs.tokenfactory.nebius.com/api-reference/examples/text-generation",
      models=(
        M("meta-llama/Llama-3.3-70B-Instruct", "Llama 3.3 70B"),
        M("openai/gpt-oss-120b", "gpt-oss-120b"),
        M("deepseek-ai/DeepSeek-V3.1", "DeepSeek V3.1"),
    )),
    P("siliconflow", "SiliconFlow", "siliconflow", "https://api.siliconflow.com/v1",
      slash_ids=True,
      docs_url="https://docs.siliconflow.com/en/api-reference/chat-completions/chat-completions",
      models=(
        M("deepseek-ai/DeepSeek-V3", "DeepSeek V3"),
        M("Qwen/Qwen3-8B", "Qwen3 8B"),
        M("Pro/deepseek-ai/DeepSeek-R1", "DeepSeek R1 (Pro)"),
    )),
    P("hyperbolic", "Hyperbolic", "hyperbolic", "https://api.hyperbolic.xyz/v1",
      slash_ids=True, docs_url="https://docs.hyperbolic.ai/inference/text-apis", models=(
        M("deepseek-ai/DeepSeek-R1", "DeepSeek R1"),
        M("deepseek-ai/DeepSeek-V3", "DeepSeek V3"),
    )),
    P("novita", "Novita AI", "novita", "https://api.novita.ai/v3/openai", slash_ids=True,
      docs_url="https://novita.ai/docs/guides/llm-api", models=(
        M("deepseek/deepseek-v3-0324", "DeepSeek V3 0324"),
        M("moonshotai/kimi-k2.5", "Kimi K2.5"),
        M("zai-org/glm-5", "GLM-5"),
        M("qwen/qwen3-embedding-0.6b", "Qwen3 Embedding 0.6B", kind=EMB),
    )),
    P("featherless", "Featherless AI", "featherless", "https://api.featherless.ai/v1",
      slash_ids=True, docs_url="https://featherless.ai/docs/quickstart-guide", models=(
        M("Qwen/Qwen3-32B", "Qwen3 32B"),
        M("unsloth/Llama-3.3-70B-Instruct", "Llama 3.3 70B"),
    )),
    P("friendliai", "FriendliAI", "friendli", "https://api.friendli.ai/serverless/v1",
      models_path=None, docs_url="https://friendli.ai/docs/openapi/create-chat-completions",
      models=(
        M("meta-llama-3.1-8b-instruct", "Llama 3.1 8B"),
    )),
    P("baseten", "Baseten Model APIs", "baseten", "https://inference.baseten.co/v1",
      slash_ids=True, models_path=None, docs_url="https://docs.baseten.co/quickstart", models=(
        M("zai-org/GLM-4.7", "GLM-4.7"),
        M("openai/gpt-oss-120b", "gpt-oss-120b"),
    )),
    P("ovhcloud", "OVHcloud AI Endpoints", "ovh",
      "https://oai.endpoints.kepler.ai.cloud.ovh.net/v1", free_tier=True,
      docs_url="https://ovh.github.io/apache-airflow-provider-ovhcloud-ai/ai-endpoints",
      models=(
        M("gpt-oss-120b", "gpt-oss-120b", 131072),
        M("gpt-oss-20b", "gpt-oss-20b", 131072),
        M("Meta-Llama-3_3-70B-Instruct", "Llama 3.3 70B", 131072),
    )),
    P("scaleway", "Scaleway Generative APIs", "scaleway", "https://api.scaleway.ai/v1",
      docs_url="https://www.scaleway.com/en/docs/generative-apis/api-cli/using-chat-api",
      models=(
        M("llama-3.3-70b-instruct", "Llama 3.3 70B"),
        M("mistral-small-3.2-24b-instruct-2506", "Mistral Small 3.2"),
        M("llama-3.1-8b-instruct", "Llama 3.1 8B"),
    )),
    P("chutes", "Chutes", "chutes", "https://llm.chutes.ai/v1", slash_ids=True,
      docs_url="https://chutes.ai/agents/langchain", models=(
        M("Qwen/Qwen3-32B-TEE", "Qwen3 32B (TEE)", 40000),
        M("deepseek-ai/DeepSeek-V3-0324", "DeepSeek V3 0324"),
        M("moonshotai/Kimi-K2-Instruct", "Kimi K2"),
    )),
    P("nscale", "Nscale", "nscale", "https://inference.api.nscale.com/v1", slash_ids=True,
      docs_url="https://docs.nscale.com/docs/inference/serverless-models/overview", models=(
        M("meta-llama/Llama-3.1-8B-Instruct", "Llama 3.1 8B"),
        M("meta-llama/Llama-4-Scout-17B-16E-Instruct", "Llama 4 Scout"),
    )),
    P("inference-net", "Inference.net", "inferencenet", "https://api.inference.net/v1",
      docs_url="https://docs.inference.net/api/api-quickstart", models=(
        M("glm-5.2", "GLM-5.2"),
    )),
    P("parasail", "Parasail", "parasail", "https://api.parasail.io/v1",
      docs_url="https://docs.parasail.io/parasail-docs/api-reference/authentication", models=(
        M("parasail-llama-33-70b-fp8", "Llama 3.3 70B FP8", None, 0.28, 0.78),
        M("parasail-deepseek-r1-0528", "DeepSeek R1 0528", None, 0.79, 4.00),
    )),
    P("io-intelligence", "IO Intelligence (io.net)", "iointel",
      "https://api.intelligence.io.solutions/api/v1", slash_ids=True,
      docs_url="https://io.net/docs/guides/intelligence/io-intelligence", models=(
        M("meta-llama/Llama-3.3-70B-Instruct", "Llama 3.3 70B", 128000, 0.13, 0.38),
    )),
    P("venice", "Venice AI", "venice", "https://api.venice.ai/api/v1",
      docs_url="https://docs.venice.ai/api-reference/api-spec", models=(
        M("zai-org-glm-4.7", "GLM-4.7", None, 0.55, 2.65),
        M("zai-org-glm-4.6", "GLM-4.6", 198000, 0.43, 1.75),
    )),
    # --- model makers' own APIs ----------------------------------------------------------
    P("nous", "Nous Research", "nous", "https://inference-api.nousresearch.com/v1",
      docs_url="https://metacpan.org/pod/Langertha::Engine::NousResearch", models=(
        M("Hermes-4-70B", "Hermes 4 70B", 128000),
        M("Hermes-4-405B", "Hermes 4 405B", 128000),
    )),
    P("zai", "Z.AI (GLM, international)", "zai", "https://api.z.ai/api/paas/v4",
      models_path=None, docs_url="https://docs.z.ai/api-reference/introduction", models=(
        M("glm-4.7", "GLM-4.7", 200000),
        M("glm-4.6", "GLM-4.6", 200000),
        M("glm-4.5-flash", "GLM-4.5 Flash"),
    )),
    P("dashscope", "Alibaba Cloud Model Studio (DashScope)", "dashscope",
      "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", models_path=None,
      docs_url="https://www.alibabacloud.com/help/en/model-studio/compatibility-of-openai-with-dashscope",
      models=(
        M("qwen3-max", "Qwen3 Max"),
        M("qwen-plus", "Qwen Plus"),
        M("qwen-flash", "Qwen Flash"),
    )),
    P("volcengine", "Volcengine Ark (Doubao)", "volcengine",
      "https://ark.cn-beijing.volces.com/api/v3",
      docs_url="https://www.volcengine.com/docs/82379/1263482", models=(
        M("doubao-seed-1-8-251228", "Doubao Seed 1.8", 256000),
        M("deepseek-v3-2-251201", "DeepSeek V3.2", 128000),
        M("glm-4-7-251222", "GLM-4.7", 200000),
    )),
    P("qianfan", "Baidu Qianfan", "qianfan", "https://qianfan.baidubce.com/v2",
      stream_usage_option=False, docs_url="https://cloud.baidu.com/doc/qianfan/s/Hmh4suq26",
      models=(
        M("ernie-5.1", "ERNIE 5.1"),
    )),
    P("hunyuan", "Tencent Hunyuan", "hunyuan", "https://api.hunyuan.cloud.tencent.com/v1",
      stream_usage_option=False, models_path=None,
      docs_url="https://cloud.tencent.com/document/product/1729/111007", models=(
        M("hunyuan-turbos-latest", "Hunyuan TurboS"),
        M("hunyuan-2.0-instruct-20251111", "Hunyuan 2.0 Instruct"),
        M("hunyuan-embedding", "Hunyuan Embedding", kind=EMB),
    )),
    P("stepfun", "StepFun", "stepfun", "https://api.stepfun.ai/v1",
      docs_url="https://platform.stepfun.com/docs/api-reference/models/retrieve", models=(
        M("step-3.5-flash", "Step 3.5 Flash", 262144, 0.10, 0.29),
        M("step-2-16k", "Step 2 16K", 16000, 5.00, 16.00),
    )),
    P("xiaomi-mimo", "Xiaomi MiMo", "mimo", "https://api.xiaomimimo.com/v1",
      docs_url="https://platform.xiaomimimo.com/docs/en-US/api/chat/openai-api", models=(
        M("mimo-v2-flash", "MiMo V2 Flash", 262144),
        M("mimo-v2-pro", "MiMo V2 Pro", 1048576),
        M("mimo-v2.5-pro", "MiMo V2.5 Pro"),
    )),
    P("longcat", "LongCat (Meituan)", "longcat", "https://api.longcat.chat/openai/v1",
      free_tier=True, stream_usage_option=False, models_path=None,
      docs_url="https://longcat.chat/platform/docs/", models=(
        M("LongCat-Flash-Chat", "LongCat Flash Chat"),
        M("LongCat-Flash-Thinking-2601", "LongCat Flash Thinking"),
        M("LongCat-Flash-Lite", "LongCat Flash Lite"),
    )),
    P("spark", "iFlytek Spark", "spark", "https://spark-api-open.xf-yun.com/v1",
      free_tier=True, stream_usage_option=False, models_path=None,
      docs_url="https://www.xfyun.cn/doc/spark/HTTP%E8%B0%83%E7%94%A8%E6%96%87%E6%A1%A3.html",
      models=(
        M("4.0Ultra", "Spark 4.0 Ultra"),
        M("generalv3.5", "Spark Max", 8192),
        M("lite", "Spark Lite", 8192),
    )),
    P("upstage", "Upstage (Solar)", "upstage", "https://api.upstage.ai/v1",
      stream_usage_option=False, models_path=None,
      docs_url="https://console.upstage.ai/docs/capabilities/generate/chat", models=(
        M("solar-pro3", "Solar Pro 3", 131072),
        M("solar-pro2", "Solar Pro 2", 65536),
        M("solar-mini", "Solar Mini", 32768),
    )),
    P("ai21", "AI21 Labs (Jamba)", "ai21", "https://api.ai21.com/studio/v1", free_tier=True,
      stream_usage_option=False, docs_url="https://docs.ai21.com/reference/jamba-1-6-api-ref",
      models=(
        M("jamba-large", "Jamba Large", 256000, 2.00, 8.00),
        M("jamba-mini", "Jamba Mini", 256000, 0.20, 0.40),
    )),
    P("reka", "Reka", "reka", "https://api.reka.ai/v1", stream_usage_option=False,
      docs_url="https://docs.reka.ai/chat/api-reference/llms.txt", models=(
        M("reka-flash-3", "Reka Flash 3", 64000),
        M("reka-edge-2603", "Reka Edge", 16000),
    )),
    P("meta-llama", "Meta Llama API", "llama-api", "https://api.llama.com/compat/v1",
      docs_url="https://llama.developer.meta.com/docs/features/compatibility", models=(
        M("Llama-4-Maverick-17B-128E-Instruct-FP8", "Llama 4 Maverick", 128000),
        M("Llama-4-Scout-17B-16E-Instruct-FP8", "Llama 4 Scout", 128000),
        M("Llama-3.3-70B-Instruct", "Llama 3.3 70B", 128000),
    )),
    P("codestral", "Codestral (Mistral)", "codestral", "https://codestral.mistral.ai/v1",
      stream_usage_option=False, models_path=None, docs_url="https://docs.mistral.ai/api",
      models=(
        M("codestral-latest", "Codestral", 256000),
        M("codestral-2508", "Codestral 25.08", 256000),
    )),
    P("inception", "Inception (Mercury)", "inception", "https://api.inceptionlabs.ai/v1",
      free_tier=True, docs_url="https://docs.litellm.ai/docs/providers/inception", models=(
        M("mercury-2", "Mercury 2", 128000, 0.25, 0.75),
    )),
    P("maritaca", "Maritaca AI (Sabiá)", "maritaca", "https://chat.maritaca.ai/api",
      stream_usage_option=False, docs_url="https://docs.maritaca.ai", models=(
        M("sabia-4", "Sabiá 4"),
        M("sabia-3.1", "Sabiá 3.1", 128000),
        M("sabiazinho-4", "Sabiazinho 4", 128000),
    )),
    P("sarvam", "Sarvam AI", "sarvam", "https://api.sarvam.ai/v1", stream_usage_option=False,
      docs_url="https://docs.sarvam.ai/api-reference-docs/chat/chat-completions", models=(
        M("sarvam-105b", "Sarvam 105B", 128000),
        M("sarvam-30b", "Sarvam 30B", 64000),
    )),
    # --- search --------------------------------------------------------------------------
    P("exa", "Exa", "exa", "https://api.exa.ai", group="search", stream_usage_option=False,
      models_path=None, docs_url="https://exa.ai/docs/reference/openai", models=(
        M("exa", "Exa Answer"),
    )),
)
# fmt: on
