"""ModelTraits: what one model accepts, as the request builders need to know it.

The values come from the catalog's capability table (providers/capabilities.py), looked up per
attempt and set on the canonical request (`Request.traits`) before it is built in the provider's
format; a builder reads them instead of guessing from the model's name. A request without
traits (unit tests, the translator playground) is built as before.

    reasoning         the model reasons: it takes a reasoning effort / thinking configuration
    thinking          how it is asked to think: "none", "budget" (a token budget: Claude's
                      thinking.budget_tokens, Gemini 2.5's thinkingBudget), "adaptive" (Claude
                      models that take {"type": "adaptive"} too), "effort" (OpenAI's
                      reasoning_effort / reasoning.effort), "level" (Gemini 3's thinkingLevel)
    efforts           the reasoning efforts it accepts, lowest first (thinking "effort")
    sampling          the sampling parameters it accepts, of temperature, top_p, top_k
    exclusive_sampling  temperature and top_p are refused together (Claude 4.5 and later)
    max_output_tokens the most it may be asked to write (None: not known)
    context_tokens    its context window (None: not known)
    token_field       OpenAI Chat's name for the output cap: max_tokens, or max_completion_tokens
                      (reasoning models refuse max_tokens)
    known             False for the safe default given to a model the table does not know
"""

from __future__ import annotations

from dataclasses import dataclass

SAMPLING_PARAMETERS = ("temperature", "top_p", "top_k")
THINKING_STYLES = ("none", "budget", "adaptive", "effort", "level")


@dataclass(frozen=True)
class ModelTraits:
    reasoning: bool = False
    thinking: str = "none"
    efforts: tuple[str, ...] = ()
    sampling: frozenset[str] = frozenset(SAMPLING_PARAMETERS)
    exclusive_sampling: bool = False
    max_output_tokens: int | None = None
    context_tokens: int | None = None
    token_field: str = "max_tokens"
    known: bool = True

    def accepts(self, parameter: str) -> bool:
        return parameter in self.sampling
