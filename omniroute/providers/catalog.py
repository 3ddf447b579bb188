"""The table of API-key providers. An OpenAI-compatible provider is one row here."""

from __future__ import annotations

from .spec import ModelSpec as M
from .spec import ProviderSpec as P

CATALOG: tuple[P, ...] = (
    P(
        "openai",
        "OpenAI",
        "openai",
        "https://api.openai.com/v1",
        models=(
            M("gpt-4o-mini", "GPT-4o mini", 128000, 0.15, 0.60),
            M("gpt-4o", "GPT-4o", 128000, 2.50, 10.00),
            M("gpt-4.1", "GPT-4.1", 1047576, 2.00, 8.00),
            M("gpt-5", "GPT-5", 400000, 1.25, 10.00),
        ),
    ),
    P(
        "deepseek",
        "DeepSeek",
        "ds",
        "https://api.deepseek.com/v1",
        models=(
            M("deepseek-chat", "DeepSeek V3", 128000, 0.28, 0.42),
            M("deepseek-reasoner", "DeepSeek R1", 128000, 0.28, 0.42),
        ),
    ),
    P(
        "groq",
        "Groq",
        "groq",
        "https://api.groq.com/openai/v1",
        models=(
            M("llama-3.3-70b-versatile", "Llama 3.3 70B", 131072, 0.59, 0.79),
            M(
                "meta-llama/llama-4-maverick-17b-128e-instruct",
                "Llama 4 Maverick",
                131072,
                0.20,
                0.60,
            ),
        ),
    ),
    P(
        "xai",
        "xAI (Grok)",
        "xai",
        "https://api.x.ai/v1",
        models=(
            M("grok-4", "Grok 4", 256000, 3.00, 15.00),
            M("grok-4-0709-fast-reasoning", "Grok 4 Fast", 2000000, 0.20, 0.50),
            M("grok-code-mini", "Grok Code", 256000, 0.20, 1.50),
        ),
    ),
    P(
        "mistral",
        "Mistral",
        "mistral",
        "https://api.mistral.ai/v1",
        stream_usage_option=False,
        models=(
            M("mistral-large-2501", "Mistral Large", 131072, 2.00, 6.00),
            M("codestral-2501", "Codestral", 262144, 0.30, 0.90),
        ),
    ),
    P(
        "together",
        "Together AI",
        "together",
        "https://api.together.xyz/v1",
        models=(
            M("meta-llama/Llama-3.3-70B-Instruct-Turbo", "Llama 3.3 70B Turbo", 131072, 0.88, 0.88),
        ),
    ),
    P(
        "fireworks",
        "Fireworks AI",
        "fireworks",
        "https://api.fireworks.ai/inference/v1",
        models=(M("accounts/fireworks/models/deepseek-v3p1", "DeepSeek V3.1", 163840, 0.56, 1.68),),
    ),
    P(
        "cerebras",
        "Cerebras",
        "cerebras",
        "https://api.cerebras.ai/v1",
        models=(M("llama-3.3-70b", "Llama 3.3 70B", 65536, 0.85, 1.20),),
    ),
    P(
        "nvidia",
        "NVIDIA NIM",
        "nvidia",
        "https://integrate.api.nvidia.com/v1",
        models=(M("nvidia/llama-3.3-70b-instruct", "Llama 3.3 70B", 131072, None, None),),
    ),
    P(
        "openrouter",
        "OpenRouter",
        "openrouter",
        "https://openrouter.ai/api/v1",
        models=(M("openrouter/auto", "Auto router", None, None, None),),
    ),
)
