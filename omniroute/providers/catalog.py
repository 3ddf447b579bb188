"""The table of providers. An OpenAI-compatible provider is one row here (or in providers/rows/,
where the catalog's further rows are kept by group and appended to this table).

Each row: id, display name, model-id prefix, base URL, then wire format, auth header style, tier
(subscription / api-key / cheap / free / local) and the default models. Prices are USD per 1M
input / output tokens where the provider publishes them (0 for the free tiers, None when
unknown or not per token). A model's `kind` is chat unless it says embedding, image or audio.

Local servers (Ollama, vLLM, LM Studio, llama.cpp) have `-local` ids, so that the plain names
stay free for the user's own provider nodes; their keys are optional.

`slash_ids` marks providers whose own model ids contain "/" and may start with another
vendor's name (aggregators such as OpenRouter, hosts of open models): a dedicated route
(/v1/providers/<id>/…) accepts `openai/gpt-4o` there instead of refusing it as OpenAI's.

`needs_sign_in` marks Gemini CLI and Kiro: their endpoints are not plain Gemini / Anthropic
APIs (Cloud Code Assist wraps Gemini requests in a project envelope behind Google OAuth; Kiro
is AWS CodeWhisperer's event-stream API behind an AWS Builder ID login), so until the sign-in
flow exists the gateway refuses them with a 501 instead of sending requests that cannot work.

`discontinued` marks services that are gone (iFlow closed on 2026-04-17; Qwen Code's free tier
ended on 2026-04-15): they stay in the catalog so that old combos and accounts explain
themselves, but nothing is ever sent to them.
"""

from __future__ import annotations

from dataclasses import replace

from .rows import GROUPED_ROWS
from .spec import ModelSpec as M
from .spec import ProviderSpec as P

EMB, IMG, AUD = "embedding", "image", "audio"

