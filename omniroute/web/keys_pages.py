"""Dashboard API keys page: create a key (shown once), see when each was last used, revoke."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import login_required

from ..store import api_keys as key_store
from .api_keys import create_key, key_name, revoke_key
from .dashboard import is_fragment_request

bp = Blueprint("keys_pages", __name__, url_prefix="/keys")


def _render(status: int = 200, **context):
    services = current_app.extensions["omniroute"]
    context.update(keys=key_store.list_api_keys(), keys_required=services.client_auth.required)
    template = "partials/keys/panel.html" if is_fragment_request() else "keys/index.html"
    return render_template(template, **context), status


@bp.get("")
@login_required
def index():
    return _render()


@bp.post("")
@login_required
def create():
    name = key_name(request.form.get("name"))
    if name is None:
        return _render(200 if is_fragment_request() else 400, name_error=True)
    record, key = create_key(name)
    return _render(new_key=key, new_key_name=record.name)


@bp.post("/<int:key_id>/revoke")
@login_required
def revoke(key_id: int):
    revoke_key(key_id)
    return _render() if is_fragment_request() else redirect(url_for(".index"))
