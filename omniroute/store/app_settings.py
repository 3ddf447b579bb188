"""Query functions for the key/value `app_settings` table."""

from __future__ import annotations

from ..resilience.settings import ResilienceSettings, settings_from_json, settings_to_json
from ..routing.policy import RoutingPolicy, policy_from_json, policy_to_json
from .models import AppSetting


def get_app_setting(key: str, default: str | None = None) -> str | None:
    row = AppSetting.get_or_none(AppSetting.key == key)
    return default if row is None else row.value


def set_app_setting(key: str, value: str) -> None:
    AppSetting.insert(key=key, value=value).on_conflict(
        conflict_target=[AppSetting.key], update={AppSetting.value: value}
    ).execute()


ROUTING_KEY = "routing"


def load_routing_policy() -> RoutingPolicy:
    return policy_from_json(get_app_setting(ROUTING_KEY))


def save_routing_policy(policy: RoutingPolicy) -> None:
    set_app_setting(ROUTING_KEY, policy_to_json(policy))


RESILIENCE_KEY = "resilience"


def load_resilience_settings() -> ResilienceSettings:
    return settings_from_json(get_app_setting(RESILIENCE_KEY))


def save_resilience_settings(settings: ResilienceSettings) -> None:
    set_app_setting(RESILIENCE_KEY, settings_to_json(settings))