# fmt: off
_ROWS: tuple[P, ...] = (
    # --- subscriptions (OAuth accounts) -------------------------------------------------
    P("claude-code", "Claude Code", "cc", "https://api.anthropic.com/v1",
      wire_format="anthropic", tier="subscription", stream_usage_option=False, models=(
        M("claude-opus-4-6", "Claude Opus 4.6", 200000),
        M("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", 200000),
        M("claude-haiku-4-5-20251001", "Claude Haiku 4.5", 200000),
    )),
    P("codex", "OpenAI Codex", "cx", "https://chatgpt.com/backend-api/codex",
      wire_format="responses", tier="subscription", stream_usage_option=False, models=(
        M("gpt-5.2-codex", "GPT-5.2 Codex", 400000),
        M("gpt-5.1-codex-max", "GPT-5.1 Codex Max", 400000),
    )),
    P("gemini-cli", "Gemini CLI", "gc", "https://cloudcode-pa.googleapis.com/v1internal",
      wire_format="gemini", tier="subscription", stream_usage_option=False,
      needs_sign_in=True, models=(
        M("gemini-3-flash-preview", "Gemini 3 Flash Preview", 1048576, 0.0, 0.0),
        M("gemini-2.5-pro", "Gemini 2.5 Pro", 1048576, 0.0, 0.0),
    )),
    P("github-copilot", "GitHub Copilot", "gh", "https://api.githubcopilot.com",
      tier="subscription", models=(
        M("gpt-5", "GPT-5", 128000),
        M("claude-4.5-sonnet", "Claude Sonnet 4.5", 128000),
        M("gemini-3-pro", "Gemini 3 Pro", 128000),
    )),
    # --- pay-per-use API keys ------------------------------------------------------------
    P("openai", "OpenAI", "openai", "https://api.openai.com/v1", models=(
        M("gpt-4o-mini", "GPT-4o mini", 128000, 0.15, 0.60),
        M("gpt-4o", "GPT-4o", 128000, 2.50, 10.00),
        M("gpt-4.1", "GPT-4.1", 1047576, 2.00, 8.00),
        M("gpt-5", "GPT-5", 400000, 1.25, 10.00),
        M("text-embedding-3-small", "Text Embedding 3 Small", 8191, 0.02, None, kind=EMB),
        M("text-embedding-3-large", "Text Embedding 3 Large", 8191, 0.13, None, kind=EMB),
        M("gpt-image-1", "GPT Image 1", None, 5.00, 40.00, kind=IMG),
        M("whisper-1", "Whisper", None, None, None, kind=AUD),
    )),
    P("anthropic", "Anthropic", "anthropic", "https://api.anthropic.com/v1",
      wire_format="anthropic", auth="x-api-key", stream_usage_option=False, models=(
        M("claude-sonnet-4-5", "Claude Sonnet 4.5", 200000, 3.00, 15.00),
        M("claude-opus-4-1", "Claude Opus 4.1", 200000, 15.00, 75.00),
        M("claude-haiku-4-5", "Claude Haiku 4.5", 200000, 1.00, 5.00),
    )),
    P("gemini", "Google Gemini", "gemini", "https://generativelanguage.googleapis.com/v1beta",
      wire_format="gemini", auth="x-goog-api-key", stream_usage_option=False, models=(
        M("gemini-2.5-flash", "Gemini 2.5 Flash", 1048576, 0.30, 2.50),
        M("gemini-2.5-pro", "Gemini 2.5 Pro", 1048576, 1.25, 10.00),
        M("gemini-embedding-001", "Gemini Embedding 001", 2048, 0.15, None, kind=EMB),
    )),
    P("deepseek", "DeepSeek", "ds", "https://api.deepseek.com/v1", models=(
        M("deepseek-chat", "DeepSeek V3", 128000, 0.28, 0.42),
        M("deepseek-reasoner", "DeepSeek R1", 128000, 0.28, 0.42),
    )),
    P("groq", "Groq", "groq", "https://api.groq.com/openai/v1", slash_ids=True,
      free_tier=True, models=(
        M("llama-3.3-70b-versatile", "Llama 3.3 70B", 131072, 0.59, 0.79),
        M("meta-llama/llama-4-maverick-17b-128e-instruct", "Llama 4 Maverick", 131072, 0.20, 0.60),
        M("whisper-large-v3", "Whisper Large v3", None, None, None, kind=AUD),
    )),
    P("xai", "xAI (Grok)", "xai", "https://api.x.ai/v1", models=(
        M("grok-4", "Grok 4", 256000, 3.00, 15.00),
        M("grok-4-0709-fast-reasoning", "Grok 4 Fast", 2000000, 0.20, 0.50),
        M("grok-code-mini", "Grok Code", 256000, 0.20, 1.50),
    )),
    P("mistral", "Mistral", "mistral", "https://api.mistral.ai/v1", stream_usage_option=False,
      models=(
        M("mistral-large-2501", "Mistral Large", 131072, 2.00, 6.00),
        M("codestral-2501", "Codestral", 262144, 0.30, 0.90),
        M("mistral-embed", "Mistral Embed", 8192, 0.10, None, kind=EMB),
    )),
    P("perplexity", "Perplexity", "pplx", "https://api.perplexity.ai", group="search",
      models_path=None, models=(
        M("sonar-pro", "Sonar Pro", 200000, 3.00, 15.00),
        M("sonar", "Sonar", 127072, 1.00, 1.00),
    )),
    P("together", "Together AI", "together", "https://api.together.xyz/v1", slash_ids=True,
      models=(
        M("meta-llama/Llama-3.3-70B-Instruct-Turbo", "Llama 3.3 70B Turbo", 131072, 0.88, 0.88),
        M("black-forest-labs/FLUX.1-schnell", "FLUX.1 schnell", None, None, None, kind=IMG),
    )),
    P("fireworks", "Fireworks AI", "fireworks", "https://api.fireworks.ai/inference/v1",
      slash_ids=True, image_api="fireworks-workflow", models=(
        M("accounts/fireworks/models/deepseek-v3p1", "DeepSeek V3.1", 163840, 0.56, 1.68),
        M("accounts/fireworks/models/flux-1-schnell-fp8", "FLUX.1 schnell", None, None, None,
          kind=IMG),
    )),
    P("cerebras", "Cerebras", "cerebras", "https://api.cerebras.ai/v1", slash_ids=True,
      free_tier=True, models=(
        M("llama-3.3-70b", "Llama 3.3 70B", 65536, 0.85, 1.20),
    )),
    P("cohere", "Cohere", "cohere", "https://api.cohere.ai/compatibility/v1",
      stream_usage_option=False, models=(
        M("command-r-plus-08-2024", "Command R+", 128000, 2.50, 10.00),
        M("command-a-03-2025", "Command A", 256000, 2.50, 10.00),
        M("embed-v4.0", "Embed v4", 128000, 0.12, None, kind=EMB),
        M("rerank-v3.5", "Rerank v3.5", 4096, kind="rerank"),  # billed per search unit
    )),
    P("nvidia", "NVIDIA NIM", "nvidia", "https://integrate.api.nvidia.com/v1", slash_ids=True,
      group="aggregator", free_tier=True, models=(
        M("nvidia/llama-3.3-70b-instruct", "Llama 3.3 70B", 131072, None, None),
    )),
    # --- enterprise and cloud platforms (their own auth: providers/cloud.py) --------------
    # Azure: the connection's base URL is the resource's endpoint; the row's is a placeholder.
    # Prices depend on the deployment type and region: not per catalog row.
    P("azure-openai", "Azure OpenAI", "azure", "https://RESOURCE.openai.azure.com",
      auth="api-key", group="enterprise-cloud", models=(
        M("gpt-4o", "GPT-4o", 128000),
        M("gpt-4o-mini", "GPT-4o mini", 128000),
        M("gpt-4.1", "GPT-4.1", 1047576),
        M("text-embedding-3-small", "Text Embedding 3 Small", 8191, kind=EMB),
    )),
    P("azure-ai-foundry", "Azure AI Foundry", "foundry", "https://RESOURCE.services.ai.azure.com",
      auth="api-key", stream_usage_option=False, group="enterprise-cloud", models=(
        M("DeepSeek-R1", "DeepSeek R1", 128000),
        M("Phi-4", "Phi-4", 16384),
        M("Mistral-Large-2411", "Mistral Large 24.11", 128000),
    )),
    P("google-vertex", "Google Vertex AI", "vertex", "https://aiplatform.googleapis.com",
      slash_ids=True, stream_usage_option=False, group="enterprise-cloud", models=(
        M("google/gemini-2.5-flash", "Gemini 2.5 Flash", 1048576, 0.30, 2.50),
        M("google/gemini-2.5-pro", "Gemini 2.5 Pro", 1048576, 1.25, 10.00),
        M("google/gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite", 1048576, 0.10, 0.40),
    )),
    P("cloudflare-workers-ai", "Cloudflare Workers AI", "cf",
      "https://api.cloudflare.com/client/v4", slash_ids=True, group="enterprise-cloud", models=(
        M("@cf/meta/llama-3.1-8b-instruct", "Llama 3.1 8B", 7968, 0.282, 0.827),
        M("@cf/openai/gpt-oss-120b", "gpt-oss-120b", 128000, 0.35, 0.75),
        M("@cf/baai/bge-large-en-v1.5", "BGE Large EN v1.5", 512, 0.204, None, kind=EMB),
    )),
    P("bedrock", "Amazon Bedrock", "bedrock", "https://bedrock-runtime.us-east-1.amazonaws.com",
      wire_format="bedrock", slash_ids=True, stream_usage_option=False, group="enterprise-cloud",
      models=(
        M("global.anthropic.claude-sonnet-4-5-20250929-v1:0", "Claude Sonnet 4.5", 200000,
          3.00, 15.00),
        M("global.anthropic.claude-haiku-4-5-20251001-v1:0", "Claude Haiku 4.5", 200000,
          1.00, 5.00),
        M("us.anthropic.claude-opus-4-1-20250805-v1:0", "Claude Opus 4.1", 200000, 15.00, 75.00),
        M("amazon.nova-pro-v1:0", "Amazon Nova Pro", 300000, 0.80, 3.20),
        M("amazon.nova-lite-v1:0", "Amazon Nova Lite", 300000, 0.06, 0.24),
        M("amazon.nova-micro-v1:0", "Amazon Nova Micro", 128000, 0.035, 0.14),
        M("us.meta.llama3-3-70b-instruct-v1:0", "Llama 3.3 70B Instruct", 128000, 0.72, 0.72),
    )),
    P("openrouter", "OpenRouter", "openrouter", "https://openrouter.ai/api/v1", slash_ids=True,
      group="aggregator", free_tier=True, models=(
        M("openrouter/auto", "Auto router", None, None, None),
    )),
    P("deepgram", "Deepgram", "deepgram", "https://api.deepgram.com/v1",
      wire_format="deepgram", auth="token", stream_usage_option=False, group="audio",
      free_tier=True, models_path=None, models=(
        M("nova-3", "Nova 3", None, None, None, kind=AUD),
    )),
    P("assemblyai", "AssemblyAI", "assemblyai", "https://api.assemblyai.com/v2",
      wire_format="assemblyai", auth="authorization", stream_usage_option=False,
      group="audio", models_path=None, models=(
        M("best", "Universal (best)", None, None, None, kind=AUD),
    )),
    # --- cheap plans ---------------------------------------------------------------------
    P("glm", "GLM (Zhipu AI)", "glm", "https://open.bigmodel.cn/api/coding/paas/v4",
      tier="cheap", models=(
        M("glm-4.7", "GLM-4.7", 200000, 0.60, 2.20),
        M("glm-4.6", "GLM-4.6", 200000, 0.60, 2.20),
    )),
    P("minimax", "MiniMax", "minimax", "https://api.minimax.io/v1", tier="cheap", models=(
        M("MiniMax-M2.1", "MiniMax M2.1", 1000000, 0.20, 1.10),
    )),
    P("kimi", "Kimi (Moonshot AI)", "kimi", "https://api.moonshot.ai/v1", tier="cheap", models=(
        M("kimi-latest", "Kimi latest", 131072, None, None),
        M("kimi-k2-0905-preview", "Kimi K2", 262144, 0.60, 2.50),
    )),
    # --- free ----------------------------------------------------------------------------
    P("iflow", "iFlow", "if", "https://apis.iflow.cn/v1", tier="free",
      discontinued="iFlow closed on 2026-04-17", models=(
        M("kimi-k2-thinking", "Kimi K2 Thinking", 262144, 0.0, 0.0),
        M("qwen3-coder-plus", "Qwen3 Coder Plus", 1000000, 0.0, 0.0),
        M("glm-4.7", "GLM-4.7", 200000, 0.0, 0.0),
        M("minimax-m2", "MiniMax M2", 204800, 0.0, 0.0),
        M("deepseek-r1", "DeepSeek R1", 128000, 0.0, 0.0),
    )),
    P("qwen", "Qwen Code", "qw", "https://portal.qwen.ai/v1", tier="free",
      discontinued="Qwen Code's free tier ended on 2026-04-15", models=(
        M("qwen3-coder-plus", "Qwen3 Coder Plus", 1000000, 0.0, 0.0),
        M("qwen3-coder-flash", "Qwen3 Coder Flash", 1000000, 0.0, 0.0),
    )),
    P("kiro", "Kiro", "kr", "https://codewhisperer.us-east-1.amazonaws.com",
      wire_format="anthropic", tier="free", stream_usage_option=False, needs_sign_in=True,
      models=(
        M("claude-sonnet-4.5", "Claude Sonnet 4.5", 200000, 0.0, 0.0),
        M("claude-haiku-4.5", "Claude Haiku 4.5", 200000, 0.0, 0.0),
    )),
    # --- local servers (no key needed) ---------------------------------------------------
    P("ollama-local", "Ollama", "ollama-local", "http://127.0.0.1:11434/v1", tier="local",
      models=(
        M("llama3.2", "Llama 3.2", 131072, 0.0, 0.0),
        M("qwen2.5-coder", "Qwen2.5 Coder", 32768, 0.0, 0.0),
        M("nomic-embed-text", "Nomic Embed Text", 8192, 0.0, None, kind=EMB),
    )),
    P("vllm-local", "vLLM", "vllm-local", "http://127.0.0.1:8000/v1", tier="local",
      slash_ids=True, models=(
        M("Qwen/Qwen2.5-Coder-7B-Instruct", "Qwen2.5 Coder 7B", 32768, 0.0, 0.0),
    )),
    P("lmstudio-local", "LM Studio", "lmstudio-local", "http://127.0.0.1:1234/v1", tier="local",
      slash_ids=True, models=(
        M("qwen2.5-coder-7b-instruct", "Qwen2.5 Coder 7B", 32768, 0.0, 0.0),
    )),
    P("llamacpp-local", "llama.cpp", "llamacpp-local", "http://127.0.0.1:8080/v1", tier="local",
      models=(
        M("default", "Loaded model", None, 0.0, 0.0),
    )),
)
# fmt: on

