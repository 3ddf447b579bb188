"""The rerank APIs: Cohere (v2), Jina and Voyage, and the Jina shape other hosts copy.

The gateway's /v1/rerank takes {model, query, documents, top_n, return_documents} and answers
{model, results: [{index, relevance_score, document?}], usage}. Each API differs a little:
- Cohere: POST {root}/v2/rerank {model, query, documents, top_n} → {id, results, meta:
  {billed_units: {search_units}}}; the catalog's Cohere base is its chat compatibility path
  (`…/compatibility/v1`), so the rerank URL is built from the host.
- Jina: POST {base}/rerank {model, query, documents, top_n, return_documents} → {model, usage:
  {total_tokens}, results: [{index, relevance_score, document: {text}}]}. An OpenAI-compatible
  server with a rerank endpoint (vLLM, llama.cpp, Infinity) speaks this shape too.
- Voyage: POST {base}/rerank {model, query, documents, top_k, return_documents} → {object:
  "list", data: [{index, relevance_score, document}], model, usage: {total_tokens}}.
Usage is what the API bills: Cohere's search units, the others' tokens. Pure, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

COHERE, VOYAGE = "cohere", "voyage"
COHERE_SUFFIXES = ("/compatibility/v1", "/v1", "/v2")


@dataclass(frozen=True)
class Rerank:
    """A client's rerank request, checked."""

    query: str
    documents: list[str]
    top_n: int | None
    return_documents: bool


def rerank_url(provider: str, base_url: str) -> str:
    """Where `provider` (reached at `base_url`) answers a rerank."""
    if provider == COHERE:
        root = base_url.rstrip("/")
        for suffix in COHERE_SUFFIXES:
            if root.endswith(suffix):
                root = root[: -len(suffix)]
                break
        return root + "/v2/rerank"
    return base_url.rstrip("/") + "/rerank"


def request_body(provider: str, model: str, rerank: Rerank) -> dict:
    body: dict[str, Any] = {"model": model, "query": rerank.query, "documents": rerank.documents}
    if provider == VOYAGE:
        if rerank.top_n is not None:
            body["top_k"] = rerank.top_n
        body["return_documents"] = rerank.return_documents
        return body
    if rerank.top_n is not None:
        body["top_n"] = rerank.top_n
    if provider != COHERE:  # Cohere v2 never returns the documents
        body["return_documents"] = rerank.return_documents
    return body


def client_answer(provider: str, model: str, rerank: Rerank, payload: dict) -> tuple[dict, int]:
    """The API's answer in the gateway's shape, and the units it billed (search units for
    Cohere, tokens for the others). A malformed answer raises ValueError."""
    items = payload.get("data" if provider == VOYAGE else "results")
    if not isinstance(items, list):
        raise ValueError("a rerank answer has a list of results")
    results = []
    for item in items:
        index, score = item["index"], item["relevance_score"]
        if not isinstance(index, int) or not 0 <= index < len(rerank.documents):
            raise ValueError("a rerank result names a document that was not sent")
        result: dict[str, Any] = {"index": index, "relevance_score": float(score)}
        if rerank.return_documents:
            result["document"] = {"text": rerank.documents[index]}
        results.append(result)
    if provider == COHERE:
        units = (payload.get("meta") or {}).get("billed_units") or {}
        billed = int(units.get("search_units") or 0)
        usage = {"search_units": billed}
    else:
        billed = int((payload.get("usage") or {}).get("total_tokens") or 0)
        usage = {"total_tokens": billed}
    return {"object": "list", "model": model, "results": results, "usage": usage}, billed
