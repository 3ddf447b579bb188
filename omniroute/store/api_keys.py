"""Query functions for the gateway's own API keys (what clients send to /v1).

A key is `sk-omni-` + 32 random URL-safe bytes. Only HMAC-SHA256(API_KEY_SECRET, key) is stored,
so a key cannot be recovered from the database: it is shown once, when it is created.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from peewee import fn

from .models import ApiKey, UsageRecord, utcnow

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


def hash_api_key(secret: str, key: str) -> str:
    return hmac.new(secret.encode("utf-8"), key.encode("utf-8"), hashlib.sha256).hexdigest()


def create_api_key(secret: str, name: str) -> tuple[ApiKeyRecord, str]:
    """Create a key; returns its record and the plaintext key (the only time it exists)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey.create(
        name=name, key_prefix=key[:SHOWN_PREFIX_LENGTH], key_hash=hash_api_key(secret, key)
    )
    return _record(row, None), key


def list_api_keys() -> list[ApiKeyRecord]:
    last_used = dict(
        UsageRecord.select(UsageRecord.api_key_id, fn.MAX(UsageRecord.created_at))
        .where(UsageRecord.api_key_id.is_null(False))
        .group_by(UsageRecord.api_key_id)
        .tuples()
    )
    return [_record(row, last_used.get(row.id)) for row in ApiKey.select().order_by(ApiKey.id)]


def get_api_key(key_id: int) -> ApiKeyRecord | None:
    row = ApiKey.get_or_none(ApiKey.id == key_id)
    return None if row is None else _record(row, None)


def rename_api_key(key_id: int, name: str) -> ApiKeyRecord | None:
    ApiKey.update(name=name).where(ApiKey.id == key_id).execute()
    return get_api_key(key_id)


def revoke_api_key(key_id: int) -> bool:
    query = ApiKey.update(revoked_at=utcnow()).where(
        (ApiKey.id == key_id) & ApiKey.revoked_at.is_null()
    )
    return bool(query.execute())


def load_active_key_hashes() -> dict[str, int]:
    """{HMAC of the key: key id} for every key that is not revoked (for the in-memory cache)."""
    query = ApiKey.select(ApiKey.key_hash, ApiKey.id).where(ApiKey.revoked_at.is_null())
    return dict(query.tuples())


def _record(row: ApiKey, last_used: dt.datetime | None) -> ApiKeyRecord:
    return ApiKeyRecord(row.id, row.name, row.key_prefix, row.created_at, row.revoked_at, last_used)
