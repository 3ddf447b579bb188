"""The model-capability table: what each model family accepts, consulted by translation.

A row is a pattern on the provider's model id (matched at the start of the id or after a "/",
so `anthropic/claude-sonnet-4.5` on an aggregator finds Claude's row) and the family's
`ModelTraits` (formats/model_traits.py): whether it reasons and how it is asked to, which
sampling parameters it takes, its output limit and context window, and which name OpenAI Chat
uses for the output cap. The first matching row wins, so specific rows come first. A model no
row matches gets `UNKNOWN` — the request is sent as the client asked — and one log line.

Sources: Anthropic's models overview and extended-thinking pages (output limits, thinking
styles; temperature and top_p together are refused from Claude Opus 4.1 on), OpenAI's
reasoning guide (reasoning models take max_completion_tokens and reasoning_effort, and no
sampling parameters other than their defaults), Google's Gemini models and thinking pages
(thinkingBudget on 2.5, thinkingLevel on 3), OpenAI's gpt-oss model card (131,072-token
context, reasoning effort low/medium/high), DeepSeek's and xAI's API references.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from ..formats.model_traits import ModelTraits

log = logging.getLogger("omniroute.capabilities")

_SAMPLING = frozenset({"temperature", "top_p", "top_k"})
_NO_TOP_K = frozenset({"temperature", "top_p"})
_NONE: frozenset[str] = frozenset()

_OPENAI_EFFORTS = ("low", "medium", "high")
_GPT5_EFFORTS = ("minimal", "low", "medium", "high")
_GPT51_EFFORTS = ("none", "low", "medium", "high")
_GPT52_EFFORTS = ("none", "low", "medium", "high", "xhigh")


def _claude(out: int, thinking: str = "budget", exclusive: bool = True) -> ModelTraits:
    return ModelTraits(
        reasoning=thinking != "none",
        thinking=thinking,
        sampling=_SAMPLING,
        exclusive_sampling=exclusive,
        max_output_tokens=out,
        context_tokens=200_000,
    )


def _openai_reasoning(out: int, context: int, efforts: tuple[str, ...]) -> ModelTraits:
    return ModelTraits(
        reasoning=True,
        thinking="effort",
        efforts=efforts,
        sampling=_NONE,
        max_output_tokens=out,
        context_tokens=context,
        token_field="max_completion_tokens",
    )


def _openai_chat(out: int, context: int) -> ModelTraits:
    return ModelTraits(sampling=_NO_TOP_K, max_output_tokens=out, context_tokens=context)


def _gemini(out: int, thinking: str) -> ModelTraits:
    return ModelTraits(
        reasoning=thinking != "none",
        thinking=thinking,
        sampling=_SAMPLING,
        max_output_tokens=out,
        context_tokens=1_048_576,
    )


# fmt: off
TABLE: tuple[tuple[str, ModelTraits], ...] = (
    # Anthropic Claude (dated ids, aliases, and the dotted ids Copilot and Kiro use)
    (r"claude-opus-4[-.]6", _claude(128_000, "adaptive")),
    (r"claude-sonnet-4[-.]6", _claude(64_000, "adaptive")),
    (r"claude-opus-4[-.]5", _claude(64_000)),
    (r"claude-(sonnet|haiku)-4[-.]5|claude-4\.5-(sonnet|haiku)", _claude(64_000)),
    (r"claude-opus-4[-.]1", _claude(32_000)),
    (r"claude-opus-4(?![-.]\d\b)|claude-4-opus", _claude(32_000, exclusive=False)),
    (r"claude-sonnet-4(?![-.]\d\b)|claude-4-sonnet|claude-3-7-sonnet",
     _claude(64_000, exclusive=False)),
    (r"claude-3-5-(sonnet|haiku)", _claude(8_192, "none", exclusive=False)),
    (r"claude-3-(opus|sonnet|haiku)", _claude(4_096, "none", exclusive=False)),
    # OpenAI
    (r"gpt-5(\.\d+)?-chat", _openai_chat(16_384, 128_000)),
    (r"gpt-5\.[2-9]", _openai_reasoning(128_000, 400_000, _GPT52_EFFORTS)),
    (r"gpt-5\.1", _openai_reasoning(128_000, 400_000, _GPT51_EFFORTS)),
    (r"gpt-5", _openai_reasoning(128_000, 400_000, _GPT5_EFFORTS)),
    (r"o[134](-mini|-pro)?(\b|-)", _openai_reasoning(100_000, 200_000, _OPENAI_EFFORTS)),
    (r"gpt-4\.1", _openai_chat(32_768, 1_047_576)),
    (r"(chatgpt-)?gpt-4o", _openai_chat(16_384, 128_000)),
    (r"gpt-4-turbo|gpt-4(?![.o\d])", _openai_chat(4_096, 128_000)),
    (r"gpt-3\.5", _openai_chat(4_096, 16_385)),
    # OpenAI's open-weight gpt-oss (hosted by many providers): reasoning_effort, sampling allowed
    (r"gpt-oss", ModelTraits(reasoning=True, thinking="effort", efforts=_OPENAI_EFFORTS,
                             sampling=_NO_TOP_K, max_output_tokens=131_072,
                             context_tokens=131_072)),
    # Google Gemini
    (r"gemini-3", _gemini(65_536, "level")),
    (r"gemini-2\.5", _gemini(65_536, "budget")),
    (r"gemini-(2\.0|1\.5)", _gemini(8_192, "none")),
    # DeepSeek: the reasoner always reasons and takes no effort; sampling has no effect on it
    (r"deepseek-(reasoner|r1)", ModelTraits(reasoning=True, thinking="none",
                                            sampling=_NONE, max_output_tokens=64_000,
                                            context_tokens=128_000)),
    (r"deepseek-(chat|v3)", ModelTraits(sampling=_NO_TOP_K, max_output_tokens=8_192,
                                        context_tokens=128_000)),
    # xAI: Grok 4 reasons but refuses reasoning_effort; Grok 3 mini takes it
    (r"grok-3-mini", ModelTraits(reasoning=True, thinking="effort", efforts=("low", "high"),
                                 sampling=_NO_TOP_K, context_tokens=131_072)),
    (r"grok-(4|code)", ModelTraits(reasoning=True, thinking="none", sampling=_NO_TOP_K,
                                   context_tokens=256_000)),
)
# fmt: on

UNKNOWN = ModelTraits(known=False)
_COMPILED = tuple((re.compile(rf"(?:^|/)(?:{pattern})", re.IGNORECASE), t) for pattern, t in TABLE)


@lru_cache(maxsize=4096)
def traits_for(model: str) -> ModelTraits:
    """The traits of the family `model` belongs to (UNKNOWN, logged once, when none matches)."""
    for pattern, traits in _COMPILED:
        if pattern.search(model):
            return traits
    log.info("no capability entry for model %r: its requests are sent as the client asked", model)
    return UNKNOWN
