"""Management API for the model catalog and custom models.

- GET    /api/models/catalog                      every catalog provider with its models
- GET    /api/provider-models?provider=openai     the user's model rows ({"data": [...]})
- POST   /api/provider-models                     {"provider", "modelId", "modelName"} → 201
- PATCH  /api/provider-models                     {"provider", "modelId", "hidden"} hide/show
- DELETE /api/provider-models?provider=…&model=…  → 204
`provider` is a catalog id, a catalog prefix (`ds`) or a provider node's prefix: any model can
be added to any provider. A catalog model can be hidden too: that stores a row with
hidden=true for it. Listed prices are the pricing table's (the user's prices over the
catalog's), so a custom model shows the price the user set for it.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_babel import lazy_gettext as _l

from ...providers import PROVIDERS, ProviderSpec, provider_for_prefix
from ...providers.catalog import CATALOG
from ...store import provider_models as store
from ...store.provider_nodes import list_nodes
from ...usage.pricing import PricingTable
from ..providers.connection_form import FieldError
from ..security import field_error, json_error

bp = Blueprint("models", __name__)
MAX_MODEL_ID = 200


def node_specs() -> dict[str, ProviderSpec]:
    """The user's provider nodes (active or not) as specs with no catalog models, by prefix."""
    return {
        node.prefix: ProviderSpec(
            id=node.prefix,
            name=node.name,
            prefix=node.prefix,
            base_url=node.base_url,
            wire_format=node.api_type,
            tier="local",
        )
        for node in list_nodes()
    }


def find_provider(value) -> ProviderSpec | None:
    """A catalog provider by id or prefix, or a provider node by prefix."""
    if not isinstance(value, str) or not value:
        return None
    spec = PROVIDERS.get(value) or provider_for_prefix(value)
    return spec if spec is not None else node_specs().get(value)


def _provider(value) -> ProviderSpec:
    spec = find_provider(value)
    if spec is None:
        raise FieldError(
            "provider",
            _l("unknown provider: a catalog id or prefix, or a provider node's prefix"),
        )
    return spec


def prices_now() -> PricingTable:
    """The pricing table accounting charges with (the routing snapshot's)."""
    return current_app.extensions["omniroute"].pricing.snapshot()


def listed_price(prices: PricingTable, spec: ProviderSpec, model) -> tuple:
    """(input, output) USD per 1M tokens as charged: the user's price over the catalog's."""
    price = prices.price(spec.id, model.id)
    if price is None:
        return model.input_price, model.output_price
    return price.input, price.output


def checked_model_id(value, field: str = "modelId") -> str:
    model_id = value.strip() if isinstance(value, str) else ""
    if not model_id or len(model_id) > MAX_MODEL_ID:
        raise FieldError(field, _l("must be 1 to %(n)d characters", n=MAX_MODEL_ID))
    if any(ch.isspace() for ch in model_id):
        raise FieldError(field, _l("must not contain spaces"))
    return model_id


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise FieldError("body", "send a JSON object")
    return body


def catalog_model(spec: ProviderSpec, model_id: str):
    return next((model for model in spec.models if model.id == model_id), None)


def row_json(spec: ProviderSpec, row: store.ModelRow) -> dict:
    return {
        "id": f"{spec.prefix}/{row.model_id}",
        "provider": row.provider,
        "modelId": row.model_id,
        "modelName": row.model_name or row.model_id,
        "hidden": row.hidden,
        "custom": catalog_model(spec, row.model_id) is None,
        "createdAt": row.created_at.isoformat() + "Z",
    }


def model_json(spec: ProviderSpec, item: store.ListedModel, prices: PricingTable) -> dict:
    model = item.spec
    input_price, output_price = listed_price(prices, spec, model)
    return {
        "id": f"{spec.prefix}/{model.id}",
        "name": model.name or model.id,
        "type": model.kind,
        "contextLength": model.context_length,
        "inputPrice": input_price,
        "outputPrice": output_price,
        "custom": item.custom,
        "hidden": item.hidden,
        "synced": item.synced,
        "retired": item.retired,
    }