# Where each provider documents its API (the dashboard's provider pages link here).
DOCS_URLS = {
    "claude-code": "https://docs.anthropic.com/en/docs/claude-code/overview",
    "codex": "https://github.com/openai/codex",
    "gemini-cli": "https://github.com/google-gemini/gemini-cli",
    "github-copilot": "https://docs.github.com/en/copilot",
    "openai": "https://platform.openai.com/docs/api-reference",
    "anthropic": "https://docs.anthropic.com/en/api/messages",
    "gemini": "https://ai.google.dev/gemini-api/docs",
    "deepseek": "https://api-docs.deepseek.com",
    "groq": "https://console.groq.com/docs/api-reference",
    "xai": "https://docs.x.ai/docs",
    "mistral": "https://docs.mistral.ai/api",
    "perplexity": "https://docs.perplexity.ai",
    "together": "https://docs.together.ai/reference",
    "fireworks": "https://docs.fireworks.ai/api-reference",
    "cerebras": "https://inference-docs.cerebras.ai",
    "cohere": "https://docs.cohere.com/docs/compatibility-api",
    "nvidia": "https://docs.api.nvidia.com/nim/reference",
    "azure-openai": "https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference",
    "azure-ai-foundry": "https://learn.microsoft.com/en-us/azure/ai-foundry/foundry-models/concepts/endpoints",
    "google-vertex": "https://cloud.google.com/vertex-ai/generative-ai/docs/migrate/openai/overview",
    "cloudflare-workers-ai": "https://developers.cloudflare.com/workers-ai/configuration/open-ai-compatibility/",
    "bedrock": "https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html",
    "openrouter": "https://openrouter.ai/docs",
    "deepgram": "https://developers.deepgram.com/reference/listen-file",
    "assemblyai": "https://www.assemblyai.com/docs/api-reference",
    "glm": "https://docs.z.ai/guides/overview/quick-start",
    "minimax": "https://www.minimax.io/platform/document",
    "kimi": "https://platform.moonshot.ai/docs",
    "iflow": "https://platform.iflow.cn/docs",
    "qwen": "https://github.com/QwenLM/qwen-code",
    "kiro": "https://kiro.dev/docs",
    "ollama-local": "https://github.com/ollama/ollama/blob/main/docs/openai.md",
    "vllm-local": "https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html",
    "lmstudio-local": "https://lmstudio.ai/docs/app/api",
    "llamacpp-local": "https://github.com/ggml-org/llama.cpp/tree/master/tools/server",
}

CATALOG: tuple[P, ...] = tuple(
    replace(row, docs_url=DOCS_URLS.get(row.id, row.docs_url)) for row in _ROWS + GROUPED_ROWS
)
