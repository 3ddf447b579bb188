"""The client API that coding tools call, in each tool's own wire format.

- OpenAI Chat Completions: POST /v1/chat/completions
- Anthropic Messages:      POST /v1/messages (also ?beta=true), POST /v1/messages/count_tokens
- OpenAI Responses:        POST /v1/responses
- Gemini:                  POST /v1beta/models/{model}:generateContent and :streamGenerateContent
- GET /v1/models, GET /health, HEAD / (Claude Code's probe).
Each handler names its format and hands the raw body to the pipeline. The unprefixed paths
(`/chat/completions`, `/responses`, `/models`, `/messages`) and a doubled `/v1/v1/` that
misconfigured clients send are accepted too. Errors are rendered in the caller's format, an
unknown path or method under these prefixes too (a 404/405, registered app-wide).
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge
from werkzeug.routing import PathConverter

from ..errors import (
    GatewayError,
    InvalidRequestError,
    MethodNotAllowedError,
    UnknownEndpointError,
    body_too_large,
    internal_error,
)
from ..formats.registry import FORMATS
from ..proxy.provider_scope import usable_model_entries
from ..proxy.reply import Reply, wire_headers
from ..proxy.translation import ClientCall
from ..version import __version__
from .client_calls import CALL_ROUTES, client_call, read_request_body

log = logging.getLogger(__name__)
CLIENT_API_PREFIXES = (
    "/v1/",
    "/v1beta/",
    "/chat/",
    "/responses",
    "/models",
    "/messages",
    "/embeddings",
    "/images/",
    "/audio/",
)
GEMINI_ACTIONS = {"generateContent": False, "streamGenerateContent": True}


def is_client_api_path(path: str) -> bool:
    return path.startswith(CLIENT_API_PREFIXES)


def wire_format_for_path(path: str) -> str:
    """The format a client calling `path` speaks, so errors reach it in its own shape."""
    if path.startswith("/v1beta/"):
        return "gemini"
    if "/messages" in path:
        return "anthropic"
    if "/responses" in path:
        return "responses"
    return "openai"


def error_reply(path: str, error: GatewayError) -> Reply:
    body = FORMATS[wire_format_for_path(path)].error_body(error)
    return Reply.json(error.status, body, error.headers)


def services():
    return current_app.extensions["omniroute"]


def to_response(reply: Reply) -> Response:
    headers = wire_headers(reply.headers)
    return Response(reply.body, status=reply.status, headers=headers, direct_passthrough=True)


def read_body() -> bytes:
    return read_request_body(request.environ, current_app.config["MAX_CONTENT_LENGTH"])


def this_call(wire_format: str, endpoint: str, **kwargs) -> ClientCall:
    """The current Flask request as the pipeline sees it (the API key checked before)."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    return client_call(
        request.environ, wire_format, endpoint, g.api_key, limit, request.headers, **kwargs
    )


def call(wire_format: str, endpoint: str, **kwargs) -> Response:
    return to_response(services().pipeline.handle(this_call(wire_format, endpoint, **kwargs)))


def authenticate_client():
    """Identify the caller's API key; 401 when keys are required (the handlers need g.key_id)."""
    if not request.endpoint or not request.endpoint.endswith(".health"):
        g.api_key = services().client_auth.identify(
            request.headers, request.args, request.remote_addr or ""
        )
        g.api_key_id = None if g.api_key is None else g.api_key.id


def gateway_error(error: GatewayError):
    return to_response(error_reply(request.path, error))


def http_error(error: HTTPException) -> GatewayError:
    """Werkzeug's HTTP error (no such path, wrong method, …) as a gateway error."""
    where = f"{request.method} {request.path}"
    if isinstance(error, MethodNotAllowed):
        allowed = ", ".join(sorted(error.valid_methods or ()))
        return MethodNotAllowedError(
            f"{where} is not supported; this path accepts: {allowed}",
            headers={"Allow": allowed} if allowed else None,
        )
    if isinstance(error, NotFound):
        return UnknownEndpointError(f"no client API endpoint at {where}")
    return GatewayError(error.description or error.name, status=error.code or 500)


