"""Settings → Security → Provider blocking: the section's fragment, Edit / Save / Cancel.

GET /settings/blocked-providers (htmx: the fragment, `?edit=1` its form; otherwise back to the
tab), POST /settings/blocked-providers (a checkbox `providers` per provider). Saved as PUT
/api/settings/blocked-providers does (access/changes.py): the routing table is rebuilt at once.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request

from ...access.changes import change_blocked_providers
from ...access.rules import RuleError
from ...providers import PROVIDERS, provider_for_prefix
from ...store.connections import list_connections
from .security_sections import register_state, section_answer, section_state

bp = Blueprint("provider_blocking", __name__, url_prefix="/settings")
SLUG = "provider-blocking"
TEMPLATE = "partials/settings/provider_blocking.html"
STATE = "provider_blocking_state"


def blocked_providers() -> frozenset[str]:
    return current_app.extensions["omniroute"].routes.snapshot().blocked


def provider_blocking_state(**state) -> dict:
    """The providers offered (those with accounts, and any blocked one) and the blocked ones."""
    blocked = state.pop("blocked", None)
    blocked = blocked_providers() if blocked is None else blocked
    configured = {connection.provider for connection in list_connections()} | set(blocked)
    providers = sorted(
        (PROVIDERS[i] for i in configured if i in PROVIDERS), key=lambda spec: spec.name.lower()
    )
    return section_state(SLUG, providers=providers, blocked=blocked, **state)


register_state(bp, STATE, provider_blocking_state)


def model_is_blocked(model: str) -> bool:
    """Does `<prefix>/<model>` name a blocked provider (a combo target shown greyed)?"""
    prefix, _, rest = model.partition("/")
    spec = provider_for_prefix(prefix) if rest else None
    return spec is not None and spec.id in blocked_providers()


@bp.app_context_processor
def blocking_helpers() -> dict:
    """For the Providers and Combos pages, which show blocked providers greyed."""
    return {"blocked_provider_ids": blocked_providers, "model_is_blocked": model_is_blocked}


@bp.get("/blocked-providers")
def provider_blocking_section():
    state = provider_blocking_state(editing=bool(request.args.get("edit")))
    return section_answer(SLUG, TEMPLATE, STATE, state)


@bp.post("/blocked-providers")
def save_blocked_providers():
    chosen = request.form.getlist("providers")
    try:
        blocked = change_blocked_providers(
            current_app.extensions["omniroute"], {"providers": chosen}
        )
    except RuleError as error:
        state = provider_blocking_state(
            editing=True, blocked=frozenset(chosen), errors={"providers": error.message}
        )
        return section_answer(SLUG, TEMPLATE, STATE, state, 400)
    return section_answer(
        SLUG, TEMPLATE, STATE, provider_blocking_state(saved=True, blocked=blocked)
    )
