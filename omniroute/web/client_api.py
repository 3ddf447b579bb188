"""The client API that coding tools call: /v1/chat/completions, /v1/models, /health and HEAD /.

Each handler names its endpoint and hands the raw body to the pipeline; errors are rendered in
the OpenAI shape. The unprefixed and doubled-prefix paths (`/chat/completions`, `/v1/v1/…`) that
misconfigured clients send are accepted too.
"""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, g, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from .. import __version__
from ..errors import GatewayError, PayloadTooLargeError
from ..formats.openai_chat import error_body
from ..providers import PROVIDERS
from ..proxy.reply import Reply

bp = Blueprint("client_api", __name__)
CLIENT_API_PREFIXES = ("/v1/", "/v1beta/", "/chat/", "/responses", "/models", "/messages")


def is_client_api_path(path: str) -> bool:
    return path.startswith(CLIENT_API_PREFIXES)


def services():
    return current_app.extensions["omniroute"]


def to_response(reply: Reply) -> Response:
    return Response(reply.body, status=reply.status, headers=reply.headers, direct_passthrough=True)


def error_response(error: GatewayError) -> Response:
    return to_response(Reply.json(error.status, error_body(error), error.headers))


def read_body() -> bytes:
    try:
        return request.get_data(cache=False)
    except RequestEntityTooLarge:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        raise PayloadTooLargeError(f"request body is larger than {limit} bytes") from None


@bp.before_request
def authenticate_client():
    """Identify the caller's API key; 401 when keys are required (the handlers need g.key_id)."""
    if request.endpoint != "client_api.health":
        g.api_key_id = services().client_auth.identify(request.headers, request.args)


@bp.errorhandler(GatewayError)
def gateway_error(error: GatewayError):
    return error_response(error)


@bp.errorhandler(RequestEntityTooLarge)
def body_too_large(_error):
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    return error_response(PayloadTooLargeError(f"request body is larger than {limit} bytes"))


@bp.post("/v1/chat/completions")
@bp.post("/chat/completions")
@bp.post("/v1/v1/chat/completions")
def chat_completions():
    return to_response(services().pipeline.chat_completions(read_body(), g.api_key_id))


@bp.get("/v1/models")
@bp.get("/models")
@bp.get("/v1/v1/models")
def list_models():
    connected = {c.provider for c in services().connections.snapshot()}
    data = [
        {
            "id": f"{spec.prefix}/{model.id}",
            "object": "model",
            "created": 0,
            "owned_by": spec.id,
            "context_length": model.context_length,
        }
        for spec in PROVIDERS.values()
        if spec.id in connected
        for model in spec.models
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
