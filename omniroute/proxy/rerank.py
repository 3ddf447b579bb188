"""POST /v1/rerank: the Cohere/Jina/Voyage rerank request, routed like embeddings.

The body is {model, query, documents: [string | {"text"}], top_n?, return_documents?}; the model
prefix picks the provider and its accounts (fallback across accounts as for embeddings). Cohere,
Jina and Voyage each get their own shape (providers/rerank_apis.py); another OpenAI-compatible
provider gets the Jina shape at `{base}/rerank`, which vLLM, llama.cpp and Infinity serve. The
answer is {object, model, results: [{index, relevance_score, document?}], usage}; the usage row
counts what the provider billed (Cohere's search units, the others' tokens) as input.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..errors import InvalidRequestError
from ..formats.canonical import Usage
from ..providers import rerank_apis
from ..routing.plan import Attempt
from .media import parse_json_object, to_json
from .provider_scope import refuse_sign_in
from .upstream_call import UpstreamCall, base_url, build_call

MAX_DOCUMENTS = 1000  # the most Cohere, Jina and Voyage take in one request


class RerankRequest:
    endpoint = "rerank"
    capability = "rerank"

    def __init__(self, raw: bytes):
        body = parse_json_object(raw)
        self.model = body["model"].strip()
        query = body.get("query")
        if not isinstance(query, str) or not query.strip():
            raise InvalidRequestError("'query' is required and must be a string", param="query")
        top_n = body.get("top_n")
        if top_n is not None and (
            not isinstance(top_n, int) or isinstance(top_n, bool) or top_n < 1
        ):
            raise InvalidRequestError("'top_n' must be a positive integer", param="top_n")
        return_documents = body.get("return_documents", False)
        if not isinstance(return_documents, bool):
            raise InvalidRequestError(
                "'return_documents' must be true or false", param="return_documents"
            )
        self.rerank = rerank_apis.Rerank(
            query, parse_documents(body.get("documents")), top_n, return_documents
        )

    def supports(self, wire_format: str) -> bool:
        return wire_format == "openai"

    def upstream_request(self, attempt: Attempt) -> UpstreamCall:
        refuse_sign_in(attempt.spec)
        provider = attempt.spec.id
        body = rerank_apis.request_body(provider, attempt.model, self.rerank)
        call = build_call(attempt, to_json(body), path="/rerank")
        if provider == rerank_apis.COHERE:
            call = dataclasses.replace(
                call, url=rerank_apis.rerank_url(provider, base_url(attempt))
            )
        return call

    def client_answer(self, attempt: Attempt, payload: Any, raw: bytes) -> tuple[bytes, Usage]:
        answer, billed = rerank_apis.client_answer(
            attempt.spec.id, self.model, self.rerank, payload
        )
        return to_json(answer), Usage(input_tokens=billed)


def parse_documents(value: Any) -> list[str]:
    """The documents as texts: strings, or objects with a string `text`; 1 to MAX_DOCUMENTS."""
    if not isinstance(value, list) or not value:
        raise InvalidRequestError(
            "'documents' must be a non-empty array of strings", param="documents"
        )
    if len(value) > MAX_DOCUMENTS:
        raise InvalidRequestError(
            f"'documents' may hold at most {MAX_DOCUMENTS} items", param="documents"
        )
    texts = []
    for item in value:
        if isinstance(item, dict):
            item = item.get("text")
        if not isinstance(item, str):
            raise InvalidRequestError(
                "each document must be a string or an object with a string 'text'",
                param="documents",
            )
        texts.append(item)
    return texts
