"""The publishing side of sync between instances: the sync token, and the bundle with its ETag.

The token is SYNC_TOKEN, or one generated once into DATA_DIR/sync-token (mode 0600) and shown
in Settings → Advanced, to be set as SYNC_TOKEN on the instances that pull. The bundle endpoint
takes only this token: a dashboard session is no substitute for it.
"""

from __future__ import annotations

import hmac
from typing import Any

from ..store.secret_files import read_or_create_secret
from .config_bundle import ConfigHost, config_bundle, content_hash

TOKEN_FILE = "sync-token"


def publisher_token(settings: dict[str, Any]) -> str:
    """The token GET /api/sync/bundle accepts."""
    return settings["SYNC_TOKEN"] or read_or_create_secret(settings["DATA_DIR"], TOKEN_FILE)


def token_accepted(settings: dict[str, Any], authorization: str | None) -> bool:
    """Whether an Authorization header carries the sync token (compared in constant time)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    expected = publisher_token(settings).encode("utf-8")
    return hmac.compare_digest(token.strip().encode("utf-8"), expected)


def published_bundle(host: ConfigHost) -> tuple[dict[str, Any], str]:
    """The bundle and its ETag value (the hash of the whole bundle, unquoted)."""
    bundle = config_bundle(host)
    return bundle, content_hash(bundle)
