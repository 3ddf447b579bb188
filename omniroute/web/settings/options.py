"""The AI, Security and Advanced settings as `/api/settings` and the Settings tabs spell them.

Each group of options is one stored dataclass (`OptionGroup`: its fields, how it is loaded and
saved, and which in-memory snapshot to refresh after a save). Editable (camelCase):

- AI: thinkingPolicy (passthrough, cap, fixed, effort_map, off), thinkingBudgetCap and
  thinkingBudgetFixed (128–128000 tokens), effortBudgets ({minimal, low, medium, high, xhigh} →
  tokens, each 128–128000), globalSystemPrompt (at most 20,000 characters; empty for none),
  globalSystemPromptPosition (before, after);
- Session affinity (AI): sessionAffinity (true/false), sessionAffinityHeader (an extra header
  naming the conversation: letters, digits and "-", at most 100; empty for none — waitress drops
  headers with "_"), sessionAffinityMaxEntries (100–1,000,000), sessionAffinityTtlSeconds
  (60–604800);
- Response cache and idempotency (AI): responseCache, responseCacheStreams (true/false),
  responseCacheTtlSeconds (1–86400), responseCacheMaxEntries (1–1,000,000),
  responseCacheMaxBytes (65536–4 GiB; the idempotency table has the same bounds),
  idempotencyWindowSeconds (0–3600; 0 turns idempotency off);
- Security: modelsRequireKey (true/false).

Read-only: the upstream timeouts and request logging, which are environment settings read when
the gateway starts (the transport's connection pools and the log writer are built with them);
the API names the variable to set.

One validator serves the JSON API and the forms, so both refuse alike, in the user's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from ...formats.canonical import EFFORT_BUDGETS
from ...routing.ai_policy import (
    BUDGET_CAP_RANGE,
    PROMPT_POSITIONS,
    SYSTEM_PROMPT_MAX_CHARS,
    THINKING_POLICIES,
)
from ...store.affinity_options import load_affinity_options, save_affinity_options
from ...store.gateway_options import (
    load_ai_policy,
    load_security_options,
    save_ai_policy,
    save_security_options,
)
from ...store.replay_options import load_replay_options, save_replay_options
from ..providers.connection_form import FieldError

EFFORT_LEVELS = tuple(EFFORT_BUDGETS)

# API name → (attribute, kind, limits)
AI_FIELDS = {
    "thinkingPolicy": ("thinking", "choice", THINKING_POLICIES),
    "thinkingBudgetCap": ("thinking_budget_cap", "int", BUDGET_CAP_RANGE),
    "thinkingBudgetFixed": ("thinking_budget_fixed", "int", BUDGET_CAP_RANGE),
    "effortBudgets": ("effort_budgets", "budgets", BUDGET_CAP_RANGE),
    "globalSystemPrompt": ("system_prompt", "text", SYSTEM_PROMPT_MAX_CHARS),
    "globalSystemPromptPosition": ("system_prompt_position", "choice", PROMPT_POSITIONS),
}
AFFINITY_FIELDS = {
    "sessionAffinity": ("enabled", "bool", None),
    "sessionAffinityHeader": ("header", "header", 100),
    "sessionAffinityMaxEntries": ("max_entries", "int", (100, 1_000_000)),
    "sessionAffinityTtlSeconds": ("ttl_seconds", "number", (60, 604_800)),
}
REPLAY_FIELDS = {
    "responseCache": ("cache_enabled", "bool", None),
    "responseCacheStreams": ("cache_streams", "bool", None),
    "responseCacheTtlSeconds": ("ttl_seconds", "number", (1, 86_400)),
    "responseCacheMaxEntries": ("max_entries", "int", (1, 1_000_000)),
    "responseCacheMaxBytes": ("max_bytes", "int", (65_536, 4 * 1024**3)),
    "idempotencyWindowSeconds": ("idempotency_window_seconds", "number", (0, 3600)),
}
SECURITY_FIELDS = {"modelsRequireKey": ("models_require_key", "bool", None)}
HEADER_NAME = re.compile(r"[A-Za-z0-9-]*")
# API name → the environment variable it reflects
READ_ONLY_FIELDS = {
    "upstreamConnectTimeout": "UPSTREAM_CONNECT_TIMEOUT",
    "upstreamReadTimeout": "UPSTREAM_READ_TIMEOUT",
    "upstreamIdleTimeout": "UPSTREAM_IDLE_TIMEOUT",
    "requestLogs": "ENABLE_REQUEST_LOGS",
    "requestLogHours": "REQUEST_LOG_HOURS",
}


@dataclass(frozen=True)
class OptionGroup:
    """One stored options dataclass: its API fields, load and save, and how the services'
    in-memory copy is refreshed after a save (None: it is read fresh each time)."""

    fields: dict[str, tuple[str, str, Any]]
    load: Callable[[], Any]
    save: Callable[[Any], None]
    refresh: Callable[[Any], None] | None = None


GROUPS: tuple[OptionGroup, ...] = (
    OptionGroup(
        AI_FIELDS, load_ai_policy, save_ai_policy, lambda services: services.ai_policy.invalidate()
    ),
    OptionGroup(
        AFFINITY_FIELDS,
        load_affinity_options,
        save_affinity_options,
        lambda services: services.pipeline.affinity.invalidate(),
    ),
    OptionGroup(
        REPLAY_FIELDS,
        load_replay_options,
        save_replay_options,
        lambda services: services.pipeline.replay.invalidate(),
    ),
    OptionGroup(SECURITY_FIELDS, load_security_options, save_security_options),
)
FIELD_SPECS = {name: spec for group in GROUPS for name, spec in group.fields.items()}
EDITABLE_FIELDS = tuple(FIELD_SPECS)


def checked_value(name: str, value, kind: str, limits):
    """`value` for the field `name`, or FieldError saying what it must be."""
    if kind == "choice":
        if value not in limits:
            raise FieldError(name, _l("choose one of: %(options)s", options=", ".join(limits)))
        return value
    if kind in ("int", "number"):
        low, high = limits
        number_types = (int,) if kind == "int" else (int, float)
        if (
            isinstance(value, bool)
            or not isinstance(value, number_types)
            or not low <= value <= high
        ):
            message = (
                _l("enter a whole number from %(low)d to %(high)d", low=low, high=high)
                if kind == "int"
                else _l("enter a number from %(low)s to %(high)s", low=low, high=high)
            )
            raise FieldError(name, message)
        return value
    if kind == "budgets":
        if not isinstance(value, dict) or set(value) != set(EFFORT_LEVELS):
            raise FieldError(
                name, _l("give a budget for each of: %(levels)s", levels=", ".join(EFFORT_LEVELS))
            )
        return {level: checked_value(name, value[level], "int", limits) for level in EFFORT_LEVELS}
    if kind == "header":
        if not isinstance(value, str) or not HEADER_NAME.fullmatch(value.strip()):
            raise FieldError(name, _l("a header name: letters, digits and - only"))
        if len(value.strip()) > limits:
            raise FieldError(name, _l("at most %(count)d characters", count=limits))
        return value.strip()
    if kind == "text":
        if not isinstance(value, str):
            raise FieldError(name, _l("must be text"))
        if len(value) > limits:
            raise FieldError(name, _l("at most %(count)d characters", count=limits))
        return value.strip()
    if not isinstance(value, bool):
        raise FieldError(name, _l("must be true or false"))
    return value


def options_as_api() -> dict:
    """The AI, Security and Advanced settings (camelCase)."""
    environment = current_app.extensions["omniroute"].settings
    values: dict = {}
    for group in GROUPS:
        stored = group.load()
        values.update({name: getattr(stored, spec[0]) for name, spec in group.fields.items()})
    values.update({name: environment[variable] for name, variable in READ_ONLY_FIELDS.items()})
    return values


def check_option_changes(changes: dict) -> dict:
    """`changes` checked (text trimmed); FieldError for the first read-only field or bad value
    among them (names the routing settings do not know)."""
    checked = {}
    for name in sorted(changes):
        if name in READ_ONLY_FIELDS:
            raise FieldError(
                name,
                _l(
                    "read-only: set %(variable)s in the environment and restart the gateway",
                    variable=READ_ONLY_FIELDS[name],
                ),
            )
        _attr, kind, limits = FIELD_SPECS[name]
        checked[name] = checked_value(name, changes[name], kind, limits)
    return checked


def save_option_changes(changes: dict) -> None:
    """Save checked `changes` (see check_option_changes) and refresh what caches them."""
    services = current_app.extensions["omniroute"]
    for group in GROUPS:
        attributes = {spec[0]: changes[n] for n, spec in group.fields.items() if n in changes}
        if not attributes:
            continue
        group.save(replace(group.load(), **attributes))
        if group.refresh is not None:
            group.refresh(services)
