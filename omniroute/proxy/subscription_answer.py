"""HeldAnswer: a provider's answer of which the gateway has already read the first bytes.

Deciding before streaming sometimes means reading ahead: Codex may refuse inside a 200 stream,
so its first events are read before the attempt is chosen. The bytes read are kept and read
again first, then the rest comes from the provider's response (`more`), so the pipeline reads
a HeldAnswer exactly as it reads any UpstreamResponse. With `more=False` the held bytes are the
whole body (an answer put together from a stream, or a refusal found inside one), and the
status and headers may differ from the provider's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .transport import READ_SIZE, UpstreamResponse


class HeldAnswer:
    def __init__(
        self,
        inner: UpstreamResponse,
        held: bytes,
        more: bool = True,
        status_code: int | None = None,
        headers: Mapping[str, str] | None = None,
    ):
        self._inner = inner
        self._held = held
        self._more = more
        self.status_code = inner.status_code if status_code is None else status_code
        self.headers: Mapping[str, str] = inner.headers if headers is None else headers

    def read1(self, amount: int = READ_SIZE) -> bytes:
        if self._held:
            return self._take(amount)
        return self._inner.read1(amount) if self._more else b""

    def read1_by(self, deadline: float, amount: int = READ_SIZE) -> bytes:
        if self._held:
            return self._take(amount)
        return self._inner.read1_by(deadline, amount) if self._more else b""

    def read_all(self, limit: int | None = None) -> bytes:
        held, self._held = self._held, b""
        if limit is not None and len(held) >= limit:
            self._held = held[limit:]
            return held[:limit]
        if not self._more:
            return held
        rest = self._inner.read_all(None if limit is None else limit - len(held))
        return held + rest

    def started(self) -> None:
        self._inner.started()

    def on_close(self, callback: Callable[[], object]) -> None:
        self._inner.on_close(callback)

    def close(self) -> None:
        self._inner.close()

    def __enter__(self) -> HeldAnswer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _take(self, amount: int) -> bytes:
        piece, self._held = self._held[:amount], self._held[amount:]
        return piece
