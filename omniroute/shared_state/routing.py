"""Round-robin cursors and session affinity shared through Redis, behind the interfaces of
routing.state.RoutingState and routing.affinity.AffinityTable.

Cursors: `next_rotation` is one INCR; `sticky_choice` (accounts in turn, `limit` calls each)
is one Lua script, so N processes rotate through the accounts as one would. Affinity pins are
one key per conversation (SET … EX the TTL). When Redis does not answer, the in-process
cursors and pins are used (the Health page shows the warning).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Hashable, Sequence
from typing import Any

from ..routing.affinity import AffinityTable
from ..routing.state import RoutingState
from .client import SharedRedis, SharedStateUnavailable
from .scripts import STICKY_CHOICE

CURSOR_SECONDS = 86400  # an unused cursor is forgotten after a day


def _name(shared: SharedRedis, kind: str, key: Hashable) -> str:
    return shared.key(kind, hashlib.sha256(json.dumps(key, default=str).encode()).hexdigest())


def _as_key(value: Any) -> Hashable:
    """A JSON-decoded key as the planner made it (lists back to tuples)."""
    return tuple(_as_key(item) for item in value) if isinstance(value, list) else value


class SharedRoutingState(RoutingState):
    def __init__(self, shared: SharedRedis, **kwargs):
        super().__init__(**kwargs)
        self.shared = shared
        self._sticky_script = shared.client.register_script(STICKY_CHOICE)

    def next_rotation(self, key: Hashable) -> int:
        try:
            name = _name(self.shared, "rotation", key)
            with self.shared.client.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, CURSOR_SECONDS)
                position, _ = pipe.execute()
        except SharedStateUnavailable as error:
            self.shared.failed(error, "round-robin")
            return super().next_rotation(key)
        return int(position) - 1

    def sticky_choice(
        self,
        key: Hashable,
        candidates: Sequence[Hashable],
        limit: int,
        ring: Sequence[Hashable] | None = None,
    ) -> int:
        ring = candidates if ring is None else ring
        encoded = [json.dumps(item) for item in (*candidates, *ring)]
        try:
            index = self.shared.run(
                self._sticky_script,
                keys=[_name(self.shared, "sticky", key)],
                args=[limit, len(candidates), *encoded],
            )
        except SharedStateUnavailable as error:
            self.shared.failed(error, "round-robin")
            return super().sticky_choice(key, candidates, limit, ring)
        return int(index)


class SharedAffinityTable(AffinityTable):
    def __init__(self, shared: SharedRedis, local: AffinityTable):
        super().__init__(local.max_entries, local.ttl_seconds, local._clock)
        self.shared = shared

    def pinned(self, conversation: Hashable) -> Hashable | None:
        try:
            stored = self.shared.client.get(_name(self.shared, "affinity", conversation))
        except SharedStateUnavailable as error:
            self.shared.failed(error, "affinity")
            return super().pinned(conversation)
        return None if stored is None else _as_key(json.loads(stored))

    def answered(self, conversation: Hashable, key: Hashable) -> None:
        super().answered(conversation, key)  # this process's copy: used while Redis is away
        try:
            self.shared.client.set(
                _name(self.shared, "affinity", conversation),
                json.dumps(key),
                ex=max(1, int(self.ttl_seconds)),
            )
        except SharedStateUnavailable as error:
            self.shared.failed(error, "affinity")
