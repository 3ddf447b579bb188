"""Signed-in accounts, stored as provider connections: their sealed tokens, sign-in state, quota.

A signed-in account (Claude, Codex, GitHub Copilot, Kiro, Gemini CLI) is a provider connection
with `auth_kind` oauth, so routing, priorities, account strategies, breakers and the dashboard
treat it like any other account; one provider may have many. Its token set (access token,
refresh token, expiry and the provider's extras) is one JSON blob sealed by the SecretBox:
no token is ever stored, listed or exported in the clear, and `api_key_encrypted` holds an
empty sealed string.

Refresh tokens are often single use, so a refreshed set is saved by compare-and-swap: it
replaces the stored set only while the stored refresh token is still the one it was refreshed
from, read and written in one write-locked transaction. The refresh lease (`claim_refresh`) lets
one of several processes sharing the database call the token endpoint for an account while the
others wait for its result.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from peewee import IntegrityError

from ..clock import utcnow
from .connections import AUTH_OAUTH, SIGN_IN_AGAIN, SIGN_IN_OK
from .migrations import dialect_of
from .models import ProviderConnection, database_proxy
from .secret_box import SecretBox


@dataclass(frozen=True)
class TokenSet:
    """A signed-in account's tokens, as sealed together in one blob."""

    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None  # unix seconds; None when the provider did not say
    extra: Mapping[str, str] = field(default_factory=dict)

    def sealed(self, box: SecretBox) -> str:
        return box.encrypt(
            json.dumps(
                {
                    "access_token": self.access_token,
                    "refresh_token": self.refresh_token,
                    "expires_at": self.expires_at,
                    "extra": dict(self.extra),
                }
            )
        )

    @classmethod
    def unsealed(cls, box: SecretBox, stored: str) -> TokenSet:
        data = json.loads(box.decrypt(stored))
        return cls(
            access_token=data["access_token"],
            refresh_token=data.get("refresh_token"),
            expires_at=data.get("expires_at"),
            extra=dict(data.get("extra") or {}),
        )


@dataclass(frozen=True)
class StoredAccount:
    """A signed-in account as the token keeper reads it."""

    connection_id: int
    provider: str
    tokens: TokenSet
    sign_in_state: str
    sign_in_reason: str | None
    refresh_lease_until: float | None

    @property
    def needs_sign_in(self) -> bool:
        return self.sign_in_state == SIGN_IN_AGAIN


def save_account(
    box: SecretBox, *, provider: str, account: str, tokens: TokenSet, name: str | None = None
) -> int:
    """Save a sign-in: update the connection of the same provider and account (new tokens, sign-in
    state ok), or create one. An account without a label is always a new connection. Returns
    the connection id."""
    fields = {
        "oauth_tokens_encrypted": tokens.sealed(box),
        "sign_in_state": SIGN_IN_OK,
        "sign_in_reason": None,
        "refresh_lease_until": None,
        "updated_at": utcnow(),
    }
    existing = _connection_of(provider, account)
    if existing is None:
        try:
            with database_proxy.atomic():
                row = ProviderConnection.create(
                    provider=provider,
                    name=name or account or provider,
                    api_key_encrypted=box.encrypt(""),
                    auth_kind=AUTH_OAUTH,
                    account_label=account,
                    **fields,
                )
            return row.id
        except IntegrityError:  # the same account, saved at this moment by another request
            existing = _connection_of(provider, account)
            if existing is None:
                raise
    _update(existing, **fields)
    return existing


def _connection_of(provider: str, account: str) -> int | None:
    if not account:
        return None
    row = (
        ProviderConnection.select(ProviderConnection.id)
        .where(
            (ProviderConnection.provider == provider)
            & (ProviderConnection.account_label == account)
            & (ProviderConnection.auth_kind == AUTH_OAUTH)
        )
        .first()
    )
    return None if row is None else row.id


def read_account(box: SecretBox, connection_id: int) -> StoredAccount | None:
    """The account's stored tokens and state; None when it is gone or not a signed-in account."""
    row = ProviderConnection.get_or_none(ProviderConnection.id == connection_id)
    return None if row is None else _account(box, row)


def _account(box: SecretBox, row: ProviderConnection) -> StoredAccount | None:
    if row.auth_kind != AUTH_OAUTH or not row.oauth_tokens_encrypted:
        return None
    return StoredAccount(
        connection_id=row.id,
        provider=row.provider,
        tokens=TokenSet.unsealed(box, row.oauth_tokens_encrypted),
        sign_in_state=row.sign_in_state or SIGN_IN_OK,
        sign_in_reason=row.sign_in_reason,
        refresh_lease_until=row.refresh_lease_until,
    )


def replace_tokens(
    box: SecretBox, connection_id: int, *, refreshed_from: str | None, tokens: TokenSet
) -> bool:
    """Save a refreshed token set (and end the refresh lease) if the stored refresh token is
    still `refreshed_from`; False when another refresh got there first (nothing written)."""
    with _write_transaction():
        stored = _locked_account(box, connection_id)
        if stored is None or stored.tokens.refresh_token != refreshed_from:
            return False
        _update(connection_id, oauth_tokens_encrypted=tokens.sealed(box), refresh_lease_until=None)
    return True


def mark_sign_in_again(
    box: SecretBox, connection_id: int, reason: str, *, refreshed_from: str | None
) -> bool:
    """Put the account in the "sign in again" state (and end the refresh lease), unless its
    refresh token changed since `refreshed_from` failed: then it was refreshed elsewhere and
    nothing is marked (False)."""
    with _write_transaction():
        stored = _locked_account(box, connection_id)
        if stored is None or stored.tokens.refresh_token != refreshed_from:
            return False
        _update(
            connection_id,
            sign_in_state=SIGN_IN_AGAIN,
            sign_in_reason=reason,
            refresh_lease_until=None,
        )
    return True


def claim_refresh(connection_id: int, *, now: float, until: float) -> bool:
    """Take the account's refresh lease until `until` unless another process holds it now."""
    lease = ProviderConnection.refresh_lease_until
    free = lease.is_null() | (lease < now)
    query = ProviderConnection.update(refresh_lease_until=until).where(
        (ProviderConnection.id == connection_id) & free
    )
    return bool(query.execute())


def release_refresh(connection_id: int) -> None:
    _update(connection_id, refresh_lease_until=None)


def save_quota_snapshot(connection_id: int, snapshot: Any, at: dt.datetime | None = None) -> None:
    """Keep the account's last quota snapshot (any JSON value) and when it was read."""
    _update(connection_id, quota_snapshot=json.dumps(snapshot), quota_updated_at=at or utcnow())


def _update(connection_id: int, **fields: Any) -> None:
    ProviderConnection.update(**fields).where(ProviderConnection.id == connection_id).execute()


def _write_transaction():
    """A transaction that holds the write lock from its first read: SQLite BEGIN IMMEDIATE;
    on PostgreSQL the read takes the row lock (FOR UPDATE)."""
    database = database_proxy.obj
    if dialect_of(database) == "postgresql":
        return database.atomic()
    return database.atomic("IMMEDIATE")


def _locked_account(box: SecretBox, connection_id: int) -> StoredAccount | None:
    query = ProviderConnection.select().where(ProviderConnection.id == connection_id)
    if dialect_of(database_proxy.obj) == "postgresql":
        query = query.for_update()
    row = query.first()
    return None if row is None else _account(box, row)
