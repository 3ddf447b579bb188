"""The AI, Security and Advanced settings as `/api/settings` and the Settings tabs spell them.

Editable (camelCase): thinkingPolicy (passthrough, cap, off), thinkingBudgetCap (128–128000
tokens), globalSystemPrompt (at most 20,000 characters; empty for none), modelsRequireKey
(true/false). Read-only: the upstream timeouts and request logging, which are environment
settings read when the gateway starts (the transport's connection pools and the log writer are
built with them); the API names the variable to set.

One validator serves the JSON API and the forms, so both refuse alike, in the user's language.
"""

from __future__ import annotations

from dataclasses import replace

from flask import current_app
from flask_babel import lazy_gettext as _l

from ...routing.ai_policy import BUDGET_CAP_RANGE, SYSTEM_PROMPT_MAX_CHARS, THINKING_POLICIES
from ...store.gateway_options import (
    load_ai_policy,
    load_security_options,
    save_ai_policy,
    save_security_options,
)
from ..providers.connection_form import FieldError

# API name → (attribute, kind, limits)
AI_FIELDS = {
    "thinkingPolicy": ("thinking", "choice", THINKING_POLICIES),
    "thinkingBudgetCap": ("thinking_budget_cap", "int", BUDGET_CAP_RANGE),
    "globalSystemPrompt": ("system_prompt", "text", SYSTEM_PROMPT_MAX_CHARS),
}
SECURITY_FIELDS = {"modelsRequireKey": ("models_require_key", "bool", None)}
# API name → the environment variable it reflects
READ_ONLY_FIELDS = {
    "upstreamConnectTimeout": "UPSTREAM_CONNECT_TIMEOUT",
    "upstreamReadTimeout": "UPSTREAM_READ_TIMEOUT",
    "upstreamIdleTimeout": "UPSTREAM_IDLE_TIMEOUT",
    "requestLogs": "ENABLE_REQUEST_LOGS",
    "requestLogHours": "REQUEST_LOG_HOURS",
}
EDITABLE_FIELDS = (*AI_FIELDS, *SECURITY_FIELDS)


def checked_value(name: str, value, kind: str, limits):
    """`value` for the field `name`, or FieldError saying what it must be."""
    if kind == "choice":
        if value not in limits:
            raise FieldError(name, _l("choose one of: %(options)s", options=", ".join(limits)))
        return value
    if kind == "int":
        low, high = limits
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise FieldError(
                name, _l("enter a whole number from %(low)d to %(high)d", low=low, high=high)
            )
        return value
    if kind == "text":
        if not isinstance(value, str):
            raise FieldError(name, _l("must be text"))
        if len(value) > limits:
            raise FieldError(name, _l("at most %(count)d characters", count=limits))
        return value.strip()
    if not isinstance(value, bool):
        raise FieldError(name, _l("must be true or false"))
    return value


def api_values(stored, fields: dict) -> dict:
    """API name → value of each of `fields` in the stored dataclass."""
    return {name: getattr(stored, spec[0]) for name, spec in fields.items()}


def attribute_changes(changes: dict, fields: dict) -> dict:
    """Attribute → value of the `changes` that belong to `fields`."""
    return {spec[0]: changes[name] for name, spec in fields.items() if name in changes}


def options_as_api() -> dict:
    """The AI, Security and Advanced settings (camelCase)."""
    environment = current_app.extensions["omniroute"].settings
    return {
        **api_values(load_ai_policy(), AI_FIELDS),
        **api_values(load_security_options(), SECURITY_FIELDS),
        **{name: environment[variable] for name, variable in READ_ONLY_FIELDS.items()},
    }


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
        _attr, kind, limits = {**AI_FIELDS, **SECURITY_FIELDS}[name]
        checked[name] = checked_value(name, changes[name], kind, limits)
    return checked


def save_option_changes(changes: dict) -> None:
    """Save checked `changes` (see check_option_changes) and refresh what caches them."""
    ai = attribute_changes(changes, AI_FIELDS)
    security = attribute_changes(changes, SECURITY_FIELDS)
    if ai:
        save_ai_policy(replace(load_ai_policy(), **ai))
        cached = getattr(current_app.extensions["omniroute"], "ai_policy", None)
        if cached is not None:
            cached.invalidate()
    if security:
        save_security_options(replace(load_security_options(), **security))
