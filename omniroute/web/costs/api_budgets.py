"""Management API for budgets: GET|POST|DELETE /api/usage/budget.

POST {"keyId", "limit" (USD), "period" (daily|weekly|monthly), "warnAt"? (percent, default 80)}
sets a key's budget; GET lists every budget with spent, reserved, remaining, percentUsed, warning
and resetAt; DELETE ?keyId= removes one.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from ...store import budgets as budget_store
from ...store.api_keys import get_api_key, list_api_keys
from ...usage.budgets import PERIODS, Budget
from ..providers.connection_form import FieldError
from ..request_limits import MAX_ID
from ..security import field_error, json_error
from ..usage.api import stored_id
from .api import json_object_body, number_field

bp = Blueprint("budgets", __name__, url_prefix="/usage/budget")

MAX_LIMIT = 1_000_000.0


def _services():
    return current_app.extensions["omniroute"]


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
    return Budget(key_id, number_field(body, "limit", True, MAX_LIMIT), period, warn)


def save_budget(body: dict) -> dict:
    budget = parse_budget(body)
    budget_store.put_budget(budget)
    reload_budgets()
    return budget_rows([budget.key_id])[0]


def reload_budgets() -> None:
    _services().budgets.set_budgets(budget_store.load_budgets())


def budget_rows(only: list[int] | None = None) -> list[dict]:
    ledger = _services().budgets
    names = {key.id: key.name for key in list_api_keys()}
    rows = []
    for budget in budget_store.load_budgets():
        if only is None or budget.key_id in only:
            rows.append({**ledger.status(budget.key_id), "keyName": names.get(budget.key_id)})
    return rows


@bp.get("")
def get_budgets():
    return jsonify({"data": budget_rows()})


@bp.post("")
def post_budget():
    body = json_object_body()
    if body is None:
        return field_error("body", "must be a JSON object")
    try:
        return jsonify(save_budget(body))
    except FieldError as error:
        return field_error(error.field, error.message)


@bp.delete("")
def delete_budget():
    key_id = request.args.get("keyId", "")
    number = stored_id(key_id)
    if number is None or not budget_store.delete_budget(number):
        return json_error(
            404, f"no budget for key '{key_id}'", "invalid_request_error", "not_found"
        )
    reload_budgets()
    return "", 204
