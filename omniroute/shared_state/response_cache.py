"""The response cache shared through Redis: the interface of replay.response_cache.ResponseCache,
so a deterministic request answered by one process is a HIT in every other.

Each answer is one key (`omniroute:cache:<key>`) expiring after the TTL; an answer bigger than
the byte budget is not kept (the bound on entries is the TTL and Redis's own memory policy).
The canonical response is stored as JSON naming only formats.canonical's dataclasses, so
reading it back builds nothing else. When Redis does not answer, the cache is skipped: no hit,
nothing kept, and the reply says `X-OmniRoute-Cache: skipped`.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ..formats import canonical
from ..replay.response_cache import CachedAnswer, ResponseCache
from .client import SharedRedis, SharedStateUnavailable

CLASS, TUPLE = "__canonical__", "__tuple__"


class SharedResponseCache(ResponseCache):
    def __init__(self, shared: SharedRedis, local: ResponseCache):
        super().__init__(local.max_entries, local.max_bytes, local.ttl, local._clock)
        self.shared = shared

    @property
    def skipped(self) -> bool:
        return bool(self.shared.last_error)

    def get(self, key: str) -> CachedAnswer | None:
        try:
            stored = self.shared.client.get(self.shared.key("cache", key))
        except SharedStateUnavailable as error:
            self.shared.failed(error, "response cache")
            return None
        self.shared.succeeded()
        with self._lock:
            if stored is None:
                self.misses += 1
                return None
            self.hits += 1
        fields = json.loads(stored)
        return CachedAnswer(**{**fields, "response": decoded(fields["response"])})

    def put(self, key: str, answer: CachedAnswer) -> bool:
        if answer.size > self.max_bytes or self.max_entries <= 0 or self.ttl <= 0:
            return False
        value = json.dumps({**answer.__dict__, "response": encoded(answer.response)})
        try:
            self.shared.client.set(self.shared.key("cache", key), value, ex=max(1, int(self.ttl)))
        except SharedStateUnavailable as error:
            self.shared.failed(error, "response cache")
            return False
        return True

    def clear(self) -> None:
        super().clear()
        try:
            keys = list(self.shared.client.scan_iter(self.shared.key("cache", "*")))
            if keys:
                self.shared.client.delete(*keys)
        except SharedStateUnavailable as error:
            self.shared.failed(error, "response cache")


def encoded(value: Any) -> Any:
    """A canonical value as JSON-ready data (dataclasses and tuples named)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: encoded(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {CLASS: type(value).__name__, **fields}
    if isinstance(value, tuple):
        return {TUPLE: [encoded(item) for item in value]}
    if isinstance(value, list):
        return [encoded(item) for item in value]
    if isinstance(value, dict):
        return {name: encoded(item) for name, item in value.items()}
    return value


def decoded(value: Any) -> Any:
    """`encoded` undone; only formats.canonical's dataclasses are built."""
    if isinstance(value, list):
        return [decoded(item) for item in value]
    if not isinstance(value, dict):
        return value
    if TUPLE in value:
        return tuple(decoded(item) for item in value[TUPLE])
    if CLASS in value:
        kind = getattr(canonical, value[CLASS], None)
        if not (isinstance(kind, type) and dataclasses.is_dataclass(kind)):
            raise ValueError(f"not a canonical type: {value[CLASS]!r}")
        return kind(**{name: decoded(item) for name, item in value.items() if name != CLASS})
    return {name: decoded(item) for name, item in value.items()}
