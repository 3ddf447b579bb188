"""Client API for embeddings and images, and the dedicated provider routes.

- POST /v1/embeddings, POST /v1/images/generations (OpenAI format; see proxy/embeddings.py and
  proxy/images.py).
- POST /v1/providers/{provider}/chat/completions | embeddings | images/generations: the same
  endpoints with the model scoped to one provider (proxy/provider_scope.py); chat goes through
  the ordinary chat pipeline.
- GET /v1/providers/{provider}/models: that provider's catalog models.
"""

from __future__ import annotations

from flask import g, jsonify, request

from ..proxy.embeddings import EmbeddingsRequest
from ..proxy.images import ImagesRequest
from ..proxy.media import MediaRequestClass, run_media
from ..proxy.provider_scope import model_entries, resolve_provider, scoped_body
from ..proxy.translation import ClientCall
from .client_api import client_blueprint, read_body, services, to_response

bp = client_blueprint("media_api")


def _media(kind: MediaRequestClass, raw: bytes):
    return to_response(run_media(services().pipeline, kind, raw, g.api_key_id, g.api_key))


def _scoped(provider: str) -> bytes:
    table = services().routes.snapshot()
    return scoped_body(resolve_provider(provider, table), read_body(), table)


@bp.post("/v1/embeddings")
@bp.post("/embeddings")
@bp.post("/v1/v1/embeddings")
def embeddings():
    return _media(EmbeddingsRequest, read_body())


@bp.post("/v1/images/generations")
@bp.post("/images/generations")
@bp.post("/v1/v1/images/generations")
def images_generations():
    return _media(ImagesRequest, read_body())


@bp.post("/v1/providers/<provider>/embeddings")
def provider_embeddings(provider: str):
    return _media(EmbeddingsRequest, _scoped(provider))


@bp.post("/v1/providers/<provider>/images/generations")
def provider_images(provider: str):
    return _media(ImagesRequest, _scoped(provider))


@bp.post("/v1/providers/<provider>/chat/completions")
def provider_chat(provider: str):
    call = ClientCall(
        "openai",
        _scoped(provider),
        "chat.completions",
        g.api_key_id,
        headers=request.headers,
        grant=g.api_key,
    )
    return to_response(services().pipeline.handle(call))


@bp.get("/v1/providers/<provider>/models")
def provider_models(provider: str):
    spec = resolve_provider(provider, services().routes.snapshot())
    return jsonify({"object": "list", "data": model_entries(spec)})
