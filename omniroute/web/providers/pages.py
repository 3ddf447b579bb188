"""Dashboard Providers page: list, add, edit, toggle, delete and test connections with htmx.

Every action works as a plain form post too (then it redirects back to the page); with htmx it
returns just the fragment it changed.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for

from ...providers import PROVIDERS
from ...providers.spec import WIRE_FORMATS
from ...store import connections as connection_store
from ...store import provider_nodes as node_store
from ..dashboard.pages import is_fragment_request
from ..oauth.cards import cards as subscription_cards
from . import connection_actions as actions
from .cloud_form import CLOUD_FORMS, cloud_form_data, error_key, form_problem, stored_values
from .connection_form import FieldError, parse_connection_fields

bp = Blueprint("providers", __name__, url_prefix="/providers")
SECRET_INPUTS = ("apiKey", "serviceAccountJson", "secretAccessKey", "sessionToken")


@bp.record_once
def _cloud_form_globals(state) -> None:
    """The cloud platforms' inputs, for every template that shows a connection form."""
    state.app.jinja_env.globals.update(
        cloud_forms=CLOUD_FORMS, cloud_error_key=error_key, cloud_stored_values=stored_values
    )


def form_data(partial: bool, provider: str | None = None) -> dict:
    """The form's fields in the API's camelCase (a cloud platform's inputs as `options`, for
    the posted provider or else `provider`, the edited connection's); an unchecked box means
    inactive."""
    form = request.form
    data: dict[str, Any] = {
        key: form[key]
        for key in ("provider", "name", "apiKey", "baseUrl", "testModel", "priority")
        if key in form
    }
    data.update(cloud_form_data(form.get("provider") or provider or "", form))
    if partial and not data.get("apiKey"):
        data.pop("apiKey", None)  # leave empty to keep the stored key
    data["isActive"] = form.get("isActive") == "on"
    return data


def _parsed(partial: bool, current=None) -> dict:
    """The posted connection, checked; an error names its input as the form shows it."""
    provider = str(request.form.get("provider") or getattr(current, "provider", ""))
    try:
        return parse_connection_fields(
            form_data(partial, provider), partial=partial, current=current
        )
    except FieldError as error:
        raise form_problem(provider, error) from None


def _kept_values() -> dict:
    """What the add form shows again after an error: never a secret."""
    return {
        key: value
        for key, value in request.form.items()
        if key.rpartition(".")[2] not in SECRET_INPUTS
    }


def _page(status: int = 200, **context):
    context.setdefault("form_values", {})
    return render_template(
        "providers/index.html",
        nodes=node_store.list_nodes(),
        api_types=WIRE_FORMATS,
        connections=connection_store.list_connections(),
        catalog=PROVIDERS,
        subscriptions=subscription_cards(),
        **context,
    ), status


def _next_url() -> str | None:
    """A provider page to return to after adding (only /providers/<id>, never off-site)."""
    target = request.form.get("next", "")
    if target.startswith("/providers/") and "//" not in target and "\\" not in target:
        return target
    return None


def _row(record, **context):
    return render_template("partials/providers/row.html", c=record, catalog=PROVIDERS, **context)


def _record_or_404(connection_id: int):
    record = connection_store.get_connection(connection_id)
    if record is None:
        abort(404)
    return record


@bp.get("")
def index():
    if is_fragment_request():
        return render_template(
            "partials/providers/list.html",
            connections=connection_store.list_connections(),
            catalog=PROVIDERS,
        )
    return _page()


@bp.post("")
def create():
    try:
        actions.create(_parsed(partial=False))
    except FieldError as error:
        values = _kept_values()
        if is_fragment_request():
            return render_template(
                "partials/providers/add_form.html",
                catalog=PROVIDERS,
                form_error=error,
                form_values=values,
                next_url=_next_url(),
            )
        return _page(400, form_error=error, form_values=values)
    next_url = _next_url()
    if is_fragment_request():
        keep = {"provider": request.form.get("provider")} if next_url else {}
        spec = PROVIDERS.get(request.form.get("provider", ""))
        response = render_template(
            "partials/providers/add_form.html",
            catalog=PROVIDERS,
            form_values=keep,
            created=True,
            next_url=next_url,
            key_optional=bool(next_url and spec and spec.tier == "local"),
        )
        return response, 200, {"HX-Trigger": "connections-changed"}
    return redirect(next_url or url_for(".index"))


@bp.get("/credentials")
def credentials():
    """The add form's key and cloud-platform inputs for the provider chosen in its list."""
    provider = request.args.get("provider", "")
    spec = PROVIDERS.get(provider)
    return render_template(
        "partials/providers/credentials.html",
        chosen=provider if spec else None,
        every_cloud=spec is None,
        key_optional=bool(spec and spec.tier == "local"),
        form_values={"provider": provider},
    )


@bp.get("/<int:connection_id>/edit")
def edit(connection_id: int):
    record = _record_or_404(connection_id)
    if is_fragment_request():
        return _row(record, editing=True)
    return _page(editing_id=connection_id)


@bp.get("/<int:connection_id>")
def row(connection_id: int):
    return _row(_record_or_404(connection_id))


@bp.post("/<int:connection_id>")
def update(connection_id: int):
    record = _record_or_404(connection_id)
    try:
        record = actions.update(connection_id, _parsed(partial=True, current=record))
    except FieldError as error:
        if is_fragment_request():
            return _row(record, editing=True, form_error=error)
        return _page(400, editing_id=connection_id, form_error=error)
    return _row(record) if is_fragment_request() else redirect(url_for(".index"))


@bp.post("/<int:connection_id>/toggle")
def toggle(connection_id: int):
    record = _record_or_404(connection_id)
    record = actions.update(connection_id, {"is_active": not record.is_active})
    return _row(record) if is_fragment_request() else redirect(url_for(".index"))


@bp.post("/<int:connection_id>/delete")
def delete(connection_id: int):
    _record_or_404(connection_id)
    actions.delete(connection_id)
    return "" if is_fragment_request() else redirect(url_for(".index"))


@bp.post("/<int:connection_id>/test")
def test(connection_id: int):
    _record_or_404(connection_id)
    result = actions.test(connection_id)
    if is_fragment_request():
        return _row(_record_or_404(connection_id), test_result=result)
    return redirect(url_for(".index"))
