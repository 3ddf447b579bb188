"""Management API for prices: GET|PATCH|DELETE /api/pricing.

Pricing lists every catalog model that has a price, with the user's prices over it (USD per 1M
tokens: input, output, cachedInput, cacheWrite; `source` catalog or custom; `free` when the
provider's tier is billed $0 — subscription, free, local). PATCH {"provider", "model", "input",
"output", "cachedInput"?, "cacheWrite"?} sets a price; DELETE ?provider=&model= goes back to the
catalog's.
"""

from __future__ import annotations

from typing import Literal, overload

from flask import Blueprint, current_app, jsonify, request

from ...providers import PROVIDERS
from ...store import pricing as price_store
from ...usage.accounting import tier_of
from ...usage.pricing import FREE_TIERS, PriceOverride, default_price
from ..providers.connection_form import FieldError
from ..security import field_error, json_error

bp = Blueprint("pricing", __name__, url_prefix="/pricing")

MAX_PRICE = 100_000.0


def _services():
    return current_app.extensions["omniroute"]


def price_rows() -> list[dict]:
    table = _services().pricing.snapshot()
    custom = {(o.provider, o.model_id) for o in price_store.load_price_overrides()}
    keys = {(p.id, m.id) for p in PROVIDERS.values() for m in p.models if default_price(p.id, m.id)}
    rows = []
    for provider, model in sorted(keys | custom):
        price = table.price(provider, model)
        rows.append(
            {
                "provider": provider,
                "model": model,
                "input": price.input,
                "output": price.output,
                "cachedInput": round(price.cached_input, 6),
                "cacheWrite": round(price.cache_write, 6),
                "source": "custom" if (provider, model) in custom else "catalog",
                "free": tier_of(provider) in FREE_TIERS,
            }
        )
    return rows


@overload
def number_field(body: dict, name: str, required: Literal[True], maximum: float) -> float: ...
@overload
def number_field(body: dict, name: str, required: bool, maximum: float) -> float | None: ...
def number_field(body: dict, name: str, required: bool, maximum: float) -> float | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= maximum:
        raise FieldError(name, f"must be a number from 0 to {maximum:g}")
    return float(value)


def parse_price(body: dict) -> PriceOverride:
    provider, model = body.get("provider"), body.get("model")
    if not isinstance(provider, str) or not provider.strip():
        raise FieldError("provider", "is required")
    if not isinstance(model, str) or not model.strip() or len(model) > 200:
        raise FieldError("model", "is required (at most 200 characters)")
    return PriceOverride(
        provider.strip(),
        model.strip(),
        number_field(body, "input", True, MAX_PRICE),
        number_field(body, "output", True, MAX_PRICE),
        number_field(body, "cachedInput", False, MAX_PRICE),
        number_field(body, "cacheWrite", False, MAX_PRICE),
    )


def save_price(body: dict) -> None:
    price_store.put_price(parse_price(body))
    _services().pricing.invalidate()


def json_object_body() -> dict | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


@bp.get("")
def get_pricing():
    return jsonify({"data": price_rows()})


@bp.patch("")
def patch_pricing():
    body = json_object_body()
    if body is None:
        return field_error("body", "must be a JSON object")
    try:
        save_price(body)
    except FieldError as error:
        return field_error(error.field, error.message)
    return jsonify({"data": [r for r in price_rows() if r["model"] == body["model"].strip()]})


@bp.delete("")
def delete_pricing():
    provider, model = request.args.get("provider", ""), request.args.get("model", "")
    if not price_store.delete_price(provider, model):
        return json_error(
            404, f"no custom price for {provider}/{model}", "invalid_request_error", "not_found"
        )
    _services().pricing.invalidate()
    return "", 204
