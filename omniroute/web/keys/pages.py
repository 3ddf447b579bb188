"""Dashboard API keys page: create a key (shown once) with an optional expiry and allowed models,
change them later, see when each key was last used, revoke it.

Plain HTML forms (post/redirect/get) that htmx enhances to swap only the panel. Expiry and
allowed models are read by the same function as the JSON API (`api_keys.parse_key_options`),
and every change reaches /v1 at once (the key cache is invalidated).
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from ...clock import utcnow
from ...store import api_keys as key_store
from ...store.request_counts import requests_per_key
from ..dashboard.pages import is_fragment_request
from ..providers.connection_form import FieldError
from .api import MAX_ALLOWED, create_key, key_name, parse_key_options, revoke_key

bp = Blueprint("keys", __name__, url_prefix="/keys")

MODEL_SEPARATORS = re.compile(r"[\s,]+")
FIELD_MESSAGES = {
    "name": _l("Give the key a name (1 to 200 characters)."),
    "expiresAt": _l("Pick a date and time (UTC), or leave it empty for never."),
    "allowedModels": _l(
        "Model ids, combo names or patterns with * and ?, separated by commas or new lines "
        "(at most %(most)d).",
        most=MAX_ALLOWED,
    ),
}


def form_values() -> dict:
    form = request.form
    return {
        "name": form.get("name", ""),
        "expires_at": form.get("expires_at", "").strip(),
        "allowed_models": form.get("allowed_models", ""),
    }


def parse_form(values: dict) -> tuple[str, dict]:
    """(name, store options) from the form; FieldError names the field as the API does."""
    name = key_name(values["name"])
    if name is None:
        raise FieldError("name", FIELD_MESSAGES["name"])
    models = [m for m in MODEL_SEPARATORS.split(values["allowed_models"]) if m]
    body = {"expiresAt": values["expires_at"] or None, "allowedModels": models}
    try:
        return name, parse_key_options(body)
    except FieldError as error:
        raise FieldError(error.field, FIELD_MESSAGES[error.field]) from None


def record_values(record: key_store.ApiKeyRecord) -> dict:
    expires = record.expires_at.strftime("%Y-%m-%dT%H:%M") if record.expires_at else ""
    return {
        "name": record.name,
        "expires_at": expires,
        "allowed_models": "\n".join(record.allowed_models),
    }


def _render(status: int = 200, **context):
    services = current_app.extensions["omniroute"]
    context.setdefault("values", {})
    context.setdefault("errors", {})
    now = utcnow()
    context.update(
        keys=key_store.list_api_keys(),
        keys_required=services.client_auth.required,
        now=now,
        request_counts=requests_per_key(now),
    )
    template = "partials/keys/panel.html" if is_fragment_request() else "keys/index.html"
    return render_template(template, **context), status


def _key_or_404(key_id: int) -> key_store.ApiKeyRecord:
    record = key_store.get_api_key(key_id)
    if record is None or record.revoked_at is not None:
        abort(404)
    return record


@bp.get("")
def index():
    return _render(saved=request.args.get("saved"))


@bp.post("")
def create():
    values = form_values()
    try:
        name, options = parse_form(values)
    except FieldError as error:
        status = 200 if is_fragment_request() else 400
        return _render(status, values=values, errors={error.field: error.message})
    record, key = create_key(name, **options)
    return _render(new_key=key, new_key_name=record.name)


@bp.get("/<int:key_id>/edit")
def edit(key_id: int):
    record = _key_or_404(key_id)
    return _render(editing=record, edit_values=record_values(record))


@bp.post("/<int:key_id>")
def update(key_id: int):
    record = _key_or_404(key_id)
    values = form_values()
    try:
        name, options = parse_form(values)
    except FieldError as error:
        status = 200 if is_fragment_request() else 400
        errors = {error.field: error.message}
        return _render(status, editing=record, edit_values=values, edit_errors=errors)
    key_store.update_api_key(key_id, name=name, **options)
    current_app.extensions["omniroute"].client_auth.key_hashes.invalidate()
    if is_fragment_request():
        return _render(saved=name)
    return redirect(url_for(".index", saved=name))


@bp.post("/<int:key_id>/revoke")
def revoke(key_id: int):
    revoke_key(key_id)
    return _render() if is_fragment_request() else redirect(url_for(".index"))
