"""Provider accounts and provider nodes in a configuration bundle: everything but credentials.

An account is known across instances by its identity: `provider:label`, the label being a
signed-in account's e-mail or login, else the account's name; a repeated identity gets `#2`,
`#3`… in id order. A node is known by its prefix. Applying a bundle keeps this instance's
key or tokens for every account and node it already has (same identity or prefix); one it
does not have arrives without a credential, switched off and marked "key needed": its last
test failed with KEY_NEEDED (a signed-in account is also marked "sign in again"), which the
Providers page shows until a key is added and the account tested. Accounts of local servers
(Ollama, LM Studio…) need no key and arrive as they are.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from ..clock import utcnow
from ..providers import PROVIDERS, normalize_base_url, provider_for_prefix
from ..providers.cloud import OptionError
from ..providers.platforms import check_connection_options
from ..providers.spec import WIRE_FORMATS
from ..store.connections import AUTH_API_KEY, AUTH_OAUTH, SIGN_IN_AGAIN, options_text
from ..store.models import ProviderConnection, ProviderNode
from ..store.secret_box import SecretBox, SecretBoxError
from .bundle_errors import BundleError
from .bundle_fields import flag, items_of, text, unique, whole

KEY_NEEDED = "key needed: this account came from another instance without its credential"
AUTH_KINDS = (AUTH_API_KEY, AUTH_OAUTH)


def identities(accounts: Iterable[tuple[str, str | None, str, str | None]]) -> list[str]:
    """The identity of each (provider, auth kind, name, account label), in the given order."""
    seen: Counter[str] = Counter()
    answer = []
    for provider, auth_kind, name, label in accounts:
        base = f"{provider}:{label if auth_kind == AUTH_OAUTH and label else name}"
        seen[base] += 1
        answer.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return answer


def _local_accounts() -> list[ProviderConnection]:
    return list(ProviderConnection.select().order_by(ProviderConnection.id))


def read_accounts() -> list[dict]:
    rows = _local_accounts()
    keys = identities((r.provider, r.auth_kind, r.name, r.account_label) for r in rows)
    return [
        {
            "identity": identity,
            "provider": row.provider,
            "name": row.name,
            "authKind": row.auth_kind or AUTH_API_KEY,
            "accountLabel": row.account_label,
            "baseUrl": row.base_url,
            "testModel": row.test_model,
            "isActive": row.is_active,
            "priority": row.priority,
            "options": json.loads(row.options) if row.options else {},
        }
        for identity, row in zip(keys, rows, strict=True)
    ]


def read_nodes() -> list[dict]:
    return [
        {
            "prefix": row.prefix,
            "name": row.name,
            "baseUrl": row.base_url,
            "apiType": row.api_type,
            "isActive": row.is_active,
            "hasApiKey": bool(row.api_key_encrypted),
        }
        for row in ProviderNode.select().order_by(ProviderNode.prefix)
    ]


def check_accounts(bundle: dict) -> list[dict]:
    items = items_of(bundle, "providers")
    for index, item in enumerate(items):
        where = f"providers[{index}]"
        if item.get("provider") not in PROVIDERS:
            raise BundleError(f"{where}.provider", "is not a provider this instance knows")
        text(item, "name", where)
        if item.get("authKind") not in AUTH_KINDS:
            raise BundleError(f"{where}.authKind", "must be api_key or oauth")
        text(item, "accountLabel", where, optional=True)
        _url(item, where)
        text(item, "testModel", where, optional=True)
        flag(item, "isActive", where)
        whole(item, "priority", where, 0, 1_000_000)
        _options(item, where)
    expected = identities(
        (i["provider"], i["authKind"], i["name"], i.get("accountLabel")) for i in items
    )
    for index, (item, identity) in enumerate(zip(items, expected, strict=True)):
        if item.get("identity") != identity:
            raise BundleError(f"providers[{index}].identity", f"must be {identity!r}")
    return items


def _options(item: dict, where: str) -> None:
    """A cloud platform's options, checked as the API checks them (absent in older bundles)."""
    try:
        item["options"] = check_connection_options(
            item["provider"], item.get("options"), item.get("baseUrl")
        )
    except OptionError as error:
        raise BundleError(f"{where}.{error.field}", error.message) from None


