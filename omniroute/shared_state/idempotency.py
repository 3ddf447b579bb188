"""Idempotency keys shared through Redis: the interface of replay.idempotency.IdempotencyTable,
so a repeated request id gets the first answer whichever process (or restart) it reaches.

    claim ─► this process's table first (duplicates inside one process wait on its slot)
          └► SET <key> pending NX: won → this process answers; keep() stores the answer
             (size-capped, for the window), drop() deletes the key
             lost → the stored answer is replayed, or, while another process is still
             answering, wait() polls until it stores the answer (or drops the id)

When Redis does not answer, the id is handled by this process alone and the claim says
`skipped` (the gate marks the reply `X-OmniRoute-Idempotent: skipped`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Hashable

from ..replay.idempotency import Claim, IdempotencyTable, KeptReply
from .client import SharedRedis, SharedStateUnavailable

PENDING = b"pending"
PENDING_SECONDS = 600  # a first call that never ends frees its id after this
POLL_SECONDS = 0.05


class SharedIdempotencyTable(IdempotencyTable):
    def __init__(self, shared: SharedRedis, local: IdempotencyTable):
        super().__init__(local.window, local.max_entries, local.max_bytes)
        self.shared = shared

    def claim(self, key: Hashable) -> Claim:
        local = super().claim(key)
        if not local.first:
            return local
        try:
            name = self._key(key)
            if self.shared.client.set(name, PENDING, nx=True, ex=PENDING_SECONDS):
                return local
            stored = self.shared.client.get(name)
        except SharedStateUnavailable as error:
            self.shared.failed(error, "idempotency")
            return Claim(key, local.slot, first=True, skipped=True)
        if stored is None or stored == PENDING:
            return Claim(key, local.slot, first=False, remote=True)
        reply = _loaded(stored)
        IdempotencyTable.keep(self, local, reply)  # later duplicates here replay it from memory
        with self._lock:
            self.misses -= 1
            self.hits += 1
        return Claim(key, local.slot, first=False, kept=reply)

    def wait(self, claim: Claim, timeout: float) -> KeptReply | None:
        if not claim.remote:
            return super().wait(claim, timeout)
        own = Claim(claim.key, claim.slot, first=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                stored = self.shared.client.get(self._key(claim.key))
            except SharedStateUnavailable as error:
                self.shared.failed(error, "idempotency")
                stored = None
            if stored is None:
                break  # the first call failed (or Redis went away): answer anew
            if stored != PENDING:
                IdempotencyTable.keep(self, own, _loaded(stored))
                with self._lock:
                    self.hits += 1
                return claim.slot.kept
            time.sleep(POLL_SECONDS)
        IdempotencyTable.drop(self, own)
        return None

    def keep(self, claim: Claim, reply: KeptReply) -> None:
        super().keep(claim, reply)
        if claim.skipped:
            return
        try:
            name = self._key(claim.key)
            if len(reply.body) > self.max_bytes:
                self.shared.client.delete(name)
            else:
                self.shared.client.set(name, _dumped(reply), ex=max(1, int(self.window)))
        except SharedStateUnavailable as error:
            self.shared.failed(error, "idempotency")

    def drop(self, claim: Claim) -> None:
        super().drop(claim)
        if claim.skipped:
            return
        try:
            self.shared.client.delete(self._key(claim.key))
        except SharedStateUnavailable as error:
            self.shared.failed(error, "idempotency")

    def _key(self, key: Hashable) -> str:
        digest = hashlib.sha256(json.dumps(key, default=str).encode()).hexdigest()
        return self.shared.key("idempotency", digest)


def _dumped(reply: KeptReply) -> bytes:
    fields = {**reply.__dict__, "body": base64.b64encode(reply.body).decode("ascii")}
    return json.dumps(fields).encode()


def _loaded(stored: bytes | str) -> KeptReply:
    fields = json.loads(stored)
    fields["body"] = base64.b64decode(fields["body"])
    return KeptReply(**fields)
