"""Dashboard provider nodes (on the Providers page): add and delete user-defined endpoints."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from ...providers.spec import WIRE_FORMATS
from ...store import provider_nodes as node_store
from ..dashboard.pages import is_fragment_request
from .connection_form import FieldError
from .node_form import parse_node_fields

bp = Blueprint("nodes", __name__, url_prefix="/providers/nodes")


def _panel(status: int = 200, **context):
    html = render_template(
        "partials/providers/nodes.html",
        nodes=node_store.list_nodes(),
        api_types=WIRE_FORMATS,
        **context,
    )
    return html, status


def _done():
    current_app.extensions["omniroute"].routes.invalidate()
    return _panel() if is_fragment_request() else redirect(url_for("pages.providers.index"))


@bp.post("")
def create():
    data: dict[str, str | None] = {
        key: request.form.get(key, "") for key in ("name", "prefix", "baseUrl", "apiType")
    }
    data["apiKey"] = request.form.get("apiKey") or None
    try:
        fields = parse_node_fields(data, partial=False)
        if node_store.prefix_taken(fields["prefix"]):
            raise FieldError("prefix", _l("is already used by another node"))
    except FieldError as error:
        values = {k: v for k, v in data.items() if k != "apiKey"}
        return _panel(200 if is_fragment_request() else 400, node_error=error, node_values=values)
    node_store.create_node(current_app.extensions["omniroute"].box, **fields)
    return _done()


@bp.post("/<int:node_id>/delete")
def delete(node_id: int):
    node_store.delete_node(node_id)
    return _done()
