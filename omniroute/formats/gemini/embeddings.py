"""Gemini's batchEmbedContents on the wire, and OpenAI's embedding vector encodings.

Request (POST {base}/models/{model}:batchEmbedContents):
    {"requests": [{"model": "models/<m>", "content": {"parts": [{"text": "…"}]},
                   "outputDimensionality": 256}, …]}
Answer:
    {"embeddings": [{"values": [0.1, …]}, …]}   (one per request, same order; no token counts)

OpenAI's `encoding_format: "base64"` is the vector as little-endian float32, base64-encoded.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Sequence
from typing import Any


def build_batch_request(model: str, texts: Sequence[str], dimensions: int | None) -> dict:
    """The batchEmbedContents body embedding each text with `model` (the provider's id)."""
    requests = []
    for text in texts:
        item: dict[str, Any] = {"model": f"models/{model}", "content": {"parts": [{"text": text}]}}
        if dimensions is not None:
            item["outputDimensionality"] = dimensions
        requests.append(item)
    return {"requests": requests}


def parse_batch_response(payload: Any, expected: int) -> list[list[float]]:
    """The vectors of a batchEmbedContents answer; ValueError when it is not one."""
    embeddings = payload.get("embeddings") if isinstance(payload, dict) else None
    if not isinstance(embeddings, list) or len(embeddings) != expected:
        raise ValueError("batchEmbedContents answer has no embeddings for every input")
    vectors = []
    for embedding in embeddings:
        values = embedding.get("values") if isinstance(embedding, dict) else None
        if not isinstance(values, list):
            raise ValueError("embedding without values")
        vectors.append([float(value) for value in values])
    return vectors


def encode_base64(vector: Sequence[float]) -> str:
    """OpenAI's base64 encoding of a vector: little-endian float32, base64."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


def decode_base64(text: str) -> list[float]:
    raw = base64.b64decode(text)
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))