def unknown_client_path(error: HTTPException):
    """App-wide 404/405: client API paths answer in the caller's shape; the dashboard keeps its
    HTML pages."""
    if not is_client_api_path(request.path):
        return error
    return to_response(error_reply(request.path, http_error(error)))


def register_client_errors(app) -> None:
    """Unknown paths and methods under the client API answer in the caller's error shape."""
    app.register_error_handler(NotFound, unknown_client_path)
    app.register_error_handler(MethodNotAllowed, unknown_client_path)


def unexpected_error(error: Exception):
    """A bug must still answer in the caller's shape (and be logged), never as an HTML page."""
    if isinstance(error, HTTPException):
        return to_response(error_reply(request.path, http_error(error)))
    log.exception("unexpected error on %s", request.path)
    return to_response(error_reply(request.path, internal_error(error)))


def answer_too_large(_error):
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    return to_response(error_reply(request.path, body_too_large(limit)))


def client_blueprint(name: str) -> Blueprint:
    """A blueprint for client-API endpoints: API-key check first, every error in the caller's
    shape. Every /v1 area (chat formats, embeddings and images, audio) is one of these."""
    blueprint = Blueprint(name, __name__)
    blueprint.before_request(authenticate_client)
    blueprint.register_error_handler(GatewayError, gateway_error)
    blueprint.register_error_handler(RequestEntityTooLarge, answer_too_large)
    blueprint.register_error_handler(Exception, unexpected_error)
    return blueprint


bp = client_blueprint("client_api")


class GeminiTargetConverter(PathConverter):
    """`{model}:{action}` after /v1beta/models/, any character included (a model id with a
    newline is then a 400 about the id, not a 404 about the path)."""

    regex = "(?s:[^/].*?)"


bp.record_once(
    lambda state: state.app.url_map.converters.update(gemini_target=GeminiTargetConverter)
)


def _call_view(wire_format: str, endpoint: str):
    def view():
        return call(wire_format, endpoint)

    return view


for _endpoint, (_wire_format, _paths) in CALL_ROUTES.items():
    _view = _call_view(_wire_format, _endpoint)
    for _path in _paths:  # ClientFastPath serves these POSTs first; see client_calls
        bp.add_url_rule(_path, _endpoint.replace(".", "_"), _view, methods=["POST"])


@bp.post("/v1/messages/count_tokens")
@bp.post("/messages/count_tokens")
@bp.post("/v1/v1/messages/count_tokens")
def count_tokens():
    client_call = this_call("anthropic", "messages.count_tokens", stream=False)
    return to_response(services().pipeline.count_tokens(client_call))


@bp.post("/v1beta/models/<gemini_target:target>", merge_slashes=False)
def gemini(target: str):
    model, _, action = target.rpartition(":")
    if not model or action not in GEMINI_ACTIONS:
        raise InvalidRequestError(
            "use /v1beta/models/{model}:generateContent or :streamGenerateContent"
        )
    return call("gemini", f"gemini.{action}", model=model, stream=GEMINI_ACTIONS[action])


@bp.get("/v1/models")
@bp.get("/models")
@bp.get("/v1/v1/models")
def list_models():
    """Every usable model: connected catalog providers' models plus the user's custom models,
    minus hidden ones (read from the database: this is not the chat hot path), provider nodes'
    custom models, then the combos."""
    table = services().routes.snapshot()
    with services().database.connection_context():
        data = usable_model_entries(table)
    data += [
        {
            "id": name,
            "object": "model",
            "created": 0,
            "owned_by": "combo",
            "capabilities": {"type": "combo", "strategy": combo.strategy},
            "models": [target.model for target in combo.targets],
        }
        for name, combo in sorted(table.combos.items())
    ]
    return jsonify({"object": "list", "data": data})


@bp.get("/health")
def health():
    return jsonify(
        {
            "status": "ok",
            "version": __version__,
            "uptimeSeconds": round(time.time() - services().started_at, 1),
        }
    )
