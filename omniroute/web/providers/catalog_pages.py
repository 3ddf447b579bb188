"""Dashboard provider catalog: pricing at a glance, one page per provider, local detection.

- GET  /providers/catalog                      the catalog grouped by what providers are for,
                                               searched and filtered on the server (?q=&group=
                                               &tier=&configured=1&free=1, catalog_filters.py);
                                               with htmx just the results
- GET  /providers/catalog/local                the local servers found (the catalog page loads
                                               it lazily with htmx; see local_servers.py)
- POST /providers/catalog/detect               probe the local servers again
- POST /providers/catalog/local/<id>/add       connect a detected local server (no key; never
                                               a second connection for one already connected)
- GET  /providers/<provider_id>                its accounts, its models, its docs link
- POST /providers/<provider_id>/models         add a custom model
- POST /providers/<provider_id>/models/hide    hide or show a model (hidden=1/0)
- POST /providers/<provider_id>/models/delete  delete a custom model
- POST /providers/<provider_id>/models/sync    sync the models its active accounts list
Every form works without JavaScript (redirect back); with htmx it returns the changed fragment.
The cost cell is the guide's (providers/glance.py) or else the first chat model's price; model
prices are the pricing table's (the user's prices over the catalog's).
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from ...providers import PROVIDERS
from ...providers.catalog import CATALOG
from ...providers.glance import glance
from ...providers.spec import GROUPS, TIERS
from ...proxy.model_sync import unlistable_reason
from ...store import connections as connection_store
from ...store import provider_models as model_store
from ..dashboard.pages import is_fragment_request
from ..models.api import MAX_MODEL_ID, catalog_model, checked_model_id, listed_price, prices_now
from . import connection_actions as actions
from . import local_servers
from .catalog_filters import GROUP_LABELS, TIER_LABELS, CatalogFilter, catalog_rows, sections
from .connection_form import FieldError, parse_connection_fields
from .model_sync_actions import sync_accounts, syncable_accounts

__all__ = ["bp", "TIER_LABELS"]

bp = Blueprint("catalog", __name__, url_prefix="/providers")


def _connected() -> set[str]:
    return {c.provider for c in connection_store.list_connections() if c.is_active}


def _with_connections() -> set[str]:
    """Providers with any connection, active or not (a local server is not added twice)."""
    return {c.provider for c in connection_store.list_connections()}


def cost(spec) -> dict:
    """The guide's cost cell ({"kind": "text", "text"}) or else the first chat model's price:
    {"kind": "free"|"subscription"|"price"|"unknown", …}."""
    text = glance(spec.id).get("cost")
    if text:
        return {"kind": "text", "text": text}
    model = next((m for m in spec.models if m.kind == "chat"), None)
    prices = (model.input_price, model.output_price) if model else (None, None)
    if prices == (0.0, 0.0) or spec.tier == "local":
        return {"kind": "free"}
    if spec.tier == "subscription":
        return {"kind": "subscription"}
    if model is None or None in prices:
        return {"kind": "unknown"}
    return {"kind": "price", "input": prices[0], "output": prices[1], "model": model.id}


def _results() -> dict:
    """The catalog's rows under the request's filters, as the results fragment shows them."""
    chosen = CatalogFilter.from_args(request.args)
    rows = catalog_rows(CATALOG, _with_connections(), _connected(), cost)
    found = sections(rows, chosen)
    return {
        "filters": chosen,
        "groups": found,
        "shown": sum(len(members) for _, _, members in found),
        "total": len(rows),
        "configured_count": sum(1 for row in rows if row["configured"]),
        "group_labels": [(group, GROUP_LABELS[group]) for group in GROUPS],
        "tier_labels": [(tier, TIER_LABELS[tier]) for tier in TIERS],
    }


def _catalog_page(status: int = 200, **context):
    return render_template("providers/catalog.html", **_results(), **context), status


@bp.get("/catalog")
def catalog():
    if is_fragment_request():
        return render_template("partials/providers/catalog_results.html", **_results())
    return _catalog_page()


def _detected():
    found = local_servers.detect(_with_connections())
    if is_fragment_request():
        return render_template("partials/providers/local_detect.html", detected=found)
    return _catalog_page(detected=found)


@bp.get("/catalog/local")
def local_found():
    return _detected()


@bp.post("/catalog/detect")
def detect_local():
    return _detected()


@bp.post("/catalog/local/<provider_id>/add")
def add_local(provider_id: str):
    spec = PROVIDERS.get(provider_id)
    if spec is None or spec.tier != "local" or provider_id not in local_servers.LOCAL_SERVERS:
        abort(404)
    added = spec.id not in _with_connections()
    if added:
        fields = parse_connection_fields(
            {
                "provider": spec.id,
                "name": spec.name,
                "apiKey": "",
                "baseUrl": local_servers.base_url(spec.id),
            },
            partial=False,
        )
        actions.create(fields)
    if is_fragment_request():
        url = local_servers.probe_url(spec.id)
        result = {"provider": spec.id, "spec": spec, "url": url, "ok": True, "connected": True}
        return (
            render_template(
                "partials/providers/local_detect.html",
                detected=[result],
                added=spec.id if added else None,
            ),
            200,
            {"HX-Trigger": "connections-changed"} if added else {},
        )
    return redirect(url_for(".provider", provider_id=spec.id))


def _spec_or_404(provider_id: str):
    spec = PROVIDERS.get(provider_id)
    if spec is None:
        abort(404)
    return spec


def _models(spec):
    return model_store.merge_with_catalog(spec, model_store.list_provider_models(spec.id))


def _prices(spec, models) -> dict:
    """Model id → (input, output) USD per 1M tokens as charged (user prices included)."""
    table = prices_now()
    return {item.spec.id: listed_price(table, spec, item.spec) for item in models}


def _sync_state(spec) -> dict:
    """Whether the models panel offers "Sync models", and for how many active accounts."""
    available = unlistable_reason(spec) is None
    return {"available": available, "accounts": len(syncable_accounts(spec.id)) if available else 0}


def _models_panel(spec, status: int = 200, **context):
    models = _models(spec)
    html = render_template(
        "partials/providers/models.html",
        spec=spec,
        models=models,
        prices=_prices(spec, models),
        model_sync=_sync_state(spec),
        **context,
    )
    return html, status


def _provider_connections(spec):
    return [c for c in connection_store.list_connections() if c.provider == spec.id]


@bp.get("/<provider_id>")
def provider(provider_id: str):
    spec = _spec_or_404(provider_id)
    if is_fragment_request():
        return render_template(
            "partials/providers/list.html",
            connections=_provider_connections(spec),
            catalog=PROVIDERS,
        )
    return _provider_page(spec)


def _provider_page(spec, status: int = 200, **extra):
    """The full per-provider page: its accounts, models and docs (plus any form errors)."""
    models = _models(spec)
    return render_template(
        "providers/provider.html",
        spec=spec,
        glance=glance(spec.id),
        cost=cost(spec),
        connections=_provider_connections(spec),
        catalog=PROVIDERS,
        form_values={"provider": spec.id},
        models=models,
        prices=_prices(spec, models),
        model_sync=_sync_state(spec),
        **extra,
    ), status


def _models_done(spec):
    if is_fragment_request():
        return _models_panel(spec)
    return redirect(url_for(".provider", provider_id=spec.id) + "#models-panel")


@bp.post("/<provider_id>/models")
def add_model(provider_id: str):
    spec = _spec_or_404(provider_id)
    values = {"modelId": request.form.get("modelId", ""), "name": request.form.get("name", "")}
    try:
        model_id = checked_model_id(values["modelId"])
        name = values["name"].strip() or model_id
        if len(name) > MAX_MODEL_ID:
            raise FieldError("name", _l("must be 1 to %(n)d characters", n=MAX_MODEL_ID))
        if catalog_model(spec, model_id) is not None:
            raise FieldError("modelId", _l("is already in the catalog"))
        try:
            model_store.add_provider_model(spec.id, model_id, name)
        except model_store.DuplicateModel:
            raise FieldError("modelId", _l("is already added")) from None
    except FieldError as error:
        if is_fragment_request():
            return _models_panel(spec, 200, model_error=error, model_values=values)
        return _provider_page(spec, 400, model_error=error, model_values=values)
    return _models_done(spec)


def _posted_model_id() -> str:
    """The form's model id, or a 400 (these forms come from the page, never typed in)."""
    try:
        return checked_model_id(request.form.get("modelId"))
    except FieldError:
        abort(400)


