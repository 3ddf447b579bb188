"""A pooled connection's socket, read and written with as few system calls as it can be.

Python's own socket timeouts poll before every send and every receive, and each change of
timeout is a system call of its own: a keep-alive connection checked before reuse, given its
read timeout, sent a request and read from made eight system calls per request that way. Here
the timeout is a plain attribute and a send is tried at once (the kernel nearly always takes a
request whole), waiting (poll) only when it could not go. A plain socket is blocking, with the
kernel's receive timeout (SO_RCVTIMEO, set only when the timeout changes): a read is one
system call. A TLS socket is non-blocking (Python's TLS layer would retry a kernel timeout for
ever): a read polls first, unless the TLS layer already holds decrypted bytes. A request on a
reused plain connection makes three system calls: the check before reuse (a poll), the send and
the read (more only for an answer that arrives in pieces).

Timeouts are what Python's would be: TimeoutError("timed out") once `timeout` seconds pass
without the socket being ready (for a send, a deadline for the whole of it), and a stream that
timed out reading refuses later reads. Each stream is also the raw stream under the
connection's buffered reader, so that the check before reuse can look at the reader's buffer
without reading (`buffered`).
"""

from __future__ import annotations

import io
import select
import socket
import ssl
import struct
import time

POLLIN = select.POLLIN
POLLOUT = select.POLLOUT
TIMEVAL = struct.Struct("@ll")  # struct timeval: seconds, microseconds


def kernel_timeval(timeout: float) -> tuple[int, int]:
    """A positive timeout as a timeval (seconds, microseconds below a million; never 0 in all,
    which the kernel reads as no limit)."""
    return divmod(max(1, round(timeout * 1_000_000)), 1_000_000)


def socket_stream(sock: socket.socket) -> SocketStream:
    """The stream for a connected socket, TLS or plain."""
    return TlsStream(sock) if isinstance(sock, ssl.SSLSocket) else PlainStream(sock)


class SocketStream(io.RawIOBase):
    """A socket read and written with a timeout (seconds, None: no limit); see the module."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.timeout: float | None = sock.gettimeout()
        self._incoming = select.poll()
        self._incoming.register(sock, POLLIN)
        self._probing = False
        self._timed_out = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int | None:
        """Read what has arrived into `buffer`, waiting for the first byte (0 at the end)."""
        if self._probing:
            return None  # as a non-blocking stream with nothing to read: the reader reads nothing
        if self._timed_out:
            raise OSError("cannot read from timed out object")
        try:
            return self._receive(buffer)
        except TimeoutError:
            self._timed_out = True
            raise

    def buffered(self, reader: io.BufferedReader[SocketStream]) -> bytes:
        """What `reader` (the buffered reader on this stream) holds, without reading more."""
        self._probing = True
        try:
            return reader.peek(1)
        finally:
            self._probing = False

    def has_news(self) -> bool:
        """Has the server sent anything, or closed (or reset) the connection?"""
        return bool(self._incoming.poll(0))

    def sendall(self, data: bytes) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _receive(self, buffer) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

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


class PlainStream(SocketStream):
    """A plain TCP socket: blocking reads bounded by the kernel's receive timeout, sends that
    never block (MSG_DONTWAIT) and wait with poll when the socket is full."""

    def __init__(self, sock: socket.socket):
        super().__init__(sock)
        sock.setblocking(True)
        self._kernel_timeout: float | None = None  # SO_RCVTIMEO as set: none at first

    def _receive(self, buffer) -> int:
        timeout = self.timeout
        if timeout != self._kernel_timeout:
            self._set_kernel_timeout(timeout)
        try:
            return self.sock.recv_into(buffer)
        except BlockingIOError:  # the receive timeout passed
            raise TimeoutError("timed out") from None

    def _set_kernel_timeout(self, timeout: float | None) -> None:
        if timeout is None:
            seconds, microseconds = 0, 0  # no limit
        elif timeout <= 0:
            raise TimeoutError("timed out")
        else:
            seconds, microseconds = kernel_timeval(timeout)
        self.sock.setsockopt(
            socket.SOL_SOCKET, socket.SO_RCVTIMEO, TIMEVAL.pack(seconds, microseconds)
        )
        self._kernel_timeout = timeout

    def sendall(self, data: bytes) -> None:
        """Send all of `data`, waiting (up to the timeout in all) whenever the socket is full."""
        send = self.sock.send
        deadline: float | None = None
        unsent: bytes | memoryview = data
        while True:
            try:
                sent = send(unsent, socket.MSG_DONTWAIT)
                if sent == len(unsent):
                    return
                unsent = memoryview(unsent)[sent:]
            except BlockingIOError:
                pass
            if deadline is None:
                deadline = self._deadline()
            self._wait(POLLOUT, deadline)


class TlsStream(SocketStream):
    """A TLS socket, non-blocking: each call is tried when it can go, and waits with poll for
    what the TLS layer asks (to read or to write) when it cannot."""

    sock: ssl.SSLSocket

    def __init__(self, sock: socket.socket):
        super().__init__(sock)
        sock.setblocking(False)

    def _receive(self, buffer) -> int:
        sock = self.sock
        deadline = self._deadline()
        events = 0 if sock.pending() else POLLIN  # decrypted bytes held: no wait
        while True:
            if events:
                self._wait(events, deadline)
            try:
                return sock.recv_into(buffer)
            except ssl.SSLWantReadError:
                events = POLLIN
            except ssl.SSLWantWriteError:
                events = POLLOUT

    def sendall(self, data: bytes) -> None:
        """Send all of `data`, waiting (up to the timeout in all) whenever the TLS layer asks."""
        send = self.sock.send
        deadline: float | None = None
        unsent: bytes | memoryview = data
        while True:
            try:
                sent = send(unsent)
                if sent == len(unsent):
                    return
                unsent = memoryview(unsent)[sent:]
                events = POLLOUT
            except ssl.SSLWantWriteError:
                events = POLLOUT
            except ssl.SSLWantReadError:
                events = POLLIN
            if deadline is None:
                deadline = self._deadline()
            self._wait(events, deadline)

    def has_news(self) -> bool:
        """As for any socket, but records that carry no data (session tickets) are no news."""
        if not self._incoming.poll(0):
            return self.sock.pending() > 0
        try:
            self.sock.recv(1)  # a byte nobody asked for, or b"" at the end
        except ssl.SSLWantReadError:
            return False
        return True
