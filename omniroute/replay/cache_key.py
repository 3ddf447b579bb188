"""The response cache's key: a stable hash of what a request asks, whatever format it came in.

The key covers the canonical request's meaning — model, system, messages, tools, tool choice and
the sampling and output parameters — and nothing of its wire form: not the field order, not the
stream choice, not per-request noise (metadata, user ids, request ids, prompt-cache markers).
The same question asked by an OpenAI Chat client and by an Anthropic client has the same key.
Keys are namespaced by the caller's API key id (None: no key), so callers never share answers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from ..formats import canonical as c

# the Request fields that make its meaning (the rest is wire form or noise)
MEANING_FIELDS = (
    "model",
    "system",
    "messages",
    "tools",
    "tool_choice",
    "temperature",
    "top_p",
    "top_k",
    "stop",
    "max_tokens",
    "reasoning",
    "response_format",
    "parallel_tool_calls",
)
NUMBER_FIELDS = ("temperature", "top_p")  # 0 and 0.0 are the same temperature
IGNORED_PART_FIELDS = frozenset({"cache_control"})  # a provider prompt-cache hint, not meaning


def request_key(request: c.Request, api_key_id: int | None) -> str:
    """The sha256 hex key of `request` for the caller with API key `api_key_id`."""
    meaning: dict[str, Any] = {"api_key_id": api_key_id}
    for name in MEANING_FIELDS:
        value = getattr(request, name)
        if name in NUMBER_FIELDS and value is not None:
            value = float(value)
        meaning[name] = _plain(value)
    text = json.dumps(
        meaning, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    """`value` as JSON-ready data: dataclasses as dicts of their compared fields."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.compare and f.name not in IGNORED_PART_FIELDS
        }
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value
