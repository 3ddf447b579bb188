"""Proxy settings kept in the `app_settings` table (key `proxies`) as JSON; each password is
sealed with the storage key (store/secret_box.py), as provider keys are."""

from __future__ import annotations

import json

from ..store.app_settings import get_app_setting, set_app_setting
from ..store.secret_box import SecretBox
from .config import ProxyConfig, ProxySettings

PROXIES_KEY = "proxies"


def load_proxy_settings(box: SecretBox) -> ProxySettings:
    stored = json.loads(get_app_setting(PROXIES_KEY) or "{}")
    return ProxySettings(
        global_proxy=_opened(stored.get("global"), box),
        providers=_opened_table(stored.get("providers"), box),
        combos=_opened_table(stored.get("combos"), box),
        keys=_opened_table(stored.get("keys"), box),
    )


def save_proxy_settings(settings: ProxySettings, box: SecretBox) -> None:
    stored = {
        "global": _sealed(settings.global_proxy, box),
        "providers": {name: _sealed(p, box) for name, p in settings.providers.items()},
        "combos": {name: _sealed(p, box) for name, p in settings.combos.items()},
        "keys": {name: _sealed(p, box) for name, p in settings.keys.items()},
    }
    set_app_setting(PROXIES_KEY, json.dumps(stored, sort_keys=True))


def _sealed(proxy: ProxyConfig | None, box: SecretBox) -> dict | None:
    if proxy is None:
        return None
    return {
        "type": proxy.type,
        "host": proxy.host,
        "port": proxy.port,
        "username": proxy.username,
        "password": box.encrypt(proxy.password) if proxy.password else None,
        "caBundle": proxy.ca_bundle,
    }


def _opened(stored: dict | None, box: SecretBox) -> ProxyConfig | None:
    if not stored:
        return None
    password = stored.get("password")
    return ProxyConfig(
        stored["type"],
        stored["host"],
        int(stored["port"]),
        stored.get("username"),
        box.decrypt(password) if password else None,
        stored.get("caBundle"),
    )


def _opened_table(stored: dict | None, box: SecretBox) -> dict[str, ProxyConfig]:
    return {name: proxy for name, row in (stored or {}).items() if (proxy := _opened(row, box))}
