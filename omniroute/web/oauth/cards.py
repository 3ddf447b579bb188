"""The Subscriptions cards: each sign-in provider with its status, terms-of-service risk, flows,
and its signed-in accounts (sign-in state and quota windows as bars with reset times, which the
"Update quota" button reads anew from the provider's usage endpoint when it has one)."""

from __future__ import annotations

import time
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from ...oauth.quota_poll import polls_quota
from ...providers import PROVIDERS
from ...store import connections as connection_store
from ..time_spans import days_or_hours

MODEL_WEEK_PREFIX = "7d_"  # Claude's weekly window of some models: 7d_opus, 7d_sonnet, …


def window_label(name: str) -> str:
    labels = {
        "5h": _("5-hour window"),
        "primary": _("5-hour window"),
        "7d": _("Weekly window"),
        "secondary": _("Weekly window"),
        "7d_oi": _("Weekly window (some models)"),
        "usage_limit": _("Usage limit"),
        "premium_interactions": _("Premium requests this month"),
        "chat": _("Chat messages this month"),
        "completions": _("Code completions this month"),
        "monthly": _("Monthly credits"),
        "free_trial": _("Free trial credits"),
    }
    if name not in labels and name.startswith(MODEL_WEEK_PREFIX):
        return _("Weekly window (%(models)s)", models=name[len(MODEL_WEEK_PREFIX) :])
    return labels.get(name, name)


def risk_label(risk: str) -> str:
    labels = {
        "low": _("low"),
        "medium": _("medium"),
        "high": _("high"),
        "very high": _("very high"),
    }
    return labels.get(risk, risk)


def resets_in(resets_at: float | None, now: float) -> str | None:
    if resets_at is None or resets_at <= now:
        return None
    minutes = int((resets_at - now) // 60)
    span = days_or_hours(minutes // 1440, (minutes // 60) % 24, minutes % 60)
    return span or _("%(minutes)d min", minutes=max(1, minutes))


def quota_windows(snapshot: Any, now: float) -> list[dict]:
    """A stored or live quota snapshot (its JSON form) as the bars a card draws."""
    if not isinstance(snapshot, dict):
        return []
    bars = []
    for window in snapshot.get("windows") or []:
        used = window.get("used")
        if not isinstance(used, int | float):
            continue
        bars.append(
            {
                "name": window.get("name", ""),
                "label": window_label(str(window.get("name", ""))),
                "used": min(max(float(used), 0.0), 1.0),
                "exhausted": bool(window.get("exhausted")),
                "resetsIn": resets_in(window.get("resetsAt"), now),
            }
        )
    return bars


def _accounts(provider_id: str, now: float) -> list[dict]:
    quotas = current_app.extensions["omniroute"].subscriptions.quotas
    accounts = []
    for record in connection_store.list_connections():
        if record.provider != provider_id or record.auth_kind != connection_store.AUTH_OAUTH:
            continue
        live = quotas.latest(record.id)
        snapshot = live.as_json() if live is not None else record.quota
        accounts.append(
            {
                "connectionId": record.id,
                "name": record.name,
                "account": record.account_label,
                "signInState": record.sign_in_state,
                "signInError": record.sign_in_reason,
                "quota": quota_windows(snapshot, now),
            }
        )
    return accounts


def card(provider_id: str) -> dict:
    services = current_app.extensions["omniroute"]
    declaration = services.subscriptions.providers[provider_id]
    spec = PROVIDERS.get(provider_id)
    return {
        "id": provider_id,
        "name": spec.name if spec else provider_id,
        "prefix": spec.prefix if spec else provider_id,
        "status": declaration.status,
        "status_note": _(declaration.status_note) if declaration.status_note else "",
        "tos_risk": declaration.tos_risk,
        "tos_risk_label": risk_label(declaration.tos_risk),
        "tos_note": _(declaration.tos_note) if declaration.tos_note else "",
        "flows": declaration.flows,
        "credential_files": declaration.credential_files,
        "import_paths_allowed": services.settings["OAUTH_IMPORT_FROM_PATHS"],
        "polls_quota": polls_quota(declaration),
        "accounts": _accounts(provider_id, time.time()),
    }


def cards() -> list[dict]:
    providers = current_app.extensions["omniroute"].subscriptions.providers
    return [card(provider_id) for provider_id in providers]
