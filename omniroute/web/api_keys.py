"""Management API for the gateway's API keys: /api/keys[/<id>]. A new key is shown only once."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_login import login_required

from ..store import api_keys as key_store
from .security import field_error, not_found

bp = Blueprint("api_keys", __name__, url_prefix="/api/keys")
MAX_NAME = 200


def key_name(value) -> str | None:
    """A valid key name, or None."""
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > MAX_NAME:
        return None
    return value.strip()


def as_json(record: key_store.ApiKeyRecord) -> dict:
    def stamp(value):
        return None if value is None else value.isoformat() + "Z"

    return {
        "id": record.id,
        "name": record.name,
        "prefix": record.key_prefix,
        "createdAt": stamp(record.created_at),
        "lastUsedAt": stamp(record.last_used_at),
        "revoked": record.revoked_at is not None,
        "revokedAt": stamp(record.revoked_at),
    }


def create_key(name: str) -> tuple[key_store.ApiKeyRecord, str]:
    """Create a key and make it usable at once; shared with the dashboard page."""
    services = current_app.extensions["omniroute"]
    record, key = key_store.create_api_key(services.api_key_secret, name)
    services.client_auth.key_hashes.invalidate()
    return record, key


def revoke_key(key_id: int) -> bool:
    revoked = key_store.revoke_api_key(key_id)
    current_app.extensions["omniroute"].client_auth.key_hashes.invalidate()
    return revoked


def _name_error():
    return field_error("name", f"must be 1 to {MAX_NAME} characters")


@bp.get("")
@login_required
def list_keys():
    return jsonify({"data": [as_json(r) for r in key_store.list_api_keys()]})


@bp.post("")
@login_required
def create():
    name = key_name((request.get_json(silent=True) or {}).get("name"))
    if name is None:
        return _name_error()
    record, key = create_key(name)
    return jsonify({**as_json(record), "key": key}), 201


@bp.patch("/<int:key_id>")
@login_required
def rename(key_id: int):
    name = key_name((request.get_json(silent=True) or {}).get("name"))
    if name is None:
        return _name_error()
    record = key_store.rename_api_key(key_id, name)
    if record is None:
        return not_found("API key", key_id)
    return jsonify(as_json(record))


@bp.delete("/<int:key_id>")
@login_required
def revoke(key_id: int):
    if revoke_key(key_id):
        return "", 204
    return not_found("active API key", key_id)
