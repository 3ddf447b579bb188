"""Management API for combos: GET|POST /api/combos, GET|PUT|DELETE /api/combos/<id>,
POST /api/combos/test.

A combo is {"id", "name", "strategy", "models": [{"model", "weight"}], "systemPrompt"}. POST and
PUT take "name", "models" (model ids or combo names, as strings or {"model", "weight"} objects, in
order), an optional "strategy" (default: Settings → Routing's combo strategy) and an optional
"systemPrompt": null (or left out) uses Settings → AI's global system prompt, "" sends none for
this combo, a text replaces the global one for requests to this combo. A name is
letters, digits and . _ : - (no "/", so it never looks like `<provider>/<model>`). Saving a
combo that would form a cycle or nest more than three deep is a 400 naming the path; deleting a
combo another combo uses is a 409 naming them. `POST /api/combos/test` {"name"} or {"id"} sends
each target a one-token request and reports status, latency and who answered, per target.
"""

from __future__ import annotations

import json
import time

from flask import Blueprint, current_app, jsonify, request
from flask_babel import lazy_gettext as _l

from ...proxy.translation import ClientCall
from ...routing.ai_policy import SYSTEM_PROMPT_MAX_CHARS
from ...routing.combos import (
    COMBO_NAME,
    COMBO_STRATEGIES,
    Combo,
    ComboGraphError,
    ComboTarget,
    check_combo_graph,
)
from ...store import combos as combo_store
from ..models.api_aliases import text_field
from ..providers.connection_form import FieldError
from ..request_limits import MAX_ID
from ..security import field_error, json_error, not_found

bp = Blueprint("combos", __name__)

MAX_TARGETS = 50
MAX_NAME_LENGTH = 100
MAX_WEIGHT = 1000
TEST_PROMPT = "Reply with one word: ok"


def _services():
    return current_app.extensions["omniroute"]


def as_json(combo: Combo) -> dict:
    return {
        "id": combo.id,
        "name": combo.name,
        "strategy": combo.strategy,
        "models": [{"model": t.model, "weight": t.weight} for t in combo.targets],
        "systemPrompt": combo.system_prompt,
    }


def parse_combo(body: dict) -> Combo:
    """A Combo from an API body; FieldError names the first bad field."""
    name = text_field(body, "name", MAX_NAME_LENGTH)
    if not COMBO_NAME.fullmatch(name):
        raise FieldError("name", _l("letters, digits and . _ : - only (no /)"))
    strategy = body.get("strategy") or _services().routes.snapshot().policy.combo_strategy
    if strategy not in COMBO_STRATEGIES:
        raise FieldError("strategy", _l("must be one of: %(v)s", v=", ".join(COMBO_STRATEGIES)))
    models = body.get("models")
    if not isinstance(models, list) or not 1 <= len(models) <= MAX_TARGETS:
        raise FieldError("models", _l("must be a list of 1 to %(n)d models", n=MAX_TARGETS))
    targets = tuple(_target(item) for item in models)
    return Combo(name, targets, strategy, system_prompt=_system_prompt(body.get("systemPrompt")))


