"""A pooled connection's socket: non-blocking, waiting (poll) only where a call would block.

Python's own socket timeouts poll before every send and every receive, and each change of
timeout is a system call of its own; a keep-alive connection that is checked before reuse,
given its read timeout, sent a request and read from would make eight system calls per request
that way. Here the socket is non-blocking from the start and the timeout is a plain attribute:
a send is tried at once (the kernel nearly always takes a request whole) and waits only when it
could not go; a read of a plain socket waits for the answer first (it has rarely arrived yet),
a read of a TLS socket tries first (the TLS layer may hold decrypted bytes). Timeouts are what
Python's would be: TimeoutError("timed out") once `timeout` seconds pass with the socket not
ready (a deadline for the whole call), and a stream that timed out reading refuses later reads.

`SocketStream` is also the raw stream under the connection's buffered reader, so that the check
before reuse can look at the reader's buffer without reading (`buffered`).
"""

from __future__ import annotations

import io
import select
import socket
import ssl
import time

POLLIN = select.POLLIN
POLLOUT = select.POLLOUT


class SocketStream(io.RawIOBase):
    """A socket made non-blocking, read and written with a timeout (seconds, None: no limit)."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.timeout: float | None = sock.gettimeout()
        sock.setblocking(False)
        self._tls = isinstance(sock, ssl.SSLSocket)
        self._incoming = select.poll()
        self._incoming.register(sock, POLLIN)
        self._probing = False
        self._timed_out = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int | None:
        """Read what has arrived into `buffer`, waiting for the first byte (b"" at the end)."""
        if self._probing:
            return None  # as a non-blocking stream with nothing to read: the reader reads nothing
        if self._timed_out:
            raise OSError("cannot read from timed out object")
        recv_into = self.sock.recv_into
        deadline = self._deadline()
        events = 0 if self._tls else POLLIN
        while True:
            if events:
                try:
                    self._wait(events, deadline)
                except TimeoutError:
                    self._timed_out = True
                    raise
            try:
                return recv_into(buffer)
            except (BlockingIOError, ssl.SSLWantReadError):
                events = POLLIN
            except ssl.SSLWantWriteError:
                events = POLLOUT

    def sendall(self, data: bytes) -> None:
        """Send all of `data`, waiting (up to the timeout in all) whenever the socket is full."""
        send = self.sock.send
        deadline: float | None = None
        view = memoryview(data)
        while True:
            try:
                view = view[send(view) :]
                if not view:
                    return
                events = POLLOUT
            except (BlockingIOError, ssl.SSLWantWriteError):
                events = POLLOUT
            except ssl.SSLWantReadError:
                events = POLLIN
            if deadline is None:
                deadline = self._deadline()
            self._wait(events, deadline)

    def buffered(self, reader: io.BufferedReader[SocketStream]) -> bytes:
        """What `reader` (the buffered reader on this stream) holds, without reading more."""
        self._probing = True
        try:
            return reader.peek(1)
        finally:
            self._probing = False

    def has_news(self) -> bool:
        """Has the server sent anything, or closed (or reset) the connection? A TLS socket
        that got only records that carry no data (session tickets) has no news."""
        if not self._incoming.poll(0):
            return self._tls and self.sock.pending() > 0  # type: ignore[attr-defined]
        if not self._tls:
            return True  # bytes or the connection's end: either way, news
        try:
            self.sock.recv(1)  # a byte nobody asked for, or b"" at the end
        except ssl.SSLWantReadError:
            return False
        return True

    def _deadline(self) -> float | None:
        return None if self.timeout is None else time.monotonic() + self.timeout

    def _wait(self, events: int, deadline: float | None) -> None:
        """Until the socket is ready for `events` (or failed), TimeoutError at `deadline`."""
        if events == POLLIN:
            poller = self._incoming
        else:
            poller = select.poll()
            poller.register(self.sock, events)
        if deadline is None:
            poller.poll()
            return
        left = deadline - time.monotonic()
        if left <= 0 or not poller.poll(left * 1000):
            raise TimeoutError("timed out")
