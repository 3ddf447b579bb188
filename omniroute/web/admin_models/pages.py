"""Dashboard AI-models admin at /admin/ai_models: list, add, edit (key rotation), switch on and
off, delete and test the configured models.

Every action is a plain form post too (then it redirects back to the list); with htmx it answers
with the fragment it changed: a model's `<tbody>` (its row, its edit form or its test result) or
the add form. Rows are read from and written to the Providers page's store (model_rows.py).
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from ..dashboard.pages import is_fragment_request
from ..providers.connection_form import FieldError
from . import model_actions as actions
from .model_form import parse_model_form
from .model_rows import KINDS, AiModel, get_model, list_models

bp = Blueprint("admin_models", __name__, url_prefix="/admin/ai_models")
KIND_PATH = "<any(" + ", ".join(KINDS) + "):kind>/<int:item_id>"


def _form_values() -> dict[str, str]:
    """What the user typed, to show again with an error (never the key)."""
    return {k: v for k, v in request.form.items() if k not in ("apiKey", "csrf_token")}


def _page(status: int = 200, **context):
    context.setdefault("add_values", {"isActive": "on"})
    return render_template("admin_models/index.html", models=list_models(), **context), status


def _row(model: AiModel, **context) -> str:
    return render_template("partials/admin_models/row.html", m=model, **context)


def _model_or_404(kind: str, item_id: int) -> AiModel:
    model = get_model(kind, item_id)
    if model is None:
        abort(404)
    return model


def _back():
    return redirect(url_for(".index"))


@bp.get("")
def index():
    return _page()


@bp.get("/new")
def new():
    if is_fragment_request():
        return render_template("partials/admin_models/add_form.html", add_values={"isActive": "on"})
    return _page(adding=True)


@bp.post("")
def create():
    try:
        model = actions.add(parse_model_form(request.form))
    except FieldError as error:
        values = _form_values()
        if is_fragment_request():
            html = render_template(
                "partials/admin_models/add_form.html", add_error=error, add_values=values
            )
            # htmx swaps only 2xx answers: the form comes back in place of itself
            return html, 200, {"HX-Retarget": "#add-model", "HX-Reswap": "outerHTML"}
        return _page(400, adding=True, add_error=error, add_values=values)
    if is_fragment_request():
        return _page_fragment(added=model)
    return _back()


def _page_fragment(**context):
    """The table and a fresh add form, after an add made with htmx."""
    return render_template("partials/admin_models/table.html", models=list_models(), **context)


@bp.get("/" + KIND_PATH)
def row(kind: str, item_id: int):
    return _row(_model_or_404(kind, item_id))


@bp.get("/" + KIND_PATH + "/edit")
def edit(kind: str, item_id: int):
    model = _model_or_404(kind, item_id)
    if is_fragment_request():
        return _row(model, editing=True)
    return _page(editing=model.dom_id)


@bp.post("/" + KIND_PATH)
def update(kind: str, item_id: int):
    model = _model_or_404(kind, item_id)
    try:
        updated = actions.update(model, parse_model_form(request.form))
    except FieldError as error:
        values = _form_values()
        if is_fragment_request():
            return _row(model, editing=True, edit_error=error, edit_values=values)
        return _page(400, editing=model.dom_id, edit_error=error, edit_values=values)
    if updated is None:
        abort(404)
    return _row(updated) if is_fragment_request() else _back()


@bp.post("/" + KIND_PATH + "/toggle")
def toggle(kind: str, item_id: int):
    model = actions.toggle(_model_or_404(kind, item_id))
    if model is None:
        abort(404)
    return _row(model) if is_fragment_request() else _back()


@bp.post("/" + KIND_PATH + "/delete")
def delete(kind: str, item_id: int):
    actions.delete(_model_or_404(kind, item_id))
    return "" if is_fragment_request() else _back()


@bp.post("/" + KIND_PATH + "/test")
def test(kind: str, item_id: int):
    model = _model_or_404(kind, item_id)
    result = actions.test(model)
    if result is None:
        abort(404)
    model = _model_or_404(kind, item_id)
    if is_fragment_request():
        return _row(model, test_result=result)
    return _page(tested=model.dom_id, test_result=result)
