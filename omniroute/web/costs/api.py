"""Management API for prices and budgets: GET|PATCH|DELETE /api/pricing,
GET|POST|DELETE /api/usage/budget.

Pricing lists every catalog model that has a price, with the user's prices over it (USD per 1M
tokens: input, output, cachedInput, cacheWrite; `source` catalog or custom; `free` when the
provider's tier is billed $0 — subscription, free, local). PATCH {"provider", "model", "input",
"output", "cachedInput"?, "cacheWrite"?} sets a price; DELETE ?provider=&model= goes back to the
catalog's. Budgets: POST {"keyId", "limit" (USD), "period" (daily|weekly|monthly), "warnAt"?
(percent, default 80)} sets a key's budget; GET lists every budget with spent, reserved,
remaining, percentUsed, warning and resetAt; DELETE ?keyId= removes one.
"""

from __future__ import annotations

from typing import Literal, overload

from flask import Blueprint, current_app, jsonify, request
from flask_login import login_required

from ...providers import PROVIDERS
from ...store import budgets as budget_store
from ...store import pricing as price_store
from ...store.api_keys import get_api_key, list_api_keys
from ...usage.accounting import tier_of
from ...usage.budgets import PERIODS, Budget
from ...usage.pricing import FREE_TIERS, PriceOverride, default_price
from ..providers.connection_form import FieldError
from ..request_limits import MAX_ID
from ..security import field_error, json_error
from ..usage.api import stored_id

bp = Blueprint("api_costs", __name__)

MAX_PRICE = 100_000.0
MAX_LIMIT = 1_000_000.0


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
def _number(body: dict, name: str, required: Literal[True], maximum: float) -> float: ...
@overload
def _number(body: dict, name: str, required: bool, maximum: float) -> float | None: ...
def _number(body: dict, name: str, required: bool, maximum: float) -> float | None:
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
        _number(body, "input", True, MAX_PRICE),
        _number(body, "output", True, MAX_PRICE),
        _number(body, "cachedInput", False, MAX_PRICE),
        _number(body, "cacheWrite", False, MAX_PRICE),
    )


def save_price(body: dict) -> None:
    price_store.put_price(parse_price(body))
    _services().pricing.invalidate()


def parse_budget(body: dict) -> Budget:
    key_id = body.get("keyId")
    if isinstance(key_id, str):
        key_id = stored_id(key_id)
    if (
        isinstance(key_id, bool)
        or not isinstance(key_id, int)
        or not 0 < key_id <= MAX_ID
        or get_api_key(key_id) is None
    ):
        raise FieldError("keyId", "must be the id of an API key")
    period = body.get("period", "monthly")
    if period not in PERIODS:
        raise FieldError("period", f"must be one of: {', '.join(PERIODS)}")
    warn = body.get("warnAt", 80)
    if isinstance(warn, bool) or not isinstance(warn, int) or not 1 <= warn <= 100:
        raise FieldError("warnAt", "must be a whole percent from 1 to 100")
    return Budget(key_id, _number(body, "limit", True, MAX_LIMIT), period, warn)


def save_budget(body: dict) -> dict:
    budget = parse_budget(body)
    budget_store.put_budget(budget)
    _reload_budgets()
    return budget_rows([budget.key_id])[0]


def _reload_budgets() -> None:
    _services().budgets.set_budgets(budget_store.load_budgets())


def budget_rows(only: list[int] | None = None) -> list[dict]:
    ledger = _services().budgets
    names = {key.id: key.name for key in list_api_keys()}
    rows = []
    for budget in budget_store.load_budgets():
        if only is None or budget.key_id in only:
            rows.append({**ledger.status(budget.key_id), "keyName": names.get(budget.key_id)})
    return rows


def _json_body() -> dict | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


@bp.get("/api/pricing")
@login_required
def get_pricing():
    return jsonify({"data": price_rows()})


@bp.patch("/api/pricing")
@login_required
def patch_pricing():
    body = _json_body()
    if body is None:
        return field_error("body", "must be a JSON object")
    try:
        save_price(body)
    except FieldError as error:
        return field_error(error.field, error.message)
    return jsonify({"data": [r for r in price_rows() if r["model"] == body["model"].strip()]})


@bp.delete("/api/pricing")
@login_required
def delete_pricing():
    provider, model = request.args.get("provider", ""), request.args.get("model", "")
    if not price_store.delete_price(provider, model):
        return json_error(
            404, f"no custom price for {provider}/{model}", "invalid_request_error", "not_found"
        )
    _services().pricing.invalidate()
    return "", 204


@bp.get("/api/usage/budget")
@login_required
def get_budgets():
    return jsonify({"data": budget_rows()})


@bp.post("/api/usage/budget")
@login_required
def post_budget():
    body = _json_body()
    if body is None:
        return field_error("body", "must be a JSON object")
    try:
        return jsonify(save_budget(body))
    except FieldError as error:
        return field_error(error.field, error.message)


@bp.delete("/api/usage/budget")
@login_required
def delete_budget():
    key_id = request.args.get("keyId", "")
    number = stored_id(key_id)
    if number is None or not budget_store.delete_budget(number):
        return json_error(
            404, f"no budget for key '{key_id}'", "invalid_request_error", "not_found"
        )
    _reload_budgets()
    return "", 204
