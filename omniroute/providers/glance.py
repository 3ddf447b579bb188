"""Pricing at a glance: cost, quota reset and a short "best for" note per catalog provider.

Taken from the user guide's pricing table ("Sekilas tentang Harga") as data: for the providers
the guide lists, every cell (cost, quota reset, best for) is the guide's. Providers the guide
does not list get a note of our own and no `cost` cell, so the dashboard shows their first
chat model's per-token price instead. Strings are lazy so the dashboard shows them translated.
"""

from __future__ import annotations

from ..lazy_text import lazy_gettext as _l

_NONE = _l("None")
_UNLIMITED = _l("Unlimited")
_LOCAL = _l("Your own hardware")
_PAY_PER_USE = _l("Pay per use")
_FREE = _l("FREE")


def _row(best_for, quota, cost=None) -> dict:
    return {"best_for": best_for, "quota": quota, "cost": cost}


GLANCE: dict[str, dict] = {
    # subscriptions (guide)
    "claude-code": _row(_l("Already subscribed"), _l("5 h + weekly"), _l("$20/mo")),
    "codex": _row(_l("OpenAI users"), _l("5 h + weekly"), _l("$20–200/mo")),
    "gemini-cli": _row(_l("Everyone!"), _l("180K/month + 1K/day"), _FREE),
    "github-copilot": _row(_l("GitHub users"), _l("Monthly"), _l("$10–19/mo")),
    # pay-per-use API keys (guide)
    "deepseek": _row(_l("Cheap reasoning"), _NONE, _PAY_PER_USE),
    "groq": _row(_l("Ultra-fast inference"), _NONE, _PAY_PER_USE),
    "xai": _row(_l("Grok 4 reasoning"), _NONE, _PAY_PER_USE),
    "mistral": _row(_l("EU-hosted models"), _NONE, _PAY_PER_USE),
    "perplexity": _row(_l("Search-augmented answers"), _NONE, _PAY_PER_USE),
    "together": _row(_l("Open-source models"), _NONE, _PAY_PER_USE),
    "fireworks": _row(_l("Fast FLUX images"), _NONE, _PAY_PER_USE),
    "cerebras": _row(_l("Wafer-scale speed"), _NONE, _PAY_PER_USE),
    "cohere": _row(_l("Command R+ RAG"), _NONE, _PAY_PER_USE),
    "nvidia": _row(_l("Enterprise models"), _NONE, _PAY_PER_USE),
    # pay-per-use API keys (not in the guide's table)
    "openai": _row(_l("GPT models"), _NONE),
    "anthropic": _row(_l("Claude models"), _NONE),
    "gemini": _row(_l("Long context"), _NONE),
    "openrouter": _row(_l("Many models, one key"), _NONE),
    "deepgram": _row(_l("Speech to text"), _NONE),
    "assemblyai": _row(_l("Speech to text"), _NONE),
    # cheap (guide)
    "glm": _row(_l("Budget backup"), _l("Daily at 10 AM"), _l("$0.6/1M")),
    "minimax": _row(_l("Cheapest option"), _l("5 h rolling"), _l("$0.2/1M")),
    "kimi": _row(_l("Predictable cost"), _l("10M tokens/month"), _l("$9/mo flat")),
    # free (guide)
    "iflow": _row(_l("8 free models"), _UNLIMITED, "$0"),
    "qwen": _row(_l("3 free models"), _UNLIMITED, "$0"),
    "kiro": _row(_l("Free Claude"), _UNLIMITED, "$0"),
    # local servers
    "ollama-local": _row(_l("Private, offline models"), _LOCAL),
    "vllm-local": _row(_l("Fast self-hosted serving"), _LOCAL),
    "lmstudio-local": _row(_l("Desktop model runner"), _LOCAL),
    "llamacpp-local": _row(_l("Lightweight local models"), _LOCAL),
}


def glance(provider_id: str) -> dict:
    """The provider's {"best_for", "quota", "cost"}; empty cells for a provider not listed
    (`cost` None means: show the per-token price)."""
    return GLANCE.get(provider_id, _row("", ""))
