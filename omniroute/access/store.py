"""Query functions for the access settings: IP rules and blocked providers, each one JSON value
in the settings table."""

from __future__ import annotations

import json

from ..store.app_settings import get_app_setting, set_app_setting
from .rules import AccessRules, rules_from_json, rules_to_json

IP_ACCESS_KEY = "ip_access"
BLOCKED_PROVIDERS_KEY = "blocked_providers"


def load_access_rules() -> AccessRules:
    return rules_from_json(get_app_setting(IP_ACCESS_KEY))


def save_access_rules(rules: AccessRules) -> None:
    set_app_setting(IP_ACCESS_KEY, rules_to_json(rules))


def load_blocked_providers() -> frozenset[str]:
    text = get_app_setting(BLOCKED_PROVIDERS_KEY)
    try:
        ids = json.loads(text) if text else []
    except ValueError:
        ids = []
    return frozenset(i for i in ids if isinstance(i, str)) if isinstance(ids, list) else frozenset()


def save_blocked_providers(providers: frozenset[str]) -> None:
    set_app_setting(BLOCKED_PROVIDERS_KEY, json.dumps(sorted(providers)))