@bp.post("/<provider_id>/models/hide")
def hide_model(provider_id: str):
    spec = _spec_or_404(provider_id)
    model_id = _posted_model_id()
    hidden = request.form.get("hidden") in ("1", "true", "on")
    if model_store.set_hidden(spec.id, model_id, hidden) is None:
        model = catalog_model(spec, model_id)
        if model is None:
            abort(404)
        try:
            model_store.add_provider_model(spec.id, model_id, model.name, hidden=hidden)
        except model_store.DuplicateModel:  # added meanwhile by another request
            model_store.set_hidden(spec.id, model_id, hidden)
    return _models_done(spec)


@bp.post("/<provider_id>/models/delete")
def delete_model(provider_id: str):
    """Delete a custom model (a catalog model can only be hidden)."""
    spec = _spec_or_404(provider_id)
    model_id = _posted_model_id()
    if catalog_model(spec, model_id) is not None:
        abort(400)
    if not model_store.delete_provider_model(spec.id, model_id):
        abort(404)
    return _models_done(spec)


@bp.post("/<provider_id>/models/sync")
def sync_models(provider_id: str):
    """Sync the models every active account of the provider lists; the models panel (or,
    without JavaScript, the whole page) then says what changed or why it failed."""
    spec = _spec_or_404(provider_id)
    records = syncable_accounts(spec.id)
    syncs = sync_accounts(records) if records else []
    result = {"sync": syncs[0] if syncs else None, "accounts": len(records)}
    status = 502 if syncs and syncs[0].outcome is None else 200
    if is_fragment_request():
        return _models_panel(spec, sync_result=result)
    return _provider_page(spec, status, sync_result=result)
