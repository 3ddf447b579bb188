"""Fit a body passed through untouched to the model that answers it.

When the client and the provider share a format the body is not parsed (the fast path), yet a
combo or a fallback may send it to another model than the client chose — a reasoning effort
written for `gpt-5` reaching `gpt-4o-mini`, `top_p` reaching a reasoning model. Each format
declares where its body keeps what fitting may change (`BodyFields`, in its wire.py), and
`fit_body` applies the same rules as formats/fitting.py to those keys only: sampling
parameters the model refuses are left out (one of temperature and top_p for a model that
refuses both together), a reasoning setting is left out for a model that takes none and an
effort becomes the nearest the model knows, an output cap above the model's limit is lowered,
and an OpenAI reasoning model gets `max_completion_tokens` instead of `max_tokens`. Each
change is noted in the request's drop log. A model the table does not know gets the body as it
came; so does a body the fitting finds nothing to change in (no copy is made then).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .dropped import DropNotes
from .fitting import nearest_effort
from .model_traits import ModelTraits


@dataclass(frozen=True)
class BodyFields:
    """Where one format's body keeps what fitting may change."""

    container: str | None = None  # the sub-object holding them (Gemini's generationConfig)
    sampling: Mapping[str, str] = field(default_factory=dict)  # canonical name → wire key
    reasoning: tuple[str, ...] = ()  # keys that ask for reasoning
    effort: tuple[str, ...] = ()  # the path of the effort value (e.g. reasoning.effort)
    max_tokens: tuple[str, ...] = ()  # keys of the output cap
    token_field_choice: bool = False  # the cap may be spelled max_tokens or max_completion_tokens


def fit_body(
    body: dict,
    model: str,
    fields: BodyFields | None,
    traits: ModelTraits,
    notes: DropNotes | None = None,
) -> dict:
    """`body` as the model accepts it (a copy when something changed; see the docstring)."""
    if fields is None or not traits.known:
        return body
    holder = body.get(fields.container) if fields.container else body
    if not isinstance(holder, dict):
        return body
    fitted = dict(holder)
    log = notes if notes is not None else DropNotes()
    changed = _fit_sampling(fitted, fields, traits, log, model)
    changed |= _fit_reasoning(fitted, fields, traits, log, model)
    changed |= _fit_cap(fitted, fields, traits, log, model)
    if not changed:
        return body
    return {**body, fields.container: fitted} if fields.container else fitted


def _fit_sampling(
    holder: dict, fields: BodyFields, traits: ModelTraits, log: DropNotes, model: str
) -> bool:
    changed = False
    for name, key in fields.sampling.items():
        if key in holder and not traits.accepts(name):
            del holder[key]
            log.note(model, name, "the model does not accept it")
            changed = True
    temperature, top_p = fields.sampling.get("temperature"), fields.sampling.get("top_p")
    if traits.exclusive_sampling and temperature in holder and top_p in holder:
        del holder[top_p]
        log.note(model, "top_p", "the model refuses temperature and top_p together")
        changed = True
    return changed


def _fit_reasoning(
    holder: dict, fields: BodyFields, traits: ModelTraits, log: DropNotes, model: str
) -> bool:
    if traits.thinking == "none":
        found = [key for key in fields.reasoning if holder.pop(key, None) is not None]
        for key in found:
            log.note(model, key, "the model cannot be told how to reason")
        return bool(found)
    if traits.thinking != "effort" or not traits.efforts or not fields.effort:
        return False
    *path, last = fields.effort
    parent: Any = holder
    for key in path:
        parent = parent.get(key) if isinstance(parent, dict) else None
    effort = parent.get(last) if isinstance(parent, dict) else None
    if not isinstance(effort, str) or effort in traits.efforts:
        return False
    nearest = nearest_effort(effort, traits.efforts) or traits.efforts[0]
    if path:  # copy the nested object before changing it: the client's body stays as it was
        holder[path[0]] = parent = {**parent, last: nearest}
    else:
        holder[last] = nearest
    log.note(model, f"reasoning effort {effort!r}", f"the model takes {nearest!r}")
    return True


def _fit_cap(
    holder: dict, fields: BodyFields, traits: ModelTraits, log: DropNotes, model: str
) -> bool:
    limit, changed = traits.max_output_tokens, False
    for key in fields.max_tokens:
        value = holder.get(key)
        if limit is not None and type(value) is int and value > limit:
            holder[key] = limit
            log.note(model, f"{key} above {limit}", f"the model writes at most {limit} tokens")
            changed = True
    if fields.token_field_choice and traits.token_field not in holder:
        for key in fields.max_tokens:
            if key != traits.token_field and key in holder:
                holder[traits.token_field] = holder.pop(key)
                log.note(model, key, f"the model takes {traits.token_field} instead")
                changed = True
    return changed