def _invalid(error: FieldError):
    return field_error(error.field, error.message)


def _missing_model(spec: ProviderSpec, model_id: str):
    return json_error(
        404, f"{spec.id} has no model {model_id!r}", "invalid_request_error", "not_found"
    )


@bp.get("/models/catalog")
def catalog():
    rows = store.list_provider_models()
    connected = set(current_app.extensions["omniroute"].routes.snapshot().routes)
    prices = prices_now()
    data = [
        {
            "provider": spec.id,
            "name": spec.name,
            "prefix": spec.prefix,
            "tier": spec.tier,
            "format": spec.wire_format,
            "connected": spec.id in connected,
            "needsSignIn": spec.needs_sign_in,
            "models": [
                model_json(spec, item, prices) for item in store.merge_with_catalog(spec, rows)
            ],
        }
        for spec in CATALOG
    ]
    return jsonify({"data": data})


@bp.get("/provider-models")
def list_provider_models():
    provider = request.args.get("provider")
    try:
        spec = None if provider in (None, "") else _provider(provider)
    except FieldError as error:
        return _invalid(error)
    rows = store.list_provider_models(spec.id if spec else None)
    specs = {**node_specs(), **PROVIDERS}
    return jsonify({"data": [row_json(specs[r.provider], r) for r in rows if r.provider in specs]})


@bp.post("/provider-models")
def add_provider_model():
    try:
        body = _body()
        spec = _provider(body.get("provider"))
        model_id = checked_model_id(body.get("modelId"))
        name = body.get("modelName")
        if name is not None and not isinstance(name, str):
            raise FieldError("modelName", _l("must be a string"))
        name = (name or "").strip() or model_id
        if len(name) > MAX_MODEL_ID:
            raise FieldError("modelName", _l("must be 1 to %(n)d characters", n=MAX_MODEL_ID))
    except FieldError as error:
        return _invalid(error)
    if catalog_model(spec, model_id) is not None:
        return _duplicate(spec, model_id, "is already in the catalog")
    try:
        row = store.add_provider_model(spec.id, model_id, name)
    except store.DuplicateModel:
        return _duplicate(spec, model_id, "is already added")
    return jsonify(row_json(spec, row)), 201


def _duplicate(spec: ProviderSpec, model_id: str, why: str):
    return json_error(
        409,
        f"modelId: {spec.prefix}/{model_id} {why}",
        "invalid_request_error",
        "duplicate_model",
        param="modelId",
    )


@bp.patch("/provider-models")
def hide_provider_model():
    try:
        body = _body()
        spec = _provider(body.get("provider"))
        model_id = checked_model_id(body.get("modelId"))
        hidden = body.get("hidden")
        if not isinstance(hidden, bool):
            raise FieldError("hidden", _l("must be true or false"))
    except FieldError as error:
        return _invalid(error)
    row = store.set_hidden(spec.id, model_id, hidden)
    if row is None:
        model = catalog_model(spec, model_id)
        if model is None:
            return _missing_model(spec, model_id)
        try:
            row = store.add_provider_model(spec.id, model_id, model.name, hidden=hidden)
        except store.DuplicateModel:  # added meanwhile by another request
            row = store.set_hidden(spec.id, model_id, hidden)
            if row is None:  # and deleted again since
                return _missing_model(spec, model_id)
    return jsonify(row_json(spec, row))


@bp.delete("/provider-models")
def delete_provider_model():
    try:
        spec = _provider(request.args.get("provider"))
        model_id = checked_model_id(request.args.get("model"), "model")
    except FieldError as error:
        return _invalid(error)
    if not store.delete_provider_model(spec.id, model_id):
        return _missing_model(spec, model_id)
    return "", 204
