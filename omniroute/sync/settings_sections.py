"""The settings a configuration bundle carries, each one JSON value of the `app_settings` table.

Each is read in its canonical form (stored text → the loader's object → its JSON), so a value
written by this code or the dashboard reads the same. A bundle's value is valid when it survives
that round trip unchanged: the loaders are lenient (an unknown value becomes the default), and a
value they would silently change is refused instead. Proxies have their own section
(proxy_section.py); the admin password, the storage-key canary and the sync state never travel.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from ..access.blocking import blocked_from_api
from ..access.rules import RuleError, rules_from_json, rules_to_json
from ..access.store import BLOCKED_PROVIDERS_KEY, IP_ACCESS_KEY
from ..resilience.settings import settings_from_json, settings_to_json
from ..routing import ai_policy, policy
from ..store import affinity_options, replay_options
from ..store.app_settings import RESILIENCE_KEY, ROUTING_KEY, get_app_setting, set_app_setting
from ..store.gateway_options import AI_KEY
from .bundle_errors import BundleError


@dataclass(frozen=True)
class SettingCodec:
    key: str  # the app_settings key
    load: Callable[[str | None], Any]  # stored text → object (lenient)
    dump: Callable[[Any], str]  # object → stored text


def _affinity_json(options: affinity_options.AffinityOptions) -> str:
    return json.dumps(asdict(options))


def _blocked_from_json(text: str | None) -> list[str]:
    try:
        ids = json.loads(text) if text else []
    except ValueError:
        ids = []
    return sorted({i for i in ids if isinstance(i, str)}) if isinstance(ids, list) else []


def _blocked_checked(value: list[str]) -> str:
    try:
        return json.dumps(sorted(blocked_from_api({"providers": value})))
    except RuleError as error:
        raise BundleError(f"settings.blockedProviders ({error.field})", error.message) from None


SETTING_CODECS: dict[str, SettingCodec] = {
    "routing": SettingCodec(ROUTING_KEY, policy.policy_from_json, policy.policy_to_json),
    "resilience": SettingCodec(RESILIENCE_KEY, settings_from_json, settings_to_json),
    "ai": SettingCodec(AI_KEY, ai_policy.policy_from_json, ai_policy.policy_to_json),
    "affinity": SettingCodec(
        affinity_options.AFFINITY_KEY, affinity_options.options_from_json, _affinity_json
    ),
    "replay": SettingCodec(
        replay_options.REPLAY_KEY, replay_options.options_from_json, replay_options.options_to_json
    ),
    "ipAccess": SettingCodec(IP_ACCESS_KEY, rules_from_json, rules_to_json),
    "blockedProviders": SettingCodec(BLOCKED_PROVIDERS_KEY, _blocked_from_json, json.dumps),
}


def read_settings() -> dict[str, Any]:
    """Every synced setting as its canonical JSON value."""
    return {
        name: json.loads(codec.dump(codec.load(get_app_setting(codec.key))))
        for name, codec in SETTING_CODECS.items()
    }


def checked_settings(section: object) -> dict[str, str]:
    """The stored text of each setting a bundle holds (app_settings key → text); BundleError
    names the first setting that is missing or would not read back as sent."""
    if not isinstance(section, dict):
        raise BundleError("settings", "must be an object")
    unknown = sorted(set(section) - set(SETTING_CODECS))
    if unknown:
        raise BundleError(f"settings.{unknown[0]}", "is not a synced setting")
    stored: dict[str, str] = {}
    for name, codec in SETTING_CODECS.items():
        if name not in section:
            raise BundleError(f"settings.{name}", "is missing")
        value = section[name]
        if name == "blockedProviders":
            if not isinstance(value, list):
                raise BundleError("settings.blockedProviders", "must be a list of provider ids")
            stored[codec.key] = _blocked_checked(value)
            continue
        text = json.dumps(value)
        if not isinstance(value, dict) or json.loads(codec.dump(codec.load(text))) != value:
            raise BundleError(f"settings.{name}", "is not a valid value of this setting")
        stored[codec.key] = codec.dump(codec.load(text))
    return stored


def write_settings(stored: dict[str, str]) -> None:
    for key, text in stored.items():
        set_app_setting(key, text)
