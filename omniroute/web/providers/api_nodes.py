"""Management API for provider nodes: /api/provider-nodes[/<id>] (user-defined endpoints)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_babel import lazy_gettext as _l

from ...store import provider_nodes as node_store
from ..security import field_error, not_found
from .connection_form import FieldError
from .node_form import parse_node_fields

bp = Blueprint("provider_nodes", __name__, url_prefix="/provider-nodes")


def as_json(node: node_store.NodeRecord) -> dict:
    return {
        "id": node.id,
        "name": node.name,
        "prefix": node.prefix,
        "baseUrl": node.base_url,
        "apiType": node.api_type,
        "apiKeyHint": node.api_key_hint,
        "hasApiKey": node.has_api_key,
        "isActive": node.is_active,
        "createdAt": node.created_at.isoformat() + "Z",
        "updatedAt": node.updated_at.isoformat() + "Z",
    }


def _changed():
    current_app.extensions["omniroute"].routes.invalidate()


def _json_object() -> dict:
    body = request.get_json(silent=True)
    if body is not None and not isinstance(body, dict):
        raise FieldError("body", _l("must be a JSON object"))
    return body or {}


def _box():
    return current_app.extensions["omniroute"].box


@bp.get("")
def list_nodes():
    return jsonify({"data": [as_json(node) for node in node_store.list_nodes()]})


@bp.post("")
def create_node():
    try:
        fields = parse_node_fields(_json_object(), partial=False)
        if node_store.prefix_taken(fields["prefix"]):
            raise FieldError("prefix", _l("is already used by another node"))
    except FieldError as error:
        return field_error(error.field, error.message)
    node = node_store.create_node(_box(), **fields)
    _changed()
    return jsonify(as_json(node)), 201


@bp.put("/<int:node_id>")
def update_node(node_id: int):
    node = node_store.get_node(node_id)
    if node is None:
        return not_found("provider node", node_id)
    try:
        fields = parse_node_fields(_json_object(), partial=True, current_api_type=node.api_type)
        if "prefix" in fields and node_store.prefix_taken(fields["prefix"], node_id):
            raise FieldError("prefix", _l("is already used by another node"))
    except FieldError as error:
        return field_error(error.field, error.message)
    updated = node_store.update_node(_box(), node_id, **fields)
    _changed()
    if updated is None:  # deleted meanwhile
        return not_found("provider node", node_id)
    return jsonify(as_json(updated))


@bp.delete("/<int:node_id>")
def delete_node(node_id: int):
    if not node_store.delete_node(node_id):
        return not_found("provider node", node_id)
    _changed()
    return "", 204
