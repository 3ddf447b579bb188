"""The proxy settings a configuration bundle carries: the global, per-provider and per-combo
proxies without their passwords (`hasPassword` says one is set). Per-key proxies are this
instance's own (API keys are not synced, their ids differ) and are left as they are.

Applying keeps this instance's password for a proxy whose user name is unchanged (the rule the
proxy API follows); a proxy that needs a password this instance does not have arrives without it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..proxies.config import ProxyConfig, ProxyFieldError, ProxySettings, parse_proxy
from ..proxies.store import load_proxy_settings, save_proxy_settings
from ..store.secret_box import SecretBox
from .bundle_errors import BundleError

SYNCED_LEVELS = ("global", "providers", "combos")


def read_proxies(box: SecretBox) -> dict[str, Any]:
    answer = load_proxy_settings(box).as_api()
    return {level: answer[level] for level in SYNCED_LEVELS}


def checked_proxies(section: object) -> dict[str, Any]:
    """The section's proxies parsed (no password yet); BundleError names the first bad one."""
    if not isinstance(section, dict) or set(section) != set(SYNCED_LEVELS):
        raise BundleError("proxies", "must be an object {global, providers, combos}")
    try:
        parsed: dict[str, Any] = {
            "global": None
            if section["global"] is None
            else parse_proxy(
                _without_password(section["global"], "proxies.global"), "proxies.global"
            )
        }
        for level in ("providers", "combos"):
            table = section[level]
            if not isinstance(table, dict):
                raise BundleError(f"proxies.{level}", "must be an object of name → proxy")
            parsed[level] = {
                str(name): parse_proxy(
                    _without_password(p, f"proxies.{level}.{name}"), f"proxies.{level}.{name}"
                )
                for name, p in table.items()
            }
    except ProxyFieldError as error:
        raise BundleError(error.field, error.message) from None
    return parsed


def _without_password(body: object, where: str) -> object:
    if isinstance(body, dict) and "password" in body:
        raise ProxyFieldError(f"{where}.password", "a bundle never carries a proxy password")
    return body


def write_proxies(parsed: dict[str, Any], box: SecretBox) -> None:
    local = load_proxy_settings(box)
    settings = ProxySettings(
        global_proxy=_keeping_password(parsed["global"], local.global_proxy),
        providers={
            n: _keeping_password(p, local.providers.get(n)) for n, p in parsed["providers"].items()
        },
        combos={n: _keeping_password(p, local.combos.get(n)) for n, p in parsed["combos"].items()},
        keys=local.keys,
    )
    save_proxy_settings(settings, box)


def _keeping_password(proxy: ProxyConfig | None, local: ProxyConfig | None):
    if proxy is None or local is None or local.username != proxy.username:
        return proxy
    return replace(proxy, password=local.password)
