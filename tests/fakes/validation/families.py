"""Model families, read from the provider's own model id (nothing stripped), and what each
refuses. An id no family claims gets only its format's generic rules.

Claude (SOURCE: Anthropic "Models overview" comparison table — max output tokens; the API's
message "`temperature` and `top_p` cannot both be specified for this model. Please use only
one." reported for Opus 4.1, Sonnet/Haiku/Opus 4.5 and the 4.6 models):

    family              max output   temperature xor top_p
    claude-opus-4-6        128000          yes
    claude-sonnet-4-6       64000          yes
    claude-opus-4-5         64000          yes
    claude-sonnet-4-5       64000          yes
    claude-haiku-4-5        64000          yes
    claude-opus-4-1         32000          yes
    claude-opus-4           32000          no
    claude-sonnet-4         64000          no
    claude-3-7-sonnet       64000          no
    claude-3-5-sonnet        8192          no
    claude-3-5-haiku         8192          no
    claude-3-opus            4096          no
    claude-3-haiku           4096          no

An id belongs to a family when it is the family name or the name plus a `-YYYYMMDD` snapshot
date (`claude-sonnet-4-5-20250929`); `claude-opus-4-7` is not `claude-opus-4`.

OpenAI (SOURCE: OpenAI "Reasoning models" guide; errors "Unsupported parameter: 'max_tokens'
is not supported with this model. Use 'max_completion_tokens' instead." and "Unsupported value:
'temperature' does not support 0.5 with this model. Only the default (1) value is supported."
for o-series and gpt-5; "Unrecognized request argument supplied: reasoning_effort" for gpt-4o):
reasoning = o1*, o3*, o4*, codex-mini*, gpt-5* except gpt-5-chat*; gpt-5.1 and later (not the
codex models) accept sampling parameters while reasoning effort is "none" (their default).
Classic (no reasoning) = gpt-3.5*, gpt-4, gpt-4-*, gpt-4o*, gpt-4.1*, gpt-4.5*, chatgpt-4o*,
gpt-5-chat*.

Gemini (SOURCE: Gemini API "Thinking" guide, thinking budget table; "If you use the
thinking_level parameter with a model earlier than Gemini 3, the model returns an error"):

    family                 thinkingBudget           thinkingLevel
    gemini-2.5-pro         -1 or 128..32768         refused
    gemini-2.5-flash-lite  -1, 0 or 512..24576      refused
    gemini-2.5-flash       -1 or 0..24576           refused
    gemini-3*              (not checked)            MINIMAL refused on *-pro
"""

from __future__ import annotations

import re

CLAUDE_FAMILIES: tuple[tuple[str, int, bool], ...] = (
    ("claude-opus-4-6", 128000, True),
    ("claude-sonnet-4-6", 64000, True),
    ("claude-opus-4-5", 64000, True),
    ("claude-sonnet-4-5", 64000, True),
    ("claude-haiku-4-5", 64000, True),
    ("claude-opus-4-1", 32000, True),
    ("claude-opus-4", 32000, False),
    ("claude-sonnet-4", 64000, False),
    ("claude-3-7-sonnet", 64000, False),
    ("claude-3-5-sonnet", 8192, False),
    ("claude-3-5-haiku", 8192, False),
    ("claude-3-opus", 4096, False),
    ("claude-3-haiku", 4096, False),
)
SNAPSHOT = re.compile(r"-\d{8}$")

OPENAI_REASONING = re.compile(r"^(o1|o3|o4)(-|$)|^codex-mini|^gpt-5(?!-chat)(\.\d+)?(-|$)")
OPENAI_CLASSIC = re.compile(
    r"^(gpt-3\.5|gpt-4o|gpt-4\.1|gpt-4\.5|chatgpt-4o|gpt-5-chat)|^gpt-4($|-)"
)
OPENAI_NONE_EFFORT = re.compile(r"^gpt-5\.[1-9]")

GEMINI_BUDGETS: tuple[tuple[str, tuple[int, int], bool], ...] = (
    # (family, (lowest, highest) positive budget, 0 turns thinking off)
    ("gemini-2.5-pro", (128, 32768), False),
    ("gemini-2.5-flash-lite", (512, 24576), True),
    ("gemini-2.5-flash", (1, 24576), True),
)


def _claude(model: str) -> tuple[str, int, bool] | None:
    for family in CLAUDE_FAMILIES:
        name = family[0]
        if model == name or (model.startswith(name) and SNAPSHOT.fullmatch(model[len(name) :])):
            return family
    return None


def is_claude(model: object) -> bool:
    """An Anthropic model id: the Anthropic API's own field checks apply."""
    return isinstance(model, str) and model.startswith("claude-")


def claude_max_output(model: str) -> int | None:
    family = _claude(model)
    return family[1] if family else None


def claude_one_sampler(model: str) -> bool:
    """True when the model refuses `temperature` and `top_p` together."""
    family = _claude(model)
    return bool(family and family[2])


def openai_reasoning(model: object) -> bool:
    return isinstance(model, str) and bool(OPENAI_REASONING.search(model))


def openai_classic(model: object) -> bool:
    return isinstance(model, str) and bool(OPENAI_CLASSIC.search(model))


def is_openai(model: object) -> bool:
    """An OpenAI model id: the OpenAI API's own field checks apply."""
    return isinstance(model, str) and (
        openai_reasoning(model) or openai_classic(model) or model.startswith("gpt-")
    )


def samples_without_reasoning(model: str, effort: object) -> bool:
    """True when a reasoning model takes sampling parameters: gpt-5.1+ with effort "none"."""
    none = effort in (None, "none")
    return bool(OPENAI_NONE_EFFORT.search(model)) and "codex" not in model and none


def gemini_budget(model: str) -> tuple[tuple[int, int], bool] | None:
    """((lowest, highest), zero allowed) of `thinkingBudget` for a Gemini 2.5 model."""
    for family, limits, zero in GEMINI_BUDGETS:
        if model == family or model.startswith(family + "-"):
            return limits, zero
    return None


def gemini_2_5(model: str) -> bool:
    return model.startswith("gemini-2.5")


def gemini_3(model: str) -> bool:
    return model.startswith("gemini-3")
