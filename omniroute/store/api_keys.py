"""Query functions for the gateway's own API keys (what clients send to /v1).

A key is `sk-omni-` + 32 random URL-safe bytes. Only HMAC-SHA256(API_KEY_SECRET, key) is stored,
so a key cannot be recovered from the database: it is shown once, when it is created. A key may
expire, and may be limited to some models (ids, combo names or `*`/`?` patterns); its last use is
kept by the usage writer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

from ..clock import utcnow
from ..routing.aliases import build_pattern_table
from .models import ApiKey

KEY_PREFIX = "sk-omni-"
SHOWN_PREFIX_LENGTH = 12


@dataclass(frozen=True)
class ApiKeyRecord:
    id: int
    name: str
    key_prefix: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    allowed_models: tuple[str, ...] = ()  # empty: every model


@dataclass(frozen=True)
class KeyGrant:
    """What the /v1 hot path needs to know about a valid key (kept in memory)."""

    id: int
    expires_at: dt.datetime | None
    allowed_models: tuple[str, ...]
    allowed: Any = None  # the allowed models as a PatternTable, built once with the cache


def hash_api_key(secret: str, key: str) -> str:
    return hmac.new(secret.encode("utf-8"), key.encode("utf-8"), hashlib.sha256).hexdigest()


def create_api_key(
    secret: str,
    name: str,
    expires_at: dt.datetime | None = None,
    allowed_models: tuple[str, ...] = (),
) -> tuple[ApiKeyRecord, str]:
    """Create a key; returns its record and the plaintext key (the only time it exists)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey.create(
        name=name,
        key_prefix=key[:SHOWN_PREFIX_LENGTH],
        key_hash=hash_api_key(secret, key),
        expires_at=expires_at,
        allowed_models=json.dumps(list(allowed_models)) if allowed_models else None,
    )
    return _record(row), key


def list_api_keys() -> list[ApiKeyRecord]:
    return [_record(row) for row in ApiKey.select().order_by(ApiKey.id)]


def get_api_key(key_id: int) -> ApiKeyRecord | None:
    row = ApiKey.get_or_none(ApiKey.id == key_id)
    return None if row is None else _record(row)


def update_api_key(key_id: int, **changes) -> ApiKeyRecord | None:
    """Change `name`, `expires_at` (None: never) or `allowed_models` (empty: every model)."""
    if "allowed_models" in changes:
        allowed = changes["allowed_models"]
        changes["allowed_models"] = json.dumps(list(allowed)) if allowed else None
    if changes:
        ApiKey.update(**changes).where(ApiKey.id == key_id).execute()
    return get_api_key(key_id)


def rename_api_key(key_id: int, name: str) -> ApiKeyRecord | None:
    return update_api_key(key_id, name=name)


def revoke_api_key(key_id: int) -> bool:
    query = ApiKey.update(revoked_at=utcnow()).where(
        (ApiKey.id == key_id) & ApiKey.revoked_at.is_null()
    )
    return bool(query.execute())


def load_active_key_hashes() -> dict[str, KeyGrant]:
    """{HMAC of the key: its grant} for every key not revoked (for the in-memory cache)."""
    query = ApiKey.select().where(ApiKey.revoked_at.is_null())
    grants = {}
    for row in query:
        models = _allowed(row.allowed_models)
        table = build_pattern_table((m, True) for m in models) if models else None
        grants[row.key_hash] = KeyGrant(row.id, row.expires_at, models, table)
    return grants


def _allowed(text: str | None) -> tuple[str, ...]:
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return ()
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def _record(row: ApiKey) -> ApiKeyRecord:
    return ApiKeyRecord(
        row.id,
        row.name,
        row.key_prefix,
        row.created_at,
        row.revoked_at,
        row.last_used_at,
        row.expires_at,
        _allowed(row.allowed_models),
    )
