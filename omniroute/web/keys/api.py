"""Management API for the gateway's API keys: /api/keys[/<id>]. A new key is shown only once.

POST {"name", "expiresAt"?, "allowedModels"?} creates a key; PATCH changes any of them
(`expiresAt`: an ISO 8601 time, or null for never; `allowedModels`: model ids, combo names or
`*`/`?` patterns, empty for every model); DELETE revokes. Changes apply to /v1 at once.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, jsonify, request

from ...store import api_keys as key_store
from ..models.api_aliases import PATTERN_CHARS
from ..providers.connection_form import FieldError
from ..security import field_error, not_found

bp = Blueprint("keys", __name__, url_prefix="/keys")
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
        "expiresAt": stamp(record.expires_at),
        "allowedModels": list(record.allowed_models),
    }


MAX_ALLOWED = 100


def parse_key_options(body: dict) -> dict:
    """expires_at / allowed_models from an API body (only those present); FieldError if bad."""
    options: dict[str, object] = {}
    if "expiresAt" in body:
        value = body["expiresAt"]
        if value is None or value == "":
            options["expires_at"] = None
        else:
            try:
                moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
                if moment.tzinfo is not None:
                    moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
            except (ValueError, OverflowError):  # overflow: beyond year 1 … 9999 in UTC
                raise FieldError("expiresAt", "must be an ISO 8601 time or null") from None
            options["expires_at"] = moment
    if "allowedModels" in body:
        value = body["allowedModels"] or []
        if not isinstance(value, list) or len(value) > MAX_ALLOWED:
            raise FieldError("allowedModels", f"must be a list of at most {MAX_ALLOWED} models")
        models = [str(m).strip() for m in value if str(m).strip()]
        if any(not PATTERN_CHARS.fullmatch(m) or len(m) > 200 for m in models):
            raise FieldError("allowedModels", "model ids, combo names or * ? patterns only")
        options["allowed_models"] = tuple(dict.fromkeys(models))
    return options


def create_key(name: str, **options) -> tuple[key_store.ApiKeyRecord, str]:
    """Create a key and make it usable at once; shared with the dashboard page."""
    services = current_app.extensions["omniroute"]
    record, key = key_store.create_api_key(services.api_key_secret, name, **options)
    services.client_auth.key_hashes.invalidate()
    return record, key


def revoke_key(key_id: int) -> bool:
    revoked = key_store.revoke_api_key(key_id)
    current_app.extensions["omniroute"].client_auth.key_hashes.invalidate()
    return revoked


def _name_error():
    return field_error("name", f"must be 1 to {MAX_NAME} characters")


@bp.get("")
def list_keys():
    return jsonify({"data": [as_json(r) for r in key_store.list_api_keys()]})


@bp.post("")
def create():
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    name = key_name(body.get("name"))
    if name is None:
        return _name_error()
    try:
        options = parse_key_options(body)
    except FieldError as error:
        return field_error(error.field, error.message)
    record, key = create_key(name, **options)
    return jsonify({**as_json(record), "key": key}), 201


@bp.patch("/<int:key_id>")
def change(key_id: int):
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    try:
        changes = parse_key_options(body)
    except FieldError as error:
        return field_error(error.field, error.message)
    if "name" in body or not changes:
        name = key_name(body.get("name"))
        if name is None:
            return _name_error()
        changes["name"] = name
    record = key_store.update_api_key(key_id, **changes)
    if record is None:
        return not_found("API key", key_id)
    current_app.extensions["omniroute"].client_auth.key_hashes.invalidate()
    return jsonify(as_json(record))


@bp.delete("/<int:key_id>")
def revoke(key_id: int):
    if revoke_key(key_id):
        return "", 204
    return not_found("active API key", key_id)