def _system_prompt(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError("systemPrompt", _l("must be text, or null for the global prompt"))
    if len(value) > SYSTEM_PROMPT_MAX_CHARS:
        raise FieldError(
            "systemPrompt", _l("at most %(count)d characters", count=SYSTEM_PROMPT_MAX_CHARS)
        )
    return value.strip()


def _target(item) -> ComboTarget:
    if isinstance(item, str):
        item = {"model": item}
    if not isinstance(item, dict):
        raise FieldError("models", _l("each entry is a model id or {model, weight}"))
    try:
        model = text_field(item, "model")
    except FieldError as error:
        raise FieldError("models", _l("each target's model %(m)s", m=error.message)) from None
    if any(char.isspace() for char in model):
        raise FieldError("models", _l("a model id must not contain spaces"))
    weight = item.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= MAX_WEIGHT:
        raise FieldError(
            "models", _l("weight must be a whole number from 0 to %(n)d", n=MAX_WEIGHT)
        )
    return ComboTarget(model, weight)


class ComboNameTaken(FieldError):
    """Another combo already has this name (the API answers 409)."""

    def __init__(self, name: str):
        super().__init__("name", _l("another combo already has this name"))
        self.name = name


class ComboRenameInUse(FieldError):
    """A rename would break the combos that name this one (the API answers 409)."""

    def __init__(self, old_name: str, users: list[str]):
        super().__init__(
            "name",
            _l("%(c)s is used by %(u)s: rename it there first", c=old_name, u=", ".join(users)),
        )


class ComboInUse(Exception):
    """Other combos name this one as a target (the API answers 409)."""

    def __init__(self, combo: Combo, users: list[str]):
        super().__init__(combo.name)
        self.combo = combo
        self.users = users


def store_combo(body: dict, combo_id: int | None = None) -> Combo | None:
    """Create (combo_id None) or replace a combo from an API body; None when combo_id names no
    combo. FieldError names a bad field (ComboNameTaken for a duplicate name; a cycle or too
    deep nesting is a "models" error naming the path)."""
    combo = parse_combo(body)
    combos = combo_store.list_combos()
    others = {c.name: c for c in combos if c.id != combo_id}
    if combo.name in others:
        raise ComboNameTaken(combo.name)
    old = next((c for c in combos if c.id == combo_id), None)
    if old is not None and old.name != combo.name:
        users = [c.name for c in others.values() if any(t.model == old.name for t in c.targets)]
        if users:
            raise ComboRenameInUse(old.name, users)
    try:
        check_combo_graph({**others, combo.name: combo})
    except ComboGraphError as error:
        raise FieldError("models", str(error)) from None
    saved: Combo | None
    if combo_id is None:
        saved = combo_store.create_combo(combo)
    else:
        saved = combo_store.update_combo(combo_id, combo)
        if saved is None:
            return None
    _services().routes.invalidate()
    return saved


def save_combo(body, combo_id: int | None = None):
    """Create (combo_id None) or replace a combo from an API body: (combo, None) or
    (None, error response)."""
    if not isinstance(body, dict):
        return None, field_error("body", _l("must be a JSON object"))
    try:
        saved = store_combo(body, combo_id)
    except ComboNameTaken as error:
        return None, json_error(
            409, f"a combo named '{error.name}' exists", "invalid_request_error", "conflict"
        )
    except ComboRenameInUse as error:
        return None, json_error(409, error.message, "invalid_request_error", "in_use")
    except FieldError as error:
        return None, field_error(error.field, error.message)
    if saved is None:
        assert combo_id is not None  # only a combo being replaced can have vanished
        return None, not_found("combo", combo_id)
    return saved, None


def discard_combo(combo_id: int) -> bool:
    """Delete a combo: False when there is none; ComboInUse when other combos use it."""
    combos = combo_store.list_combos()
    combo = next((c for c in combos if c.id == combo_id), None)
    if combo is None:
        return False
    users = [c.name for c in combos if any(t.model == combo.name for t in c.targets)]
    if users:
        raise ComboInUse(combo, users)
    combo_store.delete_combo(combo_id)
    _services().routes.invalidate()
    return True


def delete_combo(combo_id: int):
    """Delete a combo: None, or an error response (404, or 409 when another combo uses it)."""
    try:
        if discard_combo(combo_id):
            return None
    except ComboInUse as error:
        return json_error(
            409,
            f"combo '{error.combo.name}' is used by {', '.join(error.users)}: "
            "remove it there first",
            "invalid_request_error",
            "in_use",
        )
    return not_found("combo", combo_id)


def test_combo(combo: Combo) -> list[dict]:
    """One tiny request per target, in parallel; each result in the target's order."""
    services = _services()
    return services.fanout.map(lambda t: _test_target(services.pipeline, t.model), combo.targets)


def _test_target(pipeline, model: str) -> dict:
    body = {
        "model": model,
        "max_tokens": 1,
        "stream": False,
        "messages": [{"role": "user", "content": TEST_PROMPT}],
    }
    started = time.perf_counter()
    reply = pipeline.handle(ClientCall("openai", json.dumps(body).encode(), "combos.test"))
    latency = round((time.perf_counter() - started) * 1000.0, 1)
    result = {
        "model": model,
        "ok": reply.status == 200,
        "status": reply.status,
        "latencyMs": latency,
    }
    if reply.status == 200:
        result["provider"] = reply.headers.get("X-OmniRoute-Provider")
        result["answeredBy"] = reply.headers.get("X-OmniRoute-Model")
    else:
        result["error"] = _error_message(reply.body)
    return result


def _error_message(body) -> str:
    try:
        return str(json.loads(body)["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return "the target failed"


@bp.get("/combos")
def list_combos():
    return jsonify({"data": [as_json(combo) for combo in combo_store.list_combos()]})


@bp.post("/combos")
def create_combo():
    combo, error = save_combo(request.get_json(silent=True))
    return error if error else (jsonify(as_json(combo)), 201)


@bp.get("/combos/<int:combo_id>")
def get_combo(combo_id: int):
    combo = combo_store.get_combo(combo_id)
    return not_found("combo", combo_id) if combo is None else jsonify(as_json(combo))


@bp.put("/combos/<int:combo_id>")
def put_combo(combo_id: int):
    combo, error = save_combo(request.get_json(silent=True), combo_id)
    return error if error else jsonify(as_json(combo))


@bp.delete("/combos/<int:combo_id>")
def remove_combo(combo_id: int):
    return delete_combo(combo_id) or ("", 204)


@bp.post("/combos/test")
def run_combo_test():
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    if isinstance(body.get("id"), int) and not isinstance(body.get("id"), bool):
        combo = combo_store.get_combo(body["id"]) if 0 < body["id"] <= MAX_ID else None
    elif isinstance(body.get("name"), str):
        combo = combo_store.find_combo(body["name"])
    else:
        return field_error("name", _l("is required (or id)"))
    if combo is None:
        return json_error(404, "no such combo", "invalid_request_error", "not_found")
    results = test_combo(combo)
    return jsonify({"name": combo.name, "ok": any(r["ok"] for r in results), "results": results})
