"""A small real HTTP server on 127.0.0.1 in a background thread, for fakes written with
http.server handlers (the media and audio fakes). Subclasses name their handler class; the
handler reaches the fake through its `fake` attribute. `start(tls)` serves HTTPS instead."""

from __future__ import annotations

import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ThreadedFakeServer:
    handler_class: type[BaseHTTPRequestHandler]
    _server: ThreadingHTTPServer | None = None
    _scheme: str = "http"

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self._scheme}://{host}:{port}"

    def start(self, tls: ssl.SSLContext | None = None):
        """Serve (HTTPS with the server context `tls`, when given) until `stop`."""
        handler = type("BoundHandler", (self.handler_class,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
            self._scheme = "https"
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
