"""Embedding and image APIs the gateway reaches through its OpenAI-compatible /embeddings and
/images/generations calls (no chat models). Image prices are per image, not per token, so
they are not in the rows."""

from __future__ import annotations

from ..spec import ModelSpec as M
from ..spec import ProviderSpec as P

EMB, IMG = "embedding", "image"

# fmt: off
MEDIA: tuple[P, ...] = (
    P("voyage", "Voyage AI", "voyage", "https://api.voyageai.com/v1", group="embedding-rerank",
      stream_usage_option=False, models_path=None,
      docs_url="https://docs.voyageai.com/embeddings/", models=(
        M("voyage-3.5", "Voyage 3.5", 32000, 0.06, None, kind=EMB),
        M("voyage-3-large", "Voyage 3 Large", 32000, 0.18, None, kind=EMB),
        M("rerank-2.5", "Rerank 2.5", 32000, kind="rerank"),
    )),
    P("jina", "Jina AI Embeddings", "jina", "https://api.jina.ai/v1", group="embedding-rerank",
      stream_usage_option=False, models_path=None, docs_url="https://jina.ai/embeddings/",
      models=(
        M("jina-embeddings-v3", "Jina Embeddings v3", kind=EMB),
        M("jina-reranker-v2-base-multilingual", "Jina Reranker v2", kind="rerank"),
    )),
    P("recraft", "Recraft", "recraft", "https://external.api.recraft.ai/v1", group="image",
      stream_usage_option=False, models_path=None,
      docs_url="https://www.recraft.ai/docs/api-reference/getting-started", models=(
        M("recraftv3", "Recraft V3", kind=IMG),
        M("recraftv4_1", "Recraft V4.1", kind=IMG),
    )),
)
# fmt: on
