"""Query functions for provider connections (a user's accounts and API keys per provider).

Keys go in encrypted and come out only as `ActiveConnection.api_key`, for the proxy's in-memory
cache. Everything a view sees is a `ConnectionRecord`, which has a 4-character hint and no key.
A signed-in account is a connection too (`auth_kind` oauth, tokens in store/oauth_accounts.py);
its record shows the account label, the sign-in state and the last quota snapshot, never a token.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import MISSING, dataclass
from typing import Any

from ..clock import utcnow
from ..providers.accounts import ActiveConnection
from .models import ProviderConnection
from .secret_box import SecretBox


@dataclass(frozen=True)
class ConnectionRecord:
    id: int
    provider: str
    name: str
    api_key_hint: str
    base_url: str | None
    test_model: str | None
    is_active: bool
    priority: int
    created_at: dt.datetime
    updated_at: dt.datetime
    last_test_ok: bool | None
    last_test_error: str | None
    last_test_latency_ms: float | None
    last_tested_at: dt.datetime | None
    auth_kind: str = "api_key"  # api_key | oauth
    account_label: str | None = None  # a signed-in account's e-mail or login
    sign_in_state: str = "ok"  # ok | sign_in_again (then `sign_in_reason` says why)
    sign_in_reason: str | None = None
    quota: Any = None  # the last quota snapshot (a JSON value), None before the first
    quota_updated_at: dt.datetime | None = None
    options: Any = None  # a cloud platform's settings (a JSON object), {} for none


AUTH_API_KEY = "api_key"
AUTH_OAUTH = "oauth"
SIGN_IN_OK = "ok"
SIGN_IN_AGAIN = "sign_in_again"
_ROW_FIELDS = tuple(
    name
    for name, spec in ConnectionRecord.__dataclass_fields__.items()
    if spec.default is MISSING  # a plain column, read as it is
)


def key_hint(api_key: str) -> str:
    return api_key[-4:] if len(api_key) >= 8 else ""


def _record(row: ProviderConnection) -> ConnectionRecord:
    return ConnectionRecord(
        **{f: getattr(row, f) for f in _ROW_FIELDS},
        auth_kind=row.auth_kind or AUTH_API_KEY,
        account_label=row.account_label,
        sign_in_state=row.sign_in_state or SIGN_IN_OK,
        sign_in_reason=row.sign_in_reason,
        quota=_json_or_none(row.quota_snapshot),
        quota_updated_at=row.quota_updated_at,
        options=_options(row),
    )


def _json_or_none(text: str | None) -> Any:
    try:
        return None if text is None else json.loads(text)
    except ValueError:
        return None


def _options(row: ProviderConnection) -> dict[str, Any]:
    options = _json_or_none(row.options)
    return options if isinstance(options, dict) else {}


def options_text(options: dict[str, Any] | None) -> str | None:
    """The options column's value: JSON, or NULL for none."""
    return json.dumps(options, sort_keys=True) if options else None


def list_connections() -> list[ConnectionRecord]:
    query = ProviderConnection.select().order_by(
        ProviderConnection.provider, ProviderConnection.priority, ProviderConnection.id
    )
    return [_record(row) for row in query]


def get_connection(connection_id: int) -> ConnectionRecord | None:
    row = ProviderConnection.get_or_none(ProviderConnection.id == connection_id)
    return None if row is None else _record(row)


def create_connection(box: SecretBox, *, api_key: str, **fields) -> ConnectionRecord:
    """A new connection; `options` (a dict) is stored as JSON."""
    if "options" in fields:
        fields["options"] = options_text(fields["options"])
    row = ProviderConnection.create(
        api_key_encrypted=box.encrypt(api_key), api_key_hint=key_hint(api_key), **fields
    )
    return _record(row)


def update_connection(
    box: SecretBox, connection_id: int, *, api_key: str | None = None, **fields
) -> ConnectionRecord | None:
    """Change the given fields; a None or empty `api_key` keeps the stored key. A new key
    forgets the last test's outcome (it was the old key's: e.g. "key needed")."""
    if api_key:
        fields["api_key_encrypted"] = box.encrypt(api_key)
        fields["api_key_hint"] = key_hint(api_key)
        fields.setdefault("last_test_ok", None)
        fields.setdefault("last_test_error", None)
        fields.setdefault("last_test_latency_ms", None)
        fields.setdefault("last_tested_at", None)
    if "options" in fields:
        fields["options"] = options_text(fields["options"])
    fields["updated_at"] = utcnow()
    ProviderConnection.update(**fields).where(ProviderConnection.id == connection_id).execute()
    return get_connection(connection_id)


def delete_connection(connection_id: int) -> bool:
    return bool(ProviderConnection.delete().where(ProviderConnection.id == connection_id).execute())


def record_test_result(
    connection_id: int, ok: bool, latency_ms: float | None, error: str | None
) -> None:
    ProviderConnection.update(
        last_test_ok=ok,
        last_test_error=error,
        last_test_latency_ms=latency_ms,
        last_tested_at=utcnow(),
    ).where(ProviderConnection.id == connection_id).execute()


def sample_stored_key() -> str | None:
    """One stored (still encrypted) provider key, for the start-up check of the storage key."""
    row = (
        ProviderConnection.select(ProviderConnection.api_key_encrypted)
        .order_by(ProviderConnection.id)
        .first()
    )
    return None if row is None else row.api_key_encrypted


def load_credentials(box: SecretBox, connection_id: int) -> ActiveConnection | None:
    row = ProviderConnection.get_or_none(ProviderConnection.id == connection_id)
    return None if row is None else _active(box, row)


def load_active_connections(box: SecretBox) -> tuple[ActiveConnection, ...]:
    query = (
        ProviderConnection.select()
        .where(ProviderConnection.is_active == True)  # noqa: E712 (peewee expression)
        .order_by(ProviderConnection.priority, ProviderConnection.id)
    )
    return tuple(_active(box, row) for row in query)


def _active(box: SecretBox, row: ProviderConnection) -> ActiveConnection:
    return ActiveConnection(
        id=row.id,
        provider=row.provider,
        name=row.name,
        api_key=box.decrypt(row.api_key_encrypted),
        base_url=row.base_url,
        priority=row.priority,
        auth_kind=row.auth_kind or AUTH_API_KEY,
        options=_options(row),
    )
