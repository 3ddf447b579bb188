"""Aggregators and gateways: one key reaches many vendors' models, so their own model ids name
the vendor (`openai/gpt-4o`) and the rows take slash ids. Poe and Ollama Cloud sell their API
with a subscription, so they sit in the subscription group while keeping API-key accounts."""

from __future__ import annotations

from ..spec import ModelSpec as M
from ..spec import ProviderSpec as P

IMG = "image"

# fmt: off
AGGREGATORS: tuple[P, ...] = (
    P("vercel-ai-gateway", "Vercel AI Gateway", "vercel", "https://ai-gateway.vercel.sh/v1",
      group="aggregator", slash_ids=True, free_tier=True,
      docs_url="https://vercel.com/docs/ai-gateway/sdks-and-apis/openai-chat-completions",
      models=(
        M("openai/gpt-4o", "GPT-4o"),
        M("anthropic/claude-4-sonnet", "Claude Sonnet 4"),
        M("zai/glm-4.6v", "GLM-4.6V"),
    )),
    P("huggingface", "Hugging Face Inference Providers", "hf", "https://router.huggingface.co/v1",
      group="aggregator", slash_ids=True,
      docs_url="https://huggingface.co/docs/inference-providers/tasks/chat-completion",
      models=(
        M("openai/gpt-oss-120b", "gpt-oss-120b"),
        M("deepseek-ai/DeepSeek-R1", "DeepSeek R1"),
        M("meta-llama/Llama-3.3-70B-Instruct", "Llama 3.3 70B"),
    )),
    P("nanogpt", "NanoGPT", "nanogpt", "https://nano-gpt.com/api/v1", group="aggregator",
      slash_ids=True, docs_url="https://docs.nano-gpt.com/api-reference/text-generation",
      models=(
        M("openai/gpt-5.2", "GPT-5.2"),
        M("anthropic/claude-opus-4.5", "Claude Opus 4.5"),
        M("google/gemini-3-flash-preview", "Gemini 3 Flash Preview"),
    )),
    P("aimlapi", "AI/ML API", "aimlapi", "https://api.aimlapi.com/v1", group="aggregator",
      slash_ids=True, docs_url="https://docs.aimlapi.com/", models=(
        M("flux-pro/v1.1", "FLUX 1.1 [pro]", kind=IMG),
    )),
    P("clarifai", "Clarifai", "clarifai", "https://api.clarifai.com/v2/ext/openai/v1",
      group="aggregator", slash_ids=True, free_tier=True, models_path=None,
      docs_url="https://docs.clarifai.com/compute/providers", models=(
        M("https://clarifai.com/openai/chat-completion/models/gpt-oss-120b", "gpt-oss-120b"),
        M("https://clarifai.com/deepseek-ai/deepseek-chat/models/DeepSeek-R1-0528-Qwen3-8B",
          "DeepSeek R1 0528 Qwen3 8B"),
    )),
    P("helicone", "Helicone AI Gateway", "helicone", "https://ai-gateway.helicone.ai/v1",
      group="aggregator", docs_url="https://docs.helicone.ai/ai-gateway/overview", models=(
        M("gpt-4o-mini", "GPT-4o mini"),
        M("claude-4.5-sonnet", "Claude Sonnet 4.5"),
        M("gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite"),
    )),
    P("aihubmix", "AIHubMix", "aihubmix", "https://aihubmix.com/v1", group="aggregator",
      docs_url="https://docs.rs/crate/aisdk/latest/source/src/providers/aihubmix/mod.rs",
      models=(
        M("o4-mini", "o4-mini"),
        M("deepseek-v3", "DeepSeek V3"),
    )),
    P("glama", "Glama Gateway", "glama", "https://gateway.glama.ai/v1", group="aggregator",
      slash_ids=True, docs_url="https://glama.ai/ai/gateway/docs/api", models=(
        M("openai/gpt-4o", "GPT-4o"),
    )),
    P("requesty", "Requesty", "requesty", "https://router.requesty.ai/v1", group="aggregator",
      slash_ids=True, free_tier=True, docs_url="https://docs.requesty.ai/llms.txt", models=(
        M("openai/gpt-4o", "GPT-4o"),
        M("openai/gpt-4.1", "GPT-4.1"),
        M("google/gemini-2.5-pro", "Gemini 2.5 Pro"),
    )),
    P("github-models", "GitHub Models", "ghm", "https://models.github.ai/inference",
      group="aggregator", slash_ids=True, free_tier=True, models_path=None,
      docs_url="https://docs.github.com/en/github-models/quickstart", models=(
        M("openai/gpt-4.1", "GPT-4.1"),
        M("openai/gpt-4o-mini", "GPT-4o mini"),
        M("openai/gpt-5", "GPT-5"),
    )),
    P("poe", "Poe", "poe", "https://api.poe.com/v1", group="subscription",
      docs_url="https://creator.poe.com/docs/external-applications", models=(
        M("Claude-Sonnet-4.6", "Claude Sonnet 4.6"),
        M("GPT-5.4", "GPT-5.4"),
        M("Gemini-3.1-Pro", "Gemini 3.1 Pro"),
    )),
    P("ollama-cloud", "Ollama Cloud", "ollama-cloud", "https://ollama.com/v1",
      group="subscription", docs_url="https://docs.ollama.com/api/openai-compatibility",
      models=(
        M("gemma4:31b", "Gemma 4 31B"),
        M("gpt-oss:120b", "gpt-oss-120b"),
        M("kimi-k2.6", "Kimi K2.6"),
    )),
)
# fmt: on
