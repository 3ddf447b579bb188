"""A provider's own list of models, read from its answer to GET <base URL><models_path>.

The shapes read (each from the provider's API reference):
- OpenAI and every OpenAI-compatible API: `{"data": [{"id": "gpt-4o", …}]}` (Azure OpenAI's
  Models - List too, its entries adding `capabilities`, `lifecycle_status`…);
- Anthropic: `{"data": [{"id": "claude-…", "display_name": "Claude …"}], "has_more": …}`;
- Gemini: `{"models": [{"name": "models/gemini-2.5-pro", "displayName": "Gemini 2.5 Pro"}]}`
  (the `models/` resource prefix is not part of the id the gateway routes with);
- Ollama's native `/api/tags`: `{"models": [{"name": "llama3:latest", "model": …}]}`;
- Amazon Bedrock's ListFoundationModels: `{"modelSummaries": [{"modelId": …, "modelName"}]}`;
- Cloudflare's model search: `{"result": [{"id": "<uuid>", "name": "@cf/meta/…"}]}` (the
  `name` is the model id);
- Vertex AI's publisher models: `{"publisherModels": [{"name": "publishers/google/models/
  gemini-2.5-pro"}]}`, routed as `google/gemini-2.5-pro` (the publisher/model form Vertex's
  OpenAI-compatible endpoint takes);
- watsonx.ai's foundation model specs: `{"resources": [{"model_id": "ibm/granite-…", "label"}]}`.
A bare JSON list of such objects is read too. Ids the gateway could not route (empty, longer
than a model id may be, containing spaces) are left out. Pure: no I/O.

`list_query` is the query string that asks for the whole list in one page (Anthropic lists
20 models and Gemini 50 unless asked for more).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_MODEL_ID = 200  # the provider_models column's width
MAX_LISTED = 5000  # more than any provider lists; a longer list is cut here
GEMINI_RESOURCE = "models/"
FULL_PAGE = {"anthropic": "limit=1000", "gemini": "pageSize=1000"}
ID_KEYS = ("id", "modelId", "name")  # the first that is a string names the model
# each list's key → the keys naming its models' ids (the first that is a string)
LIST_ID_KEYS = {
    "data": ID_KEYS,
    "models": ID_KEYS,
    "modelSummaries": ("modelId",),
    "result": ("name",),  # Cloudflare: `id` is the catalog entry's uuid
    "publisherModels": ("name",),
    "resources": ("model_id",),  # watsonx.ai's foundation model specs
}
LIST_KEYS = tuple(LIST_ID_KEYS)
PUBLISHER_RESOURCE = re.compile(r"publishers/(?P<publisher>[^/]+)/models/(?P<model>[^/]+)")
NAME_KEYS = ("display_name", "displayName", "modelName", "name", "label")


class ModelListError(ValueError):
    """The answer is not a model list the gateway can read."""


@dataclass(frozen=True)
class ListedId:
    """One model of a provider's list: the id it routes with and the name it shows."""

    id: str
    name: str = ""


def list_query(wire_format: str) -> str:
    """The query string asking for the whole list in one page ("" when there is no such)."""
    return FULL_PAGE.get(wire_format, "")


def parse_model_list(raw: bytes) -> list[ListedId]:
    """The models a list answer names, in its order, each id once (ModelListError when the
    body is not a model list)."""
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ModelListError("the answer is not JSON") from None
    entries, id_keys = _entries(payload)
    listed: dict[str, ListedId] = {}
    for entry in entries:
        item = _listed(entry, id_keys)
        if item is not None and item.id not in listed:
            listed[item.id] = item
        if len(listed) >= MAX_LISTED:
            break
    return list(listed.values())


def _entries(payload: Any) -> tuple[list[Any], tuple[str, ...]]:
    """The answer's list of models and the keys naming their ids."""
    if isinstance(payload, list):
        return payload, ID_KEYS
    if isinstance(payload, dict):
        for key, id_keys in LIST_ID_KEYS.items():
            if isinstance(payload.get(key), list):
                return payload[key], id_keys
    raise ModelListError(f"no {' or '.join(LIST_KEYS)} list in the answer")


def _listed(entry: Any, id_keys: tuple[str, ...]) -> ListedId | None:
    if isinstance(entry, str):
        return _checked(entry, "")
    if not isinstance(entry, dict):
        return None
    id_key = next((key for key in id_keys if isinstance(entry.get(key), str)), None)
    if id_key is None:
        return None
    name = next(
        (
            value
            for key in NAME_KEYS
            if key != id_key and isinstance(value := entry.get(key), str) and value
        ),
        "",
    )
    return _checked(_routed_id(entry[id_key]), name)


def _routed_id(model_id: str) -> str:
    """The id the gateway routes with, for a resource name (`models/…`, `publishers/…`)."""
    publisher = PUBLISHER_RESOURCE.fullmatch(model_id)
    if publisher is not None:
        return f"{publisher['publisher']}/{publisher['model']}"
    if model_id.startswith(GEMINI_RESOURCE):
        return model_id[len(GEMINI_RESOURCE) :]
    return model_id


def _checked(model_id: Any, name: str) -> ListedId | None:
    if not isinstance(model_id, str):
        return None
    model_id = model_id.strip()
    if not model_id or len(model_id) > MAX_MODEL_ID or any(ch.isspace() for ch in model_id):
        return None
    if name.startswith(GEMINI_RESOURCE) or name == model_id:
        name = ""
    return ListedId(model_id, name.strip()[:MAX_MODEL_ID])
