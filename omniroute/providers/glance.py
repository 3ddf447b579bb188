"""Pricing at a glance: a short "best for" note and the quota reset per catalog provider.

Taken from the user guide's pricing table ("Sekilas tentang Harga"); providers the guide does
not list get a note of our own. Strings are lazy so the dashboard shows them translated.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

_NONE = _l("None")
_UNLIMITED = _l("Unlimited")
_LOCAL = _l("Your own hardware")

GLANCE: dict[str, dict] = {
    # subscriptions
    "claude-code": {"best_for": _l("Already subscribed"), "quota": _l("5 h + weekly")},
    "codex": {"best_for": _l("OpenAI users"), "quota": _l("5 h + weekly")},
    "gemini-cli": {"best_for": _l("Everyone!"), "quota": _l("180K/month + 1K/day")},
    "github-copilot": {"best_for": _l("GitHub users"), "quota": _l("Monthly")},
    # pay-per-use API keys
    "openai": {"best_for": _l("GPT models"), "quota": _NONE},
    "anthropic": {"best_for": _l("Claude models"), "quota": _NONE},
    "gemini": {"best_for": _l("Long context"), "quota": _NONE},
    "deepseek": {"best_for": _l("Cheap reasoning"), "quota": _NONE},
    "groq": {"best_for": _l("Ultra-fast inference"), "quota": _NONE},
    "xai": {"best_for": _l("Grok 4 reasoning"), "quota": _NONE},
    "mistral": {"best_for": _l("EU-hosted models"), "quota": _NONE},
    "perplexity": {"best_for": _l("Search-augmented answers"), "quota": _NONE},
    "together": {"best_for": _l("Open-source models"), "quota": _NONE},
    "fireworks": {"best_for": _l("Fast FLUX images"), "quota": _NONE},
    "cerebras": {"best_for": _l("Wafer-scale speed"), "quota": _NONE},
    "cohere": {"best_for": _l("Command R+ RAG"), "quota": _NONE},
    "nvidia": {"best_for": _l("Enterprise models"), "quota": _NONE},
    "openrouter": {"best_for": _l("Many models, one key"), "quota": _NONE},
    "deepgram": {"best_for": _l("Speech to text"), "quota": _NONE},
    "assemblyai": {"best_for": _l("Speech to text"), "quota": _NONE},
    # cheap
    "glm": {"best_for": _l("Budget backup"), "quota": _l("Daily at 10 AM")},
    "minimax": {"best_for": _l("Cheapest option"), "quota": _l("5 h rolling")},
    "kimi": {"best_for": _l("Predictable cost"), "quota": _l("10M tokens/month")},
    # free
    "iflow": {"best_for": _l("8 free models"), "quota": _UNLIMITED},
    "qwen": {"best_for": _l("3 free models"), "quota": _UNLIMITED},
    "kiro": {"best_for": _l("Free Claude"), "quota": _UNLIMITED},
    # local servers
    "ollama-local": {"best_for": _l("Private, offline models"), "quota": _LOCAL},
    "vllm-local": {"best_for": _l("Fast self-hosted serving"), "quota": _LOCAL},
    "lmstudio-local": {"best_for": _l("Desktop model runner"), "quota": _LOCAL},
    "llamacpp-local": {"best_for": _l("Lightweight local models"), "quota": _LOCAL},
}


def glance(provider_id: str) -> dict:
    """The provider's {"best_for", "quota"}; empty strings for a provider not listed."""
    return GLANCE.get(provider_id, {"best_for": "", "quota": ""})
