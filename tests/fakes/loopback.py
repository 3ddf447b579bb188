"""A raw-socket server on 127.0.0.1 for the transport tests: it accepts in a thread of its own
and serves each connection in another, closing every socket it saw when it stops.

A kind of server defines `serve(sock)` (called after the TLS handshake when it has a context),
or replaces `_accepted(sock)` to take over a connection as soon as it is accepted.
"""

from __future__ import annotations

import socket
import ssl
import threading


class LoopbackServer:
    step_timeout = 10.0  # the longest a connection waits for bytes before it is given up

    def __init__(self, tls: ssl.SSLContext | None = None):
        self._tls = tls
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._spawn(self._accept_loop)

    def serve(self, client: socket.socket) -> None:  # pragma: no cover - defined by each kind
        raise NotImplementedError

    def stop(self) -> None:
        self._stop.set()
        self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            shut(sock)
        for thread in list(self._threads):
            thread.join(2)

    def _keep(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.settimeout(self.step_timeout)
            self._accepted(sock)

    def _accepted(self, sock: socket.socket) -> None:
        self._keep(sock)
        self._spawn(self._handle, sock)

    def _handle(self, sock: socket.socket) -> None:
        try:
            if self._tls is not None:
                sock = self._tls.wrap_socket(sock, server_side=True)
                self._keep(sock)
            self.serve(sock)
        except OSError:
            pass
        finally:
            shut(sock)


def shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
