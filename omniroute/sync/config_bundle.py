"""The configuration bundle: this instance's non-secret configuration as one JSON object.

    {"schema": 1, "version": <int>, "providers": [...], "providerNodes": [...],
     "providerModels": [...], "combos": [...], "modelAliases": [...], "fallbackChains": [...],
     "prices": [...], "settings": {...}, "proxies": {...}}

No credential is ever in it: no API key (not even its hint), no OAuth token, no proxy password;
an account is known by its identity (accounts_section.py). `version` grows whenever the content
changes: it is noted with the content's hash, and a new hash gets max(last + 1, now in ms), so
versions also order between instances (last version wins). The bundle's ETag is the hash of the
whole bundle.

`apply_config_bundle` validates the whole bundle first (a BundleError names the field at fault,
and nothing changes), then replaces the configuration in one transaction, keeping this
instance's credentials for the accounts, nodes and proxies it already has, and reloads what
the gateway keeps in memory.

Both run with the app's database bound (inside a request, or `database.connection_context()`).
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any, Protocol

from flask import current_app

from ..store.app_settings import get_app_setting, set_app_setting
from ..store.secret_box import SecretBox
from .accounts_section import (
    check_accounts,
    check_nodes,
    read_accounts,
    read_nodes,
    write_accounts,
    write_nodes,
)
from .bundle_errors import BundleError
from .proxy_section import checked_proxies, read_proxies, write_proxies
from .settings_sections import checked_settings, read_settings, write_settings
from .tables_section import check_tables, read_tables, write_tables

__all__ = ["BUNDLE_SCHEMA", "BundleError", "apply_config_bundle", "bundle_etag", "config_bundle"]

BUNDLE_SCHEMA = 1
PUBLISHED_KEY = "sync_published"  # app_settings: {"hash", "version"} of the last content seen


class ConfigHost(Protocol):
    """What applying a bundle needs of the running gateway (services.Services)."""

    box: SecretBox
    database: Any

    def reload(self) -> None: ...


def _host(services: ConfigHost | None) -> ConfigHost:
    return services if services is not None else current_app.extensions["omniroute"]


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def read_configuration(box: SecretBox) -> dict[str, Any]:
    """The configuration's sections, without schema and version."""
    return {
        "providers": read_accounts(),
        "providerNodes": read_nodes(),
        **read_tables(),
        "settings": read_settings(),
        "proxies": read_proxies(box),
    }


def config_bundle(services: ConfigHost | None = None) -> dict[str, Any]:
    """The bundle of this instance's configuration, with its current version."""
    content = read_configuration(_host(services).box)
    return {"schema": BUNDLE_SCHEMA, "version": _version_of(content_hash(content)), **content}


def bundle_etag(bundle: dict[str, Any]) -> str:
    """The ETag the publisher sends for `bundle` (quoted, as HTTP spells it)."""
    return f'"{content_hash(bundle)}"'


def _version_of(digest: str) -> int:
    try:
        published = json.loads(get_app_setting(PUBLISHED_KEY) or "{}")
    except ValueError:
        published = {}
    last = published.get("version") if isinstance(published, dict) else None
    last = last if isinstance(last, int) else 0
    if isinstance(published, dict) and published.get("hash") == digest and last:
        return last
    version = max(last + 1, int(time.time() * 1000))
    set_app_setting(PUBLISHED_KEY, json.dumps({"hash": digest, "version": version}))
    return version


def check_bundle(bundle: object) -> dict[str, Any]:
    """Validate every part of a bundle; BundleError names the first problem. Returns what
    applying needs: the settings' stored texts and the parsed proxies."""
    if not isinstance(bundle, dict):
        raise BundleError("bundle", "must be a JSON object")
    if bundle.get("schema") != BUNDLE_SCHEMA:
        raise BundleError("schema", f"must be {BUNDLE_SCHEMA} (this instance reads only that)")
    version = bundle.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise BundleError("version", "must be a positive whole number")
    check_accounts(bundle)
    check_nodes(bundle)
    check_tables(bundle)
    return {
        "settings": checked_settings(bundle.get("settings")),
        "proxies": checked_proxies(bundle.get("proxies")),
    }


def apply_config_bundle(bundle: dict, services: ConfigHost | None = None) -> None:
    """Replace this instance's configuration with the bundle's (see the module docstring).
    Raises BundleError, changing nothing, when any part of the bundle is invalid."""
    host = _host(services)
    checked = check_bundle(bundle)
    with host.database.connection_context(), host.database.atomic():
        write_accounts(bundle["providers"], host.box)
        write_nodes(bundle["providerNodes"])
        write_tables(bundle)
        write_settings(checked["settings"])
        write_proxies(checked["proxies"], host.box)
    host.reload()
