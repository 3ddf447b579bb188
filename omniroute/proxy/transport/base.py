"""The transport interface: send one request, get the answer with its body unread.

`Transport` is what the pipeline, the connection tests and the media, embeddings, images and
audio calls hold; `UpstreamResponse` is what they read. `StreamingResponse` carries what every
implementation's response does alike: the read deadlines (a stream before its first event may
wait no later than a deadline, then each read the idle timeout) and the close callbacks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Generic, Protocol, Self, TypeVar

READ_SIZE = 65536
Timeout = tuple[float, float]  # (connect, read) seconds


class UpstreamResponse(Protocol):
    """A provider's answer: status and headers read, the body read in pieces or whole.
    Reads raise OSError on a network failure (TimeoutError when it is a timeout)."""

    status_code: int
    headers: Mapping[str, str]

    def read1(self, amount: int = READ_SIZE) -> bytes:
        """Whatever has arrived (up to `amount` bytes), waiting only for the first byte;
        b"" at the body's end."""
        ...

    def read1_by(self, deadline: float, amount: int = READ_SIZE) -> bytes:
        """`read1`, giving up (TimeoutError) at `deadline` (time.monotonic())."""
        ...

    def read_all(self, limit: int | None = None) -> bytes:
        """The rest of the body, or its first `limit` bytes."""
        ...

    def started(self) -> None:
        """The answer's first event arrived: from now on a read may wait the idle timeout."""
        ...

    def on_close(self, callback: Callable[[], object]) -> None:
        """Call `callback` once when the response is closed."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> UpstreamResponse: ...

    def __exit__(self, *exc: object) -> None: ...


class Transport(Protocol):
    """Sends one request to a provider and returns its answer with the body unread. Network
    failures are raised as the gateway's UpstreamError naming `provider` (errors.network_error);
    an HTTP error status is an answer like any other."""

    timeout: Timeout

    def post(
        self,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        *,
        provider: str,
        timeout: Timeout | None = None,
    ) -> UpstreamResponse: ...

    def get(
        self,
        url: str,
        headers: Mapping[str, str],
        *,
        provider: str,
        timeout: Timeout | None = None,
    ) -> UpstreamResponse: ...

    def close(self) -> None:
        """Release every connection (graceful shutdown)."""
        ...


ResponseT = TypeVar("ResponseT", bound="StreamingResponse")


class SendingTransport(Generic[ResponseT]):
    """post and get for a transport that sends every method through its one `_send`."""

    def post(
        self,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        *,
        provider: str,
        timeout: Timeout | None = None,
    ) -> ResponseT:
        """POST and return the response with its body unread."""
        return self._send("POST", url, body, headers, provider, timeout)

    def get(
        self,
        url: str,
        headers: Mapping[str, str],
        *,
        provider: str,
        timeout: Timeout | None = None,
    ) -> ResponseT:
        """GET and return the response with its body unread."""
        return self._send("GET", url, None, headers, provider, timeout)

    def _send(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: Mapping[str, str],
        provider: str,
        timeout: Timeout | None,
    ) -> ResponseT:  # pragma: no cover - abstract
        raise NotImplementedError


class StreamingResponse:
    """Read deadlines and close callbacks, shared by the transports' responses. A subclass sets
    `status_code`, `headers`, `_idle_timeout` and `_on_close` (a list) and defines read1,
    read_all, close and `_set_socket_timeout`."""

    status_code: int
    headers: Mapping[str, str]
    _idle_timeout: float | None
    _on_close: list[Callable[[], object]]

    def read1(self, amount: int = READ_SIZE) -> bytes:  # pragma: no cover - abstract
        raise NotImplementedError

    def read_all(self, limit: int | None = None) -> bytes:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _set_socket_timeout(self, seconds: float) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def started(self) -> None:
        """The answer's first event arrived: from now on a read may wait the idle timeout."""
        if self._idle_timeout is not None:
            self._set_socket_timeout(self._idle_timeout)

    def read1_by(self, deadline: float, amount: int = READ_SIZE) -> bytes:
        """`read1`, giving up (TimeoutError) at `deadline` (time.monotonic()) however often
        bytes trickle in (e.g. keep-alive comments that never become an event)."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out waiting for the first event")
        self._set_socket_timeout(left)
        return self.read1(amount)

    def on_close(self, callback: Callable[[], object]) -> None:
        """Call `callback` once when the response is closed (e.g. release a rate-limit slot)."""
        self._on_close.append(callback)

    def _run_close_callbacks(self) -> None:
        callbacks, self._on_close = self._on_close, []
        for callback in callbacks:
            callback()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
