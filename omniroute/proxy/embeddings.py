"""POST /v1/embeddings: OpenAI's embeddings request, served by OpenAI-compatible or Gemini.

- OpenAI-compatible providers (catalog rows and provider nodes): the body is passed through to
  `{base}/embeddings` with only the model id rewritten, and the answer comes back untouched.
- Gemini: the inputs become one `batchEmbedContents` call and the vectors come back in OpenAI's
  `{"object": "list", "data": [...], "model", "usage"}`, as float lists or, for
  `encoding_format: "base64"`, as little-endian float32 in base64.
- Anthropic and Responses-only providers have no embeddings: a 400; a provider still waiting
  for its sign-in flow (Gemini CLI) is a 501.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import InvalidRequestError
from ..formats.base import model_segment
from ..formats.canonical import Usage
from ..formats.gemini import embeddings as gemini_embeddings
from ..routing.plan import Attempt
from ..usage.estimate import CHARS_PER_TOKEN
from .media import parse_json_object, to_json
from .provider_scope import refuse_sign_in
from .upstream_call import UpstreamCall, build_call

ENCODINGS = ("float", "base64")


class EmbeddingsRequest:
    endpoint = "embeddings"
    capability = "embeddings"

    def __init__(self, raw: bytes):
        self.body = parse_json_object(raw)
        self.model = self.body["model"].strip()
        self.texts, self.token_arrays = parse_input(self.body.get("input"))
        self.encoding = self.body.get("encoding_format") or "float"
        if self.encoding not in ENCODINGS:
            raise InvalidRequestError(
                "'encoding_format' must be 'float' or 'base64'", param="encoding_format"
            )
        self.dimensions = self.body.get("dimensions")
        valid = isinstance(self.dimensions, int) and not isinstance(self.dimensions, bool)
        if self.dimensions is not None and not (valid and self.dimensions > 0):
            raise InvalidRequestError("'dimensions' must be a positive integer", param="dimensions")

    def supports(self, wire_format: str) -> bool:
        return wire_format in ("openai", "gemini")

    def upstream_request(self, attempt: Attempt) -> UpstreamCall:
        refuse_sign_in(attempt.spec)
        if attempt.spec.wire_format == "gemini":
            if self.token_arrays:
                raise InvalidRequestError(
                    "token-array input is not supported by this model: send text",
                    param="input",
                )
            path = f"/models/{model_segment(attempt.model)}:batchEmbedContents"
            body = gemini_embeddings.build_batch_request(attempt.model, self.texts, self.dimensions)
        else:
            path, body = "/embeddings", {**self.body, "model": attempt.model}
        return build_call(attempt, to_json(body), path=path)

    def client_answer(self, attempt: Attempt, payload: Any, raw: bytes) -> tuple[bytes, Usage]:
        if attempt.spec.wire_format != "gemini":
            usage = payload.get("usage") or {}
            return raw, Usage(input_tokens=int(usage.get("prompt_tokens") or 0))
        vectors = gemini_embeddings.parse_batch_response(payload, len(self.texts))
        tokens = estimate_text_tokens(self.texts)
        answer = {
            "object": "list",
            "data": [
                {"object": "embedding", "index": index, "embedding": self._encode(vector)}
                for index, vector in enumerate(vectors)
            ],
            "model": self.model,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
        return to_json(answer), Usage(input_tokens=tokens)

    def _encode(self, vector: list[float]) -> list[float] | str:
        if self.encoding == "base64":
            return gemini_embeddings.encode_base64(vector)
        return vector


def parse_input(value: Any) -> tuple[list[str], bool]:
    """(texts, is_token_arrays): a string, a list of strings, a token array (list of ints) or
    a list of token arrays; anything else, or an empty input, is a 400."""
    if isinstance(value, str):
        return [value], False
    if isinstance(value, list) and value:
        if all(isinstance(item, str) for item in value):
            return list(value), False
        if all(_is_token(item) for item in value):
            return [], True
        if all(isinstance(item, list) and item and all(map(_is_token, item)) for item in value):
            return [], True
    raise InvalidRequestError(
        "'input' must be a string, a non-empty array of strings, or token arrays",
        param="input",
    )


def _is_token(item: Any) -> bool:
    return isinstance(item, int) and not isinstance(item, bool)


def estimate_text_tokens(texts: list[str]) -> int:
    """Gemini reports no token counts for embeddings, so usage is the gateway's estimate:
    about 4 characters per token (usage/estimate.py's rule), rounded up per input."""
    return sum(math.ceil(len(text) / CHARS_PER_TOKEN) for text in texts)
