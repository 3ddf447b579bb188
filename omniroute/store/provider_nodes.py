"""Query functions for provider nodes: user-defined endpoints with a prefix and an API format.

A node's optional API key is encrypted like a connection's and is only ever decrypted for the
proxy's in-memory routing table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..clock import utcnow
from ..providers.accounts import ActiveNode
from .connections import key_hint
from .models import ProviderNode
from .secret_box import SecretBox


@dataclass(frozen=True)
class NodeRecord:
    id: int
    name: str
    prefix: str
    base_url: str
    api_type: str
    api_key_hint: str
    has_api_key: bool
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


def _record(row: ProviderNode) -> NodeRecord:
    return NodeRecord(
        row.id,
        row.name,
        row.prefix,
        row.base_url,
        row.api_type,
        row.api_key_hint,
        bool(row.api_key_encrypted),
        row.is_active,
        row.created_at,
        row.updated_at,
    )


def list_nodes() -> list[NodeRecord]:
    return [_record(row) for row in ProviderNode.select().order_by(ProviderNode.prefix)]


def get_node(node_id: int) -> NodeRecord | None:
    row = ProviderNode.get_or_none(ProviderNode.id == node_id)
    return None if row is None else _record(row)


def prefix_taken(prefix: str, except_id: int | None = None) -> bool:
    query = ProviderNode.select().where(ProviderNode.prefix == prefix)
    if except_id is not None:
        query = query.where(ProviderNode.id != except_id)
    return query.exists()


def _key_fields(box: SecretBox, api_key: str | None) -> dict:
    if api_key is None:
        return {}
    if not api_key:
        return {"api_key_encrypted": None, "api_key_hint": ""}
    return {"api_key_encrypted": box.encrypt(api_key), "api_key_hint": key_hint(api_key)}


def create_node(box: SecretBox, *, api_key: str | None = None, **fields) -> NodeRecord:
    return _record(ProviderNode.create(**fields, **_key_fields(box, api_key or "")))


def update_node(
    box: SecretBox, node_id: int, *, api_key: str | None = None, **fields
) -> NodeRecord | None:
    """Change the given fields; `api_key` None keeps the key, "" removes it."""
    fields.update(_key_fields(box, api_key), updated_at=utcnow())
    ProviderNode.update(**fields).where(ProviderNode.id == node_id).execute()
    return get_node(node_id)


def delete_node(node_id: int) -> bool:
    return bool(ProviderNode.delete().where(ProviderNode.id == node_id).execute())


def load_node(box: SecretBox, node_id: int) -> ActiveNode | None:
    """One node with its decrypted key, active or not (for a connection test)."""
    row = ProviderNode.get_or_none(ProviderNode.id == node_id)
    return None if row is None else _active(box, row)


def _active(box: SecretBox, row: ProviderNode) -> ActiveNode:
    return ActiveNode(
        row.id,
        row.name,
        row.prefix,
        row.base_url,
        row.api_type,
        box.decrypt(row.api_key_encrypted) if row.api_key_encrypted else "",
    )


def load_active_nodes(box: SecretBox) -> tuple[ActiveNode, ...]:
    query = ProviderNode.select().where(ProviderNode.is_active == True)  # noqa: E712
    return tuple(_active(box, row) for row in query)
