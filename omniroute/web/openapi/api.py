"""GET /api/openapi.json: an OpenAPI 3.1 description of the management API, made from the routes.

Every url_map rule under /api/ becomes a path with its methods (HEAD and OPTIONS left out); path
parameters are typed from the rules' converters, the summary is the view's docstring (or its
name), the tag is its blueprint, described by the blueprint module's docstring. Bodies, query
parameters and success answers come from omniroute/web/openapi/operations.py. Errors are the one
JSON error shape. The document is built once per app, on first request.

It is public: it describes routes and field names, nothing a caller could not learn from the
API's own 400s, and tools (client generators, schemathesis) can fetch it without logging in.
"""

from __future__ import annotations

import inspect
import re
import sys

from flask import Blueprint, Flask, current_app, jsonify
from werkzeug.routing import BaseConverter, IntegerConverter, PathConverter, Rule

from ...version import __version__
from ..guard import is_public, public
from ..request_limits import MAX_ID
from .operations import OPERATIONS
from .schemas import JSON, Operation

bp = Blueprint("openapi", __name__)

API_PREFIX = "/api/"
IGNORED_METHODS = {"HEAD", "OPTIONS"}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
SESSION_OPTIONAL_ENDPOINTS = {"api.auth.logout"}  # no session: nothing to do, still 204
EXTENSION = "omniroute.openapi"
RULE_ARGUMENT = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")
DESCRIPTION = (
    "The JSON API behind the dashboard. Log in with POST /api/auth/login: the session cookie "
    "it sets authenticates every call, and POST, PUT, PATCH and DELETE also send its csrfToken "
    'as X-CSRFToken. Every error is {"error": {"message", "type", "code"}}.'
)
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["message", "type", "code"],
            "properties": {
                "message": {"type": "string"},
                "type": {"type": "string"},
                "code": {"type": ["string", "null"]},
                "param": {"type": "string", "description": "the field at fault"},
            },
        }
    },
}


@bp.get("/openapi.json")
@public
def document():
    """The management API described as OpenAPI 3.1 (public: no login needed)."""
    return jsonify(openapi_document(current_app))


def openapi_document(app: Flask) -> dict:
    """The app's OpenAPI document, built on first use and kept with the app."""
    if EXTENSION not in app.extensions:
        app.extensions[EXTENSION] = build_document(app)
    return app.extensions[EXTENSION]


def api_rules(app: Flask) -> list[Rule]:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.rule.startswith(API_PREFIX)),
        key=lambda rule: rule.rule,
    )


def rule_methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - IGNORED_METHODS)


def openapi_path(rule: Rule) -> str:
    return RULE_ARGUMENT.sub(r"{\1}", rule.rule)


def build_document(app: Flask) -> dict:
    from apispec import APISpec  # only the first request for the document loads apispec

    spec = APISpec(
        title="OmniRoute management API",
        version=__version__,
        openapi_version="3.1.0",
        info={"description": DESCRIPTION},
    )
    spec.components.schema("Error", ERROR)
    spec.components.response(
        "Error",
        {"description": "An error", "content": {JSON: {"schema": "Error"}}},
    )
    spec.components.security_scheme(
        "session",
        {
            "type": "apiKey",
            "in": "cookie",
            "name": app.config.get("SESSION_COOKIE_NAME", "session"),
            "description": "The dashboard session, set by POST /api/auth/login.",
        },
    )
    spec.components.security_scheme(
        "csrfToken",
        {
            "type": "apiKey",
            "in": "header",
            "name": "X-CSRFToken",
            "description": "Sent with every POST, PUT, PATCH and DELETE made with the session: "
            "the csrfToken that login answers, or the page's <meta name=csrf-token>.",
        },
    )
    tags: dict[str, str] = {}
    paths: dict[str, dict] = {}
    for rule in api_rules(app):
        view = app.view_functions[rule.endpoint]
        tag = rule.endpoint.partition(".")[0].removeprefix("api_")
        tags.setdefault(tag, module_summary(view))
        operations = paths.setdefault(openapi_path(rule), {})
        for method in rule_methods(rule):
            operations[method.lower()] = operation(rule, method, view, tag)
    for name, description in sorted(tags.items()):
        spec.tag({"name": name, "description": description})
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def operation(rule: Rule, method: str, view, tag: str) -> dict:
    declared = OPERATIONS.get(rule.endpoint, Operation())
    summary, description = view_summary(view, rule.endpoint, tag)
    several = len(rule_methods(rule)) > 1
    entry = {
        "operationId": f"{rule.endpoint}.{method.lower()}" if several else rule.endpoint,
        "summary": summary,
        "tags": [tag],
        "parameters": path_parameters(rule) + list(declared.query),
        "responses": {
            str(declared.status): success_response(declared),
            "4XX": "Error",
            "5XX": "Error",
        },
        "security": security(rule.endpoint, method, view),
    }
    if description:
        entry["description"] = description
    if declared.body is not None:
        entry["requestBody"] = {
            "required": declared.body_required,
            "content": {declared.body_media_type: {"schema": declared.body}},
        }
    return entry


def success_response(declared: Operation) -> dict:
    response = {"description": "Success"}
    if declared.returns is None:
        return response
    content = {declared.media_type: {"schema": declared.returns}}
    content.update({media: {"schema": schema} for media, schema in declared.also_returns})
    if declared.streams_on_request:
        content["text/event-stream"] = {"schema": {"type": "string"}}
    return {**response, "content": content}


def security(endpoint: str, method: str, view) -> list[dict]:
    needed: dict[str, list[str]] = (
        {"session": [], "csrfToken": []} if method in UNSAFE_METHODS else {"session": []}
    )
    if endpoint in SESSION_OPTIONAL_ENDPOINTS:
        return [{}, needed]
    return [] if is_public(view) else [needed]


def path_parameters(rule: Rule) -> list[dict]:
    converters: dict[str, BaseConverter] = rule._converters  # werkzeug keeps them per rule
    return [
        {"name": name, "in": "path", "required": True, "schema": converter_schema(converter)}
        for name, converter in ((n, converters[n]) for n in RULE_ARGUMENT.findall(rule.rule))
    ]


def converter_schema(converter: BaseConverter) -> dict:
    """What a converter lets through, as JSON Schema; ids stop at the database's integer range."""
    if isinstance(converter, IntegerConverter):
        low = 1 if converter.min is None else max(converter.min, 1)
        high = MAX_ID if converter.max is None else min(converter.max, MAX_ID)
        return {"type": "integer", "minimum": low, "maximum": high}
    if isinstance(converter, PathConverter):
        return {"type": "string", "minLength": 1}
    return {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}


def view_summary(view, endpoint: str, tag: str) -> tuple[str, str]:
    """(summary, description) from the view's docstring, or a summary made from its name
    ("list_combos" → "List combos"; a lone verb names its tag: "create" → "Create (keys)")."""
    doc = inspect.getdoc(view)
    if not doc:
        words = endpoint.partition(".")[2].replace("_", " ").capitalize()
        return (words if " " in words else f"{words} ({tag})"), ""
    first, _, rest = doc.partition("\n")
    return first.strip(), rest.strip()


def module_summary(view) -> str:
    """The first paragraph of the docstring of the module that defines `view`."""
    module = sys.modules.get(view.__module__)
    doc = inspect.getdoc(module) if module is not None else None
    return (doc or "").split("\n\n")[0].strip()
