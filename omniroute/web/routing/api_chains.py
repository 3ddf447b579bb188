"""Management API for global fallback chains: GET|POST|DELETE /api/fallback/chains.

GET lists {"data": [{"model", "name", "chain": [model ids]}]}. POST {"model", "chain", "name"?}
creates the chain for `model` (an exact name or a wildcard pattern) or replaces it; `chain` is
a list of model ids, or of {"model" (or "provider"), "priority"?, "enabled"?} objects, which are
ordered by priority (lowest first) with disabled entries left out. DELETE takes the model as
?model=… or as {"model"} in the body (204, or 404 when there is no chain for it).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_babel import lazy_gettext as _l

from ...routing.chains import FallbackChain
from ...store import fallback_chains as chain_store
from ..models.api_aliases import PATTERN_CHARS, text_field
from ..providers.connection_form import FieldError
from ..security import field_error, json_error

bp = Blueprint("chains", __name__)

MAX_CHAIN = 20


def as_json(chain: FallbackChain) -> dict:
    return {"model": chain.model, "name": chain.name, "chain": list(chain.models)}


def parse_chain(body: dict) -> FallbackChain:
    model = text_field(body, "model")
    if not PATTERN_CHARS.fullmatch(model):
        raise FieldError("model", _l("letters, digits and - _ . : / * ? only"))
    entries = body.get("chain")
    if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_CHAIN:
        raise FieldError("chain", _l("must be a list of 1 to %(n)d models", n=MAX_CHAIN))
    ranked = []
    for position, entry in enumerate(entries):
        if isinstance(entry, str):
            entry = {"model": entry}
        if not isinstance(entry, dict):
            raise FieldError("chain", _l("each entry is a model id or {model, priority, enabled}"))
        target = text_field(entry, "model" if "model" in entry else "provider")
        if any(char.isspace() for char in target):
            raise FieldError("chain", _l("a model id must not contain spaces"))
        priority = entry.get("priority", position)
        if isinstance(priority, bool) or not isinstance(priority, int | float):
            raise FieldError("chain", _l("priority must be a number"))
        if entry.get("enabled", True) is not False:
            ranked.append((priority, position, target))
    name = body.get("name") or ""
    if not isinstance(name, str) or len(name) > 100:
        raise FieldError("name", _l("must be text of at most 100 characters"))
    models = tuple(dict.fromkeys(target for _, _, target in sorted(ranked)))
    return FallbackChain(model, models, name.strip())


def store_chain(body: dict) -> FallbackChain:
    """Create or replace the chain in `body`; FieldError names a bad field."""
    chain = parse_chain(body)
    chain_store.put_chain(chain)
    current_app.extensions["omniroute"].routes.invalidate()
    return chain


def drop_chain(model: str) -> bool:
    """Delete the chain for `model`; False when there is none."""
    if not chain_store.delete_chain(model):
        return False
    current_app.extensions["omniroute"].routes.invalidate()
    return True


def save_chain(body) -> tuple[FallbackChain | None, object]:
    if not isinstance(body, dict):
        return None, field_error("body", _l("must be a JSON object"))
    try:
        return store_chain(body), None
    except FieldError as error:
        return None, field_error(error.field, error.message)


def remove_chain(model: str):
    if not model:
        return field_error("model", _l("is required"))
    if not drop_chain(model):
        return json_error(
            404, f"no fallback chain for model '{model}'", "invalid_request_error", "not_found"
        )
    return None


@bp.get("/fallback/chains")
def list_chains():
    return jsonify({"data": [as_json(chain) for chain in chain_store.list_chains()]})


@bp.post("/fallback/chains")
def post_chain():
    chain, error = save_chain(request.get_json(silent=True))
    if chain is None:
        return error
    return jsonify({"success": True, **as_json(chain)})


@bp.delete("/fallback/chains")
def delete_chain():
    body = request.get_json(silent=True)
    model = request.args.get("model") or (body.get("model") if isinstance(body, dict) else "")
    error = remove_chain(model if isinstance(model, str) else "")
    return error or ("", 204)
