"""The Settings page's AI policy and security options, kept in the `app_settings` table.

Security options: `models_require_key` — whether the model lists (`GET /v1/models`,
`/v1/models/{id}`, `/v1beta/models…`) need an API key when keys are required on /v1 (on by
default; off lets tools discover the models before they are given a key).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from ..routing.ai_policy import AiPolicy, policy_from_json, policy_to_json
from .app_settings import get_app_setting, set_app_setting

AI_KEY = "ai"
SECURITY_KEY = "security"


@dataclass(frozen=True)
class SecurityOptions:
    models_require_key: bool = True


def load_ai_policy() -> AiPolicy:
    return policy_from_json(get_app_setting(AI_KEY))


def save_ai_policy(policy: AiPolicy) -> None:
    set_app_setting(AI_KEY, policy_to_json(policy))


def load_security_options() -> SecurityOptions:
    """The stored options; a missing or invalid stored value is its default."""
    try:
        stored = json.loads(get_app_setting(SECURITY_KEY) or "{}")
    except ValueError:
        stored = {}
    value = stored.get("models_require_key") if isinstance(stored, dict) else None
    return SecurityOptions(models_require_key=value if isinstance(value, bool) else True)


def save_security_options(options: SecurityOptions) -> None:
    set_app_setting(SECURITY_KEY, json.dumps(asdict(options)))
