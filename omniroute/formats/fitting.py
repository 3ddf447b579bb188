"""Fit a canonical request to the model that will answer it, before it is built.

Given the target model's `ModelTraits` (providers/capabilities.py), `fit_request` leaves out
what that model refuses and fills in what it needs, noting each drop in the request's drop log
(formats/dropped.py):

- sampling parameters the model does not accept are left out; a model that refuses temperature
  and top_p together (Claude 4.5 and later) keeps the temperature;
- a reasoning effort or budget for a model that cannot be told how to reason is left out (a
  request that switches reasoning off needs nothing: the model does not reason or cannot be
  told), and an effort the model does not know becomes the nearest one it does;
- an output cap above the model's limit is lowered to it;
- the traits ride along on the request (`Request.traits`), so builders read the model's limit
  (Anthropic's required max_tokens) and OpenAI's name for the output cap from them.

A model the table does not know (`traits.known` False) gets the request as the client asked.
"""

from __future__ import annotations

from dataclasses import replace

from .canonical import Reasoning, Request, effort_for_budget
from .dropped import note_dropped
from .model_traits import SAMPLING_PARAMETERS, ModelTraits

EFFORT_ORDER = ("none", "minimal", "low", "medium", "high", "xhigh")


def fit_request(request: Request, traits: ModelTraits) -> Request:
    """`request` as the model described by `traits` accepts it (see the module docstring)."""
    if not traits.known:
        return replace(request, traits=traits)
    changes: dict = {"traits": traits}
    model = request.model
    for name in SAMPLING_PARAMETERS:
        if getattr(request, name) is not None and not traits.accepts(name):
            changes[name] = None
            note_dropped(request, model, name, "the model does not accept it")
    kept = {name: changes.get(name, getattr(request, name)) for name in ("temperature", "top_p")}
    if traits.exclusive_sampling and None not in kept.values():
        changes["top_p"] = None
        note_dropped(request, model, "top_p", "the model refuses temperature and top_p together")
    reasoning = _fit_reasoning(request, traits)
    if reasoning is not request.reasoning:
        changes["reasoning"] = reasoning
    limit = traits.max_output_tokens
    if limit is not None and request.max_tokens is not None and request.max_tokens > limit:
        changes["max_tokens"] = limit
        note_dropped(
            request, model, f"max_tokens above {limit}", f"the model writes at most {limit} tokens"
        )
    return replace(request, **changes)


def _fit_reasoning(request: Request, traits: ModelTraits) -> Reasoning | None:
    reasoning = request.reasoning
    if reasoning is None:
        return None
    if traits.thinking == "none":
        if not reasoning.is_off:
            why = (
                "the model reasons on its own and takes no setting"
                if traits.reasoning
                else "the model does not reason"
            )
            note_dropped(request, request.model, "the reasoning setting", why)
        return None
    if traits.thinking != "effort" or not traits.efforts:
        return reasoning
    effort = reasoning.effort or effort_for_budget(reasoning.budget_tokens)
    if reasoning.is_off:
        effort = "none"
    if effort is None or effort in traits.efforts:
        return reasoning if effort == reasoning.effort else replace(reasoning, effort=effort)
    nearest = nearest_effort(effort, traits.efforts)
    if nearest is None:  # "none" for a model that always reasons: its lowest effort
        nearest = traits.efforts[0]
    note_dropped(
        request, request.model, f"reasoning effort {effort!r}", f"the model takes {nearest!r}"
    )
    return replace(reasoning, effort=nearest, enabled=True, budget_tokens=None)


def nearest_effort(effort: str, efforts: tuple[str, ...]) -> str | None:
    """The accepted effort closest to `effort` (ties go up), None for "none" when not accepted."""
    if effort == "none":
        return "none" if "none" in efforts else None
    rank = EFFORT_ORDER.index(effort) if effort in EFFORT_ORDER else EFFORT_ORDER.index("medium")
    ranked = [(abs(EFFORT_ORDER.index(e) - rank), -EFFORT_ORDER.index(e), e) for e in efforts]
    return min(ranked)[2]
