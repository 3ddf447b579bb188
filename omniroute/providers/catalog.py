"""The table of providers. An OpenAI-compatible provider is one row here.

Prices are USD per 1M input / output tokens where the provider publishes them.
"""

from __future__ import annotations

from .spec import ModelSpec as M
from .spec import ProviderSpec as P

# fmt: off
CATALOG: tuple[P, ...] = (
    P("openai", "OpenAI", "openai", "https://api.openai.com/v1", models=(
        M("gpt-4o-mini", "GPT-4o mini", 128000, 0.15, 0.60),
        M("gpt-4o", "GPT-4o", 128000, 2.50, 10.00),
        M("gpt-4.1", "GPT-4.1", 1047576, 2.00, 8.00),
        M("gpt-5", "GPT-5", 400000, 1.25, 10.00),
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
    )),
    P("deepseek", "DeepSeek", "ds", "https://api.deepseek.com/v1", models=(
        M("deepseek-chat", "DeepSeek V3", 128000, 0.28, 0.42),
        M("deepseek-reasoner", "DeepSeek R1", 128000, 0.28, 0.42),
    )),
    P("groq", "Groq", "groq", "https://api.groq.com/openai/v1", models=(
        M("llama-3.3-70b-versatile", "Llama 3.3 70B", 131072, 0.59, 0.79),
        M("meta-llama/llama-4-maverick-17b-128e-instruct", "Llama 4 Maverick", 131072, 0.20, 0.60),
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
    )),
    P("together", "Together AI", "together", "https://api.together.xyz/v1", models=(
        M("meta-llama/Llama-3.3-70B-Instruct-Turbo", "Llama 3.3 70B Turbo", 131072, 0.88, 0.88),
    )),
    P("fireworks", "Fireworks AI", "fireworks", "https://api.fireworks.ai/inference/v1", models=(
        M("accounts/fireworks/models/deepseek-v3p1", "DeepSeek V3.1", 163840, 0.56, 1.68),
    )),
    P("cerebras", "Cerebras", "cerebras", "https://api.cerebras.ai/v1", models=(
        M("llama-3.3-70b", "Llama 3.3 70B", 65536, 0.85, 1.20),
    )),
    P("nvidia", "NVIDIA NIM", "nvidia", "https://integrate.api.nvidia.com/v1", models=(
        M("nvidia/llama-3.3-70b-instruct", "Llama 3.3 70B", 131072, None, None),
    )),
    P("openrouter", "OpenRouter", "openrouter", "https://openrouter.ai/api/v1", models=(
        M("openrouter/auto", "Auto router", None, None, None),
    )),
)
# fmt: on
