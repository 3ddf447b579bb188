"""What the CLI tools page fills its snippets with: the gateway's external URL, the key the user
picked (an existing key only as a marked placeholder with its prefix, since only a new key's
text is ever known) and the model or combo picked from the routing table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from ...cli_tools.snippets import Target
from ...clock import utcnow
from ...proxy.client_auth import listens_beyond_loopback
from ...store import api_keys as key_store
from ..combos.pages import model_suggestions
from ..external_url import external_base_url
from ..models.api_aliases import PATTERN_CHARS

MODEL_PLACEHOLDER = "<model>"


@dataclass(frozen=True)
class Choice:
    keys: list[key_store.ApiKeyRecord]
    key: key_store.ApiKeyRecord | None
    models: list[str]
    model: str
    target: Target


def usable_keys() -> list[key_store.ApiKeyRecord]:
    now = utcnow()
    return [
        k
        for k in key_store.list_api_keys()
        if k.revoked_at is None and (k.expires_at is None or k.expires_at > now)
    ]


def key_placeholder(record: key_store.ApiKeyRecord | None) -> str:
    if record is None:
        return _("<your OmniRoute API key>")
    return _("<paste key %(prefix)s…>", prefix=record.key_prefix)


def pick_model(asked: str, models: list[str]) -> str:
    asked = asked.strip()
    if asked and len(asked) <= 200 and PATTERN_CHARS.fullmatch(asked):
        return asked
    return models[0] if models else MODEL_PLACEHOLDER


def choose(settings: dict[str, Any], key_id: str, model: str, new_key: str = "") -> Choice:
    keys = usable_keys()
    key = next((k for k in keys if str(k.id) == key_id.strip()), None)
    models = model_suggestions()
    chosen_model = pick_model(model, models)
    api_key = new_key or key_placeholder(key)
    target = Target(external_base_url(settings), api_key, chosen_model)
    return Choice(keys, key, models, chosen_model, target)


def apply_refusal(settings: dict[str, Any]) -> str | None:
    """Why Apply / Restore are refused on this server, or None when they are allowed."""
    if not settings["CLI_TOOLS_APPLY"]:
        return _("Apply is off: set CLI_TOOLS_APPLY=true to let this page write config files.")
    if listens_beyond_loopback(settings["HOSTNAME"]):
        return _(
            "Apply is refused: the server listens on %(host)s, beyond loopback; copy the "
            "snippets instead.",
            host=settings["HOSTNAME"],
        )
    if settings["TRUSTED_PROXY"]:
        return _(
            "Apply is refused: clients reach the server through a reverse proxy "
            "(TRUSTED_PROXY); copy the snippets instead."
        )
    return None
