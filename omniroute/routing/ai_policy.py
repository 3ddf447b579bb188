"""The gateway-wide AI policy (Settings → AI): how much the models may think, and a system
prompt put before every request's own.

Thinking policy:
- `passthrough`: the request's reasoning setting goes on as the client sent it;
- `cap`: a thinking budget above `thinking_budget_cap` tokens is lowered to it, and an effort
  level whose budget is above the cap becomes the highest level within it (a request that does
  not ask for reasoning keeps the model's default);
- `off`: every request asks the model not to think (capability fitting then leaves that out for
  a model that cannot be told).

`apply_ai_policy` is a pure function of the canonical request, applied before the request is
fitted to its model, so one policy holds for every wire format; while `changes_requests`, a
request is not passed through in its own format untouched.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace

from ..formats.canonical import EFFORT_BUDGETS, Reasoning, Request, TextPart

THINKING_POLICIES = ("passthrough", "cap", "off")
BUDGET_CAP_RANGE = (128, 128_000)
SYSTEM_PROMPT_MAX_CHARS = 20_000


@dataclass(frozen=True)
class AiPolicy:
    thinking: str = "passthrough"
    thinking_budget_cap: int = 8192
    system_prompt: str = ""

    @property
    def changes_requests(self) -> bool:
        """Whether the policy changes any request (else a request may pass through untouched)."""
        return self.thinking != "passthrough" or bool(self.system_prompt.strip())


def policy_to_json(policy: AiPolicy) -> str:
    return json.dumps(asdict(policy))


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
    cap = stored.get("thinking_budget_cap")
    prompt = stored.get("system_prompt")
    low, high = BUDGET_CAP_RANGE
    return AiPolicy(
        thinking=thinking if thinking in THINKING_POLICIES else default.thinking,
        thinking_budget_cap=cap
        if isinstance(cap, int) and not isinstance(cap, bool) and low <= cap <= high
        else default.thinking_budget_cap,
        system_prompt=prompt
        if isinstance(prompt, str) and len(prompt) <= SYSTEM_PROMPT_MAX_CHARS
        else default.system_prompt,
    )


def apply_ai_policy(request: Request, policy: AiPolicy) -> Request:
    """`request` under `policy`: the global system prompt first, the thinking policy applied."""
    changes: dict = {}
    if policy.system_prompt.strip():
        changes["system"] = (TextPart(policy.system_prompt), *request.system)
    reasoning = _reasoning_under(request.reasoning, policy)
    if reasoning is not request.reasoning:
        changes["reasoning"] = reasoning
    return replace(request, **changes) if changes else request


def _reasoning_under(reasoning: Reasoning | None, policy: AiPolicy) -> Reasoning | None:
    if policy.thinking == "off":
        if reasoning is not None and reasoning.is_off:
            return reasoning
        return Reasoning(enabled=False)
    if policy.thinking != "cap" or reasoning is None or reasoning.is_off:
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