def check_nodes(bundle: dict) -> list[dict]:
    items = items_of(bundle, "providerNodes")
    for index, item in enumerate(items):
        where = f"providerNodes[{index}]"
        prefix = text(item, "prefix", where, limit=64)
        if prefix in PROVIDERS or provider_for_prefix(prefix) is not None:
            raise BundleError(f"{where}.prefix", "is a built-in provider's prefix")
        text(item, "name", where)
        if item.get("apiType") not in WIRE_FORMATS:
            raise BundleError(f"{where}.apiType", f"must be one of {', '.join(WIRE_FORMATS)}")
        if _url(item, where) is None:
            raise BundleError(f"{where}.baseUrl", "is required")
        flag(item, "isActive", where)
        flag(item, "hasApiKey", where)
    unique([item["prefix"] for item in items], "providerNodes", "prefix")
    return items


def _url(item: dict, where: str) -> str | None:
    value = text(item, "baseUrl", where, optional=True, limit=2000)
    if value is not None:
        try:
            normalize_base_url(value)
        except ValueError as error:
            raise BundleError(f"{where}.baseUrl", str(error)) from None
    return value


def has_credential(row: ProviderConnection, box: SecretBox) -> bool:
    """Whether this instance holds a usable key or token set for the account (a value sealed
    with another storage key is none)."""
    sealed = row.oauth_tokens_encrypted if row.auth_kind == AUTH_OAUTH else row.api_key_encrypted
    if not sealed:
        return False
    try:
        return bool(box.decrypt(sealed))
    except SecretBoxError:
        return False


def needs_no_key(provider: str) -> bool:
    spec = PROVIDERS.get(provider)
    return spec is not None and spec.tier == "local"


def write_accounts(items: list[dict], box: SecretBox) -> None:
    rows = _local_accounts()
    local = dict(
        zip(
            identities((r.provider, r.auth_kind, r.name, r.account_label) for r in rows),
            rows,
            strict=True,
        )
    )
    kept: set[int] = set()
    for item in items:
        row = local.get(item["identity"])
        fields: dict[str, Any] = {
            "provider": item["provider"],
            "name": item["name"],
            "auth_kind": item["authKind"],
            "account_label": item.get("accountLabel"),
            "base_url": item.get("baseUrl"),
            "test_model": item.get("testModel"),
            "is_active": item["isActive"],
            "priority": item["priority"],
            "options": options_text(item.get("options")),
            "updated_at": utcnow(),
        }
        usable = needs_no_key(item["provider"]) or (row is not None and has_credential(row, box))
        if not usable:
            fields.update(_key_needed(item["authKind"]))
        if row is None:
            row = ProviderConnection.create(
                api_key_encrypted=box.encrypt(""), api_key_hint="", **fields
            )
        else:
            ProviderConnection.update(**fields).where(ProviderConnection.id == row.id).execute()
        kept.add(row.id)
    ProviderConnection.delete().where(ProviderConnection.id.not_in(kept)).execute()


def _key_needed(auth_kind: str) -> dict[str, Any]:
    marks: dict[str, Any] = {
        "is_active": False,
        "last_test_ok": False,
        "last_test_error": KEY_NEEDED,
        "last_tested_at": utcnow(),
    }
    if auth_kind == AUTH_OAUTH:
        marks.update(sign_in_state=SIGN_IN_AGAIN, sign_in_reason=KEY_NEEDED)
    return marks


def write_nodes(items: list[dict]) -> None:
    local = {row.prefix: row for row in ProviderNode.select()}
    for item in items:
        row = local.get(item["prefix"])
        fields: dict[str, Any] = {
            "name": item["name"],
            "base_url": item["baseUrl"],
            "api_type": item["apiType"],
            "is_active": item["isActive"],
            "updated_at": utcnow(),
        }
        if item["hasApiKey"] and (row is None or not row.api_key_encrypted):
            fields["is_active"] = False  # its key is needed here first
        if row is None:
            ProviderNode.create(prefix=item["prefix"], api_key_encrypted=None, **fields)
        else:
            ProviderNode.update(**fields).where(ProviderNode.id == row.id).execute()
    prefixes = [item["prefix"] for item in items]
    ProviderNode.delete().where(ProviderNode.prefix.not_in(prefixes)).execute()
