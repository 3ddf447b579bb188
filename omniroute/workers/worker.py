"""One worker process: `python app.py` started by the supervisor with the listening socket.

The supervisor hands each worker the socket as an inherited file descriptor (LISTEN_FD_ENV)
and a pipe (READY_FD_ENV) on which the worker writes one byte once it can serve; the settings
come from the environment, as for any `python app.py`. WORKER_ID_HEADER adds `X-Worker: <pid>`
to every answer, to see how requests spread over the workers.
"""

from __future__ import annotations

import os
import socket
from typing import Any

from flask import Flask

from .draining import serve_until_drained

LISTEN_FD_ENV = "OMNIROUTE_LISTEN_FD"
READY_FD_ENV = "OMNIROUTE_READY_FD"
WORKER_HEADER = "X-Worker"


class WorkerIdHeader:
    """WSGI middleware adding `X-Worker: <pid>` to every answer."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.header = (WORKER_HEADER, str(os.getpid()))

    def __call__(self, environ, start_response):
        def start_with_worker(status, headers, exc_info=None):
            return start_response(status, [*headers, self.header], exc_info)

        return self.wsgi_app(environ, start_with_worker)


def inherited_socket() -> socket.socket | None:
    """The listening socket the supervisor handed down, or None outside a worker."""
    descriptor = os.environ.pop(LISTEN_FD_ENV, None)
    return None if descriptor is None else socket.socket(fileno=int(descriptor))


def serve_worker(app: Flask, server, settings: dict[str, Any]) -> None:
    """Tell the supervisor this worker is ready, then serve until told to stop (draining)."""
    if settings["WORKER_ID_HEADER"]:
        app.wsgi_app = WorkerIdHeader(app.wsgi_app)  # type: ignore[method-assign]
    ready = os.environ.pop(READY_FD_ENV, None)
    if ready is not None:
        os.write(int(ready), b"1")
        os.close(int(ready))
    serve_until_drained(app, server, settings["WORKER_GRACE_SECONDS"])
