"""Client API handlers for embeddings and images, and the routes scoped to one provider.

- POST /v1/embeddings, POST /v1/images/generations (OpenAI format; see proxy/embeddings.py and
  proxy/images.py), POST /v1/rerank (Cohere/Jina/Voyage shape; proxy/rerank.py) and
  POST /v1/audio/speech (OpenAI format, audio bytes back; proxy/speech.py).
- POST /v1/providers/{provider}/chat/completions | embeddings | images/generations: the same
  endpoints with the model scoped to one provider (proxy/provider_scope.py); chat goes through
  the ordinary chat pipeline.
- GET /v1/providers/{provider}/models: that provider's catalog models.
"""

from __future__ import annotations

from ..proxy.embeddings import EmbeddingsRequest
from ..proxy.images import ImagesRequest
from ..proxy.media import MediaRequestClass, run_media
from ..proxy.provider_scope import model_entries, resolve_provider, scoped_body
from ..proxy.reply import Reply
from ..proxy.rerank import RerankRequest
from ..proxy.speech import run_speech
from .request import ClientRequest


def _media(request: ClientRequest, kind: MediaRequestClass, raw: bytes) -> Reply:
    return run_media(request.services.pipeline, kind, raw, request.key_id, request.grant)


def _scoped(request: ClientRequest, provider: str) -> bytes:
    table = request.services.routes.snapshot()
    return scoped_body(resolve_provider(provider, table), request.body(), table)


def embeddings(request: ClientRequest) -> Reply:
    return _media(request, EmbeddingsRequest, request.body())


def images(request: ClientRequest) -> Reply:
    return _media(request, ImagesRequest, request.body())


def rerank(request: ClientRequest) -> Reply:
    return _media(request, RerankRequest, request.body())


def speech(request: ClientRequest) -> Reply:
    return run_speech(request.services.pipeline, request.body(), request.key_id, request.grant)


def provider_embeddings(request: ClientRequest, provider: str) -> Reply:
    return _media(request, EmbeddingsRequest, _scoped(request, provider))


def provider_images(request: ClientRequest, provider: str) -> Reply:
    return _media(request, ImagesRequest, _scoped(request, provider))


def provider_chat(request: ClientRequest, provider: str) -> Reply:
    call = request.call("openai", "chat.completions", body=_scoped(request, provider))
    return request.services.pipeline.handle(call)


def provider_models(request: ClientRequest, provider: str) -> Reply:
    spec = resolve_provider(provider, request.services.routes.snapshot())
    return Reply.json(200, {"object": "list", "data": model_entries(spec)})
