"""Dashboard Costs pages, three tabs: Overview (/costs: spend today, 7 and 30 days, the month's
forecast, cost by provider and model, exports; overview.py), Budgets (/costs/budgets: a spending
limit per API key per day, week or month, with spent, reserved and the reset time) and Pricing
(every model's price, the catalog's or the user's, edited in place or reset to the catalog's).

Every form is a plain POST that redirects back (post/redirect/get) and works without
JavaScript; a bad value re-renders the page with the message next to the field. With htmx a
post returns just what it changed: the budgets panel, or the one price row. The work is done by
the same functions as the JSON API (web.api_costs), so both validate and apply alike.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from ...clock import utcnow
from ...providers import PROVIDERS
from ...store import budgets as budget_store
from ...store import pricing as price_store
from ...store.api_keys import list_api_keys
from ...usage.budgets import PERIODS
from ..dashboard.pages import is_fragment_request
from ..providers.connection_form import FieldError
from .api import price_rows, save_price
from .api_budgets import budget_rows, save_budget
from .api_export import DEFAULT_DAYS
from .overview import overview as overview_context
from .price_search import MAX_QUERY_CHARS, matching, named

bp = Blueprint("costs", __name__, url_prefix="/costs")

PERIOD_LABELS = {
    "daily": _l("Daily"),
    "weekly": _l("Weekly (from Monday)"),
    "monthly": _l("Monthly"),
}
BUDGET_MESSAGES = {
    "keyId": _l("Pick an API key."),
    "limit": _l("Enter a limit from 0 to 1,000,000 USD."),
    "period": _l("Pick daily, weekly or monthly."),
    "warnAt": _l("Enter a whole percent from 1 to 100."),
}
PRICE_FIELDS = ("input", "output", "cachedInput", "cacheWrite")
PRICE_MESSAGES = {
    "provider": _l("Enter the provider's id (e.g. openai)."),
    "model": _l("Enter the model id (at most 200 characters)."),
    "input": _l("Enter a price from 0 to 100,000 USD per 1M tokens."),
    "output": _l("Enter a price from 0 to 100,000 USD per 1M tokens."),
    "cachedInput": _l("Leave empty for the default, or enter 0 to 100,000."),
    "cacheWrite": _l("Leave empty for the default, or enter 0 to 100,000."),
}


def _number(text: str | None):
    """A form's number as the JSON API would get it: a number, None when empty, else the text
    (so the API's validation names the field)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in text else value


# -- budgets ---------------------------------------------------------------------------------


def budgets_context(**context) -> dict:
    keys = [k for k in list_api_keys() if k.revoked_at is None]
    rows = budget_rows()
    editing = request.args.get("key", "")
    current = next((r for r in rows if str(r["keyId"]) == editing), None)
    values = context.pop("values", None) or {
        "keyId": editing,
        "limit": current["limit"] if current else "",
        "period": current["period"] if current else "monthly",
        "warnAt": current["warnPercent"] if current else 80,
    }
    return {
        "budgets": rows,
        "keys": keys,
        "periods": {p: PERIOD_LABELS[p] for p in PERIODS},
        "values": values,
        "errors": {},
        **context,
    }


def _budgets(status: int = 200, **context):
    context = budgets_context(**context)
    if is_fragment_request():
        return render_template("partials/costs/budgets.html", **context)
    return render_template("costs/budgets.html", **context), status


# -- overview --------------------------------------------------------------------------------


@bp.get("")
def overview():
    return render_template(
        "costs/overview.html", export_days=DEFAULT_DAYS, **overview_context(utcnow())
    )


@bp.get("/budgets")
def budgets():
    return _budgets(saved=request.args.get("saved"))


@bp.post("/budgets")
def set_budget():
    form = request.form
    values = {
        "keyId": form.get("keyId", ""),
        "limit": form.get("limit", ""),
        "period": form.get("period", "monthly"),
        "warnAt": form.get("warnAt", "80"),
    }
    body = {
        "keyId": values["keyId"],
        "limit": _number(values["limit"]),
        "period": values["period"],
        "warnAt": _number(values["warnAt"]),
    }
    if body["warnAt"] is None:
        body["warnAt"] = 80
    try:
        saved = save_budget(body)
    except FieldError as error:
        message = BUDGET_MESSAGES.get(error.field, error.message)
        return _budgets(400, values=values, errors={error.field: message})
    name = saved["keyName"] or str(saved["keyId"])
    if is_fragment_request():
        return _budgets(saved=name)
    return redirect(url_for(".budgets", saved=name))


@bp.post("/budgets/<int:key_id>/delete")
def delete_budget(key_id: int):
    if budget_store.delete_budget(key_id):  # as DELETE /api/usage/budget does
        services = current_app.extensions["omniroute"]
        services.budgets.set_budgets(budget_store.load_budgets())
    return _budgets() if is_fragment_request() else redirect(url_for(".budgets"))


# -- pricing ---------------------------------------------------------------------------------


def pricing_context(**context) -> dict:
    query = request.args.get("q", "").strip()[:MAX_QUERY_CHARS]
    return {
        "prices": matching([named(row) for row in price_rows()], query),
        "query": query,
        "editing": request.args.get("edit", ""),
        "provider_ids": sorted(PROVIDERS),
        "providers": PROVIDERS,
        "price_fields": PRICE_FIELDS,
        "errors": {},
        "values": {},
        **context,
    }


def _pricing(status: int = 200, **context):
    return render_template("costs/pricing.html", **pricing_context(**context)), status


def _price_row(provider: str, model: str, editing: bool = False, **context):
    """One row of the table as a fragment (empty when the price no longer exists)."""
    row = next((r for r in price_rows() if (r["provider"], r["model"]) == (provider, model)), None)
    if row is None:
        return ""
    return render_template(
        "partials/costs/price_row.html",
        row=named(row),
        editing=editing,
        price_fields=PRICE_FIELDS,
        errors=context.pop("errors", {}),
        values=context.pop("values", {}),
        **context,
    )


@bp.get("/pricing")
def pricing():
    """The Pricing tab; with htmx (the search as you type) only its table (`?q=` filters)."""
    if is_fragment_request():
        return render_template("partials/costs/price_table.html", **pricing_context())
    return _pricing(saved=request.args.get("saved"))


@bp.get("/pricing/row")
def price_row():
    provider, model = request.args.get("provider", ""), request.args.get("model", "")
    return _price_row(provider, model, editing=request.args.get("edit") == "1")


@bp.post("/pricing")
def set_price():
    form = request.form
    values = {name: form.get(name, "") for name in ("provider", "model", *PRICE_FIELDS)}
    body = {"provider": values["provider"], "model": values["model"]}
    body.update({name: _number(values[name]) for name in PRICE_FIELDS})
    adding = form.get("adding") == "1"
    try:
        save_price(body)  # as PATCH /api/pricing does
    except FieldError as error:
        errors = {error.field: PRICE_MESSAGES.get(error.field, error.message)}
        if adding:
            return _pricing(400, new_values=values, new_errors=errors)
        if is_fragment_request():
            return _price_row(
                values["provider"], values["model"], True, errors=errors, values=values
            )
        editing = f"{values['provider']}/{values['model']}"
        return _pricing(400, editing=editing, errors=errors, values=values)
    provider, model = values["provider"].strip(), values["model"].strip()
    if is_fragment_request() and not adding:
        return _price_row(provider, model, saved=True)
    return redirect(url_for(".pricing", saved=f"{provider}/{model}"))


@bp.post("/pricing/reset")
def reset_price():
    provider, model = request.form.get("provider", ""), request.form.get("model", "")
    if price_store.delete_price(provider, model):  # as DELETE /api/pricing does
        current_app.extensions["omniroute"].pricing.invalidate()
    if is_fragment_request():
        return _price_row(provider, model)
    return redirect(url_for(".pricing"))
