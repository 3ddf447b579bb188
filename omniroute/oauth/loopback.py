"""A one-shot HTTP listener for a loopback redirect (`http://localhost:PORT/path`).

Started for one sign-in when the browser runs on the gateway's machine: the provider sends the
browser to the listener, which reads the answer (code and state, or the provider's error),
hands it on, shows a small "you can close this tab" page and closes. It also closes when the
sign-in expires. The port comes from the declaration's (overridable) `loopback_redirect`; a
`{port}` there means any free port. A busy port is a LoopbackPortBusy error pointing at the
paste or device flow. The redirect's query (it holds the code) is never logged.
"""

from __future__ import annotations

import errno
import html
import logging
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlsplit

from .paste import parse_pasted

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = {"localhost", "127.0.0.1"}
BIND_HOST = "127.0.0.1"
POLL_SECONDS = 0.2  # how often the serving loop notices close() or the deadline
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family: sans-serif; margin: 3rem"><h1>{title}</h1><p>{message}</p></body></html>
"""

CodeHandler = Callable[[str, "str | None"], object]  # raises ValueError to refuse


class LoopbackPortBusy(ValueError):
    """The redirect's port is taken by another program."""


class LoopbackListener:
    """Listens for one redirect to `redirect_template` (see the module docstring)."""

    def __init__(
        self,
        redirect_template: str,
        on_code: CodeHandler,
        *,
        on_error: Callable[[str], None] | None = None,
        timeout: float = 600.0,
    ):
        parts = urlsplit(redirect_template.replace("{port}", "0"))
        if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
            raise ValueError(f"not a loopback redirect: {redirect_template}")
        self._template = redirect_template
        self._port = 80 if parts.port is None else parts.port  # 0 (from `{port}`): any free one
        self.path = parts.path or "/"
        self._on_code = on_code
        self._on_error = on_error
        self._deadline = time.monotonic() + timeout
        self._done = threading.Event()
        self._server: HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def redirect_uri(self) -> str:
        """The redirect with its port filled (after start())."""
        return self._template.replace("{port}", str(self.port))

    @property
    def port(self) -> int:
        return self._server.server_address[1] if self._server else self._port

    @property
    def closed(self) -> bool:
        return self._done.is_set()

    def start(self) -> LoopbackListener:
        handler = type("LoopbackHandler", (_RedirectHandler,), {"listener": self})
        try:
            self._server = HTTPServer((BIND_HOST, self._port), handler)
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                raise LoopbackPortBusy(
                    f"port {self._port} on this machine is in use by another program, so the "
                    "browser cannot come back to the gateway: sign in with the paste or device "
                    "flow instead"
                ) from None
            raise
        self._server.timeout = POLL_SECONDS
        self._thread = threading.Thread(target=self._serve, name="oauth-loopback", daemon=True)
        self._thread.start()
        return self

    def close(self, wait: bool = True) -> None:
        """Stop listening (at once when called from the serving thread)."""
        self._done.set()
        if wait and self._thread and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _serve(self) -> None:
        assert self._server is not None
        with self._server:
            while not self._done.is_set() and time.monotonic() < self._deadline:
                self._server.handle_request()
        self._done.set()

    def handle_redirect(self, query: str) -> tuple[int, str, str]:
        """Hand the redirect's answer on; the page's (status, title, message)."""
        try:
            code, state = parse_pasted("?" + query)
            self._on_code(code, state)
        except ValueError as error:
            self._report(str(error))
            return 400, "Sign-in failed", f"{error}. Return to OmniRoute and try again."
        except Exception:
            log.exception("the loopback sign-in could not be completed")
            self._report("the sign-in could not be completed")
            return 500, "Sign-in failed", "The sign-in could not be completed. See the log."
        finally:
            self.close(wait=False)
        return 200, "Signed in", "You are signed in. You can close this tab."

    def _report(self, reason: str) -> None:
        if self._on_error is not None:
            self._on_error(reason)


class _RedirectHandler(BaseHTTPRequestHandler):
    listener: LoopbackListener

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != self.listener.path or self.listener.closed:
            self._send(404, "Not found", "This address only answers one sign-in redirect.")
            return
        self._send(*self.listener.handle_redirect(parts.query))

    def _send(self, status: int, title: str, message: str) -> None:
        body = PAGE.format(title=html.escape(title), message=html.escape(message)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """The request line holds the authorization code: never log it."""
