"""The gateway-wide AI policy (Settings → AI): how much the models may think, and a system
prompt added to every request's own.

Thinking policy:
- `passthrough`: the request's reasoning setting goes on as the client sent it;
- `cap`: a thinking budget above `thinking_budget_cap` tokens is lowered to it, and an effort
  level whose budget is above the cap becomes the highest level within it (a request that does
  not ask for reasoning keeps the model's default);
- `fixed`: every request thinks with `thinking_budget_fixed` tokens, whatever it asked;
- `effort_map`: a request asking for an effort level thinks with the budget `effort_budgets`
  gives that level (its effort is kept for the models that take a level); a request with a
  budget and no level, or none at all, goes on as sent;
- `off`: every request asks the model not to think (capability fitting then leaves that out for
  a model that cannot be told).

Every budget is then fitted to the answering model by its builder (Anthropic's stays below the
model's output limit and the request's max_tokens; a model that cannot be told how to reason gets
no setting).

The global system prompt goes `before` (the default) or `after` the request's own system text; a
combo may override it (routing/combos.py `Combo.system_prompt`: None uses the global one, "" none).

`apply_ai_policy` is a pure function of the canonical request, applied once when the request is
parsed, before it is fitted to each attempt's model: retries and fallbacks build from that one
request, so the prompt is never added twice, and one policy holds for every wire format. While
`changes_requests`, a request is not passed through in its own format untouched.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace

from ..formats.canonical import EFFORT_BUDGETS, Reasoning, Request, TextPart
from .combos import Combo

THINKING_POLICIES = ("passthrough", "cap", "fixed", "effort_map", "off")
PROMPT_POSITIONS = ("before", "after")
BUDGET_CAP_RANGE = (128, 128_000)
SYSTEM_PROMPT_MAX_CHARS = 20_000


def _default_effort_budgets() -> dict[str, int]:
    return dict(EFFORT_BUDGETS)


@dataclass(frozen=True)
class AiPolicy:
    thinking: str = "passthrough"
    thinking_budget_cap: int = 8192
    thinking_budget_fixed: int = 8192
    effort_budgets: dict[str, int] = field(default_factory=_default_effort_budgets, hash=False)
    system_prompt: str = ""
    system_prompt_position: str = "before"

    @property
    def changes_requests(self) -> bool:
        """Whether the policy changes any request (else a request may pass through untouched)."""
        return self.thinking != "passthrough" or bool(self.system_prompt.strip())

    def with_prompt(self, prompt: str | None) -> AiPolicy:
        """This policy with a combo's own system prompt (None: the global one stands)."""
        return self if prompt is None else replace(self, system_prompt=prompt)


def policy_for_model(policy: AiPolicy, combos: Mapping[str, Combo], model: str) -> AiPolicy:
    """The policy for a request to `model`: a combo's own system prompt replaces the global."""
    combo = combos.get(model)
    return policy if combo is None else policy.with_prompt(combo.system_prompt)


def policy_to_json(policy: AiPolicy) -> str:
    return json.dumps(asdict(policy))


def _budget(value: object) -> int | None:
    low, high = BUDGET_CAP_RANGE
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    return None


def effort_budgets_from(value: object) -> dict[str, int] | None:
    """A complete effort → budget map (every level, each budget in range), else None."""
    if not isinstance(value, dict) or set(value) != set(EFFORT_BUDGETS):
        return None
    budgets = {effort: _budget(value[effort]) for effort in EFFORT_BUDGETS}
    if any(budget is None for budget in budgets.values()):
        return None
    return {effort: int(budget or 0) for effort, budget in budgets.items()}


def policy_from_json(text: str | None) -> AiPolicy:
    """A stored policy; a missing, unknown or invalid stored value falls back to its default."""
    try:
        stored = json.loads(text) if text else {}
    except ValueError:
        stored = {}
    if not isinstance(stored, dict):
        return AiPolicy()
    default = AiPolicy()
    thinking = stored.get("thinking")
    prompt = stored.get("system_prompt")
    position = stored.get("system_prompt_position")
    return AiPolicy(
        thinking=thinking if thinking in THINKING_POLICIES else default.thinking,
        thinking_budget_cap=_budget(stored.get("thinking_budget_cap"))
        or default.thinking_budget_cap,
        thinking_budget_fixed=_budget(stored.get("thinking_budget_fixed"))
        or default.thinking_budget_fixed,
        effort_budgets=effort_budgets_from(stored.get("effort_budgets")) or default.effort_budgets,
        system_prompt=prompt
        if isinstance(prompt, str) and len(prompt) <= SYSTEM_PROMPT_MAX_CHARS
        else default.system_prompt,
        system_prompt_position=position
        if position in PROMPT_POSITIONS
        else default.system_prompt_position,
    )


def apply_ai_policy(request: Request, policy: AiPolicy) -> Request:
    """`request` under `policy`: the system prompt added, the thinking policy applied."""
    changes: dict = {}
    if policy.system_prompt.strip():
        added = TextPart(policy.system_prompt)
        if policy.system_prompt_position == "after":
            changes["system"] = (*request.system, added)
        else:
            changes["system"] = (added, *request.system)
    reasoning = _reasoning_under(request.reasoning, policy)
    if reasoning is not request.reasoning:
        changes["reasoning"] = reasoning
    return replace(request, **changes) if changes else request


def _reasoning_under(reasoning: Reasoning | None, policy: AiPolicy) -> Reasoning | None:
    if policy.thinking == "off":
        if reasoning is not None and reasoning.is_off:
            return reasoning
        return Reasoning(enabled=False, imposed=True)
    if policy.thinking == "fixed":
        budget = policy.thinking_budget_fixed
        summary = reasoning.summary if reasoning is not None else None
        return Reasoning(budget_tokens=budget, summary=summary, imposed=True)
    if reasoning is None or reasoning.is_off:
        return reasoning
    if policy.thinking == "effort_map":
        mapped = policy.effort_budgets.get(reasoning.effort or "")
        if mapped is None or mapped == reasoning.budget_tokens:
            return reasoning
        return replace(reasoning, budget_tokens=mapped)
    if policy.thinking != "cap":
        return reasoning
    cap = policy.thinking_budget_cap
    changes: dict = {}
    if reasoning.budget_tokens is not None and reasoning.budget_tokens > cap:
        changes["budget_tokens"] = cap
    if reasoning.effort in EFFORT_BUDGETS and EFFORT_BUDGETS[reasoning.effort] > cap:
        changes["effort"] = effort_within(cap)
    return replace(reasoning, **changes) if changes else reasoning


def effort_within(cap: int) -> str:
    """The highest effort level whose budget is at most `cap` (the lowest when none is)."""
    fitting = [effort for effort, tokens in EFFORT_BUDGETS.items() if tokens <= cap]
    return fitting[-1] if fitting else next(iter(EFFORT_BUDGETS))
