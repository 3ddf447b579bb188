"""Dashboard Settings → Routing: the routing strategy and combo defaults, model aliases and global
fallback chains. (Settings → Security is the change-password page in pages_auth.)

Each panel is its own form: a plain HTML POST that redirects back to the page (post/redirect/get)
or, on a bad value, re-renders the page with the message next to the field and the input kept.
With htmx each post returns just its panel. The work is done by the same functions as the JSON
API (api_settings, api_aliases, api_fallback_chains), so both validate alike.
"""

from __future__ import annotations

import re

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from ...routing.policy import API_FIELDS
from ...store import fallback_chains as chain_store
from ...store import model_aliases as alias_store
from ..combos.pages import COMBO_STRATEGY_HELP
from ..dashboard.pages import is_fragment_request
from ..models.api_aliases import remove_alias, save_alias
from ..providers.connection_form import FieldError
from ..settings.api import apply_routing_settings, routing_settings
from .api_chains import drop_chain, store_chain

bp = Blueprint("routing", __name__, url_prefix="/settings")

# id → (label, explanation), as described in omniroute/routing/account_order.py
ACCOUNT_STRATEGY_HELP = {
    "fill-first": (
        _l("Fill first"),
        _l("Accounts in priority order: the first takes every request until it is unavailable."),
    ),
    "round-robin": (
        _l("Round robin"),
        _l("Accounts take turns, each serving the sticky limit of calls in a row."),
    ),
    "p2c": (
        _l("Power of two choices"),
        _l("Two random accounts; the one with fewer recent failures goes first."),
    ),
    "random": (_l("Random"), _l("A fresh shuffle of the accounts for every request.")),
    "least-used": (_l("Least used"), _l("The account whose last use is oldest goes first.")),
    "cost-optimized": (
        _l("Cost optimized"),
        _l("The lowest priority value first: give cheaper plans a lower priority value."),
    ),
}
PANELS = {
    "routing": "partials/settings/routing_form.html",
    "aliases": "partials/settings/aliases.html",
    "chains": "partials/settings/chains.html",
}
CHAIN_SEPARATORS = re.compile(r"[,\n]")


def _context(**context) -> dict:
    return {
        "settings": routing_settings(),
        "account_strategies": ACCOUNT_STRATEGY_HELP,
        "combo_strategies": COMBO_STRATEGY_HELP,
        "aliases": alias_store.list_aliases(),
        "chains": chain_store.list_chains(),
        "errors": {},
        "values": {},
        **context,
    }


def _respond(panel: str, status: int = 200, **context):
    """The panel for htmx (200, so htmx swaps it), else the whole page with `status`."""
    if is_fragment_request():
        return render_template(PANELS[panel], **_context(panel=panel, **context))
    return render_template("settings/routing.html", **_context(panel=panel, **context)), status


def _done(panel: str):
    if is_fragment_request():
        return render_template(PANELS[panel], **_context(panel=panel, saved=panel))
    return redirect(url_for(".routing", saved=panel))


def routing_changes(form) -> tuple[dict, dict]:
    """The routing settings from the form (camelCase, as the API names them) and the errors."""
    changes, errors = {}, {}
    for name, (_field, allowed) in API_FIELDS.items():
        value = form.get(name, "").strip()
        if isinstance(allowed[0], str):
            if value in allowed:
                changes[name] = value
            else:
                errors[name] = _l("choose one of the listed options")
            continue
        low, high = allowed
        number = int(value) if value.isdecimal() else None
        if number is None or not low <= number <= high:
            errors[name] = _l("enter a whole number from %(low)d to %(high)d", low=low, high=high)
        else:
            changes[name] = number
    return changes, errors


def chain_models(text: str) -> list[str]:
    """Model ids separated by commas or new lines."""
    return [part.strip() for part in CHAIN_SEPARATORS.split(text) if part.strip()]


@bp.get("")
def index():
    return redirect(url_for(".routing"))


@bp.get("/routing")
def routing():
    return render_template("settings/routing.html", **_context(saved=request.args.get("saved")))


@bp.post("/routing")
def save_routing():
    changes, errors = routing_changes(request.form)
    if not errors:
        try:
            apply_routing_settings(changes)
            return _done("routing")
        except FieldError as error:
            errors = {error.field: error.message}
    return _respond("routing", 400, errors=errors, values=request.form.to_dict())


@bp.post("/routing/aliases")
def add_alias():
    values = {key: request.form.get(key, "") for key in ("pattern", "target")}
    try:
        save_alias(values)
    except FieldError as error:
        return _respond("aliases", 400, errors={error.field: error.message}, values=values)
    return _done("aliases")


@bp.post("/routing/aliases/delete")
def delete_alias():
    remove_alias(request.form.get("pattern", ""))
    return _done("aliases")


@bp.post("/routing/chains")
def add_chain():
    values = {key: request.form.get(key, "") for key in ("model", "chain", "name")}
    body = {**values, "chain": chain_models(values["chain"])}
    try:
        store_chain(body)
    except FieldError as error:
        return _respond("chains", 400, errors={error.field: error.message}, values=values)
    return _done("chains")


@bp.post("/routing/chains/delete")
def delete_chain():
    drop_chain(request.form.get("model", ""))
    return _done("chains")
