"""Management API for model aliases: GET|PUT|DELETE /api/models/alias.

GET lists every alias as {"data": [{"pattern", "target"}]}; PUT {"pattern", "target"} creates
the alias or replaces its target (200 with the alias); DELETE ?pattern=… removes it (204, or 404
when there is none). Patterns are exact names or wildcards (`*` any characters, `?` one); how a
requested model picks among them is documented in omniroute/routing/aliases.py.
"""

from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify, request
from flask_babel import lazy_gettext as _l

from ...routing.aliases import Alias
from ...store import model_aliases as alias_store
from ..providers.connection_form import FieldError
from ..security import field_error, json_error

bp = Blueprint("aliases", __name__)

MAX_LENGTH = 200
PATTERN_CHARS = re.compile(r"[A-Za-z0-9\-_.:/*?]+")


def as_json(alias: Alias) -> dict:
    return {"pattern": alias.pattern, "target": alias.target}


def text_field(body: dict, name: str, max_length: int = MAX_LENGTH) -> str:
    value = body.get(name)
    if not isinstance(value, str):
        raise FieldError(name, _l("is required"))
    value = value.strip()
    if not 1 <= len(value) <= max_length:
        raise FieldError(name, _l("must be 1 to %(n)d characters", n=max_length))
    return value


def parse_alias(body: dict) -> Alias:
    pattern = text_field(body, "pattern")
    if not PATTERN_CHARS.fullmatch(pattern):
        raise FieldError("pattern", _l("letters, digits and - _ . : / * ? only"))
    target = text_field(body, "target")
    if any(char.isspace() for char in target):
        raise FieldError("target", _l("must not contain spaces"))
    return Alias(pattern, target)


def save_alias(body: dict) -> Alias:
    """Create the alias in `body` or replace its target; FieldError names a bad field."""
    alias = parse_alias(body)
    alias = alias_store.put_alias(alias.pattern, alias.target)
    _changed()
    return alias


def remove_alias(pattern: str) -> bool:
    """Delete the alias with this pattern; False when there is none."""
    if not alias_store.delete_alias(pattern):
        return False
    _changed()
    return True


def _changed():
    current_app.extensions["omniroute"].routes.invalidate()


@bp.get("/models/alias")
def list_aliases():
    return jsonify({"data": [as_json(alias) for alias in alias_store.list_aliases()]})


@bp.put("/models/alias")
def put_alias():
    body = request.get_json(silent=True)
    try:
        alias = save_alias(body if isinstance(body, dict) else {})
    except FieldError as error:
        return field_error(error.field, error.message)
    return jsonify(as_json(alias))


@bp.delete("/models/alias")
def delete_alias():
    pattern = request.args.get("pattern", "")
    if not pattern:
        return field_error("pattern", _l("is required"))
    if not remove_alias(pattern):
        return json_error(
            404, f"no model alias with pattern '{pattern}'", "invalid_request_error", "not_found"
        )
    return "", 204
