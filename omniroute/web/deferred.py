"""The dashboard put on the Flask app when the first request reaches it, not at start-up.

Its blueprints, hooks and the modules behind them are most of what a process would otherwise
import and compile before it can serve (its ~250 URL rules alone take longer to compile than
the client API takes to answer a hundred requests). The client API (/v1, /health, /metrics)
never needs them, so a worker serves as soon as the client API is ready and builds the
dashboard once, the first time a page or /api path is asked for. Setting it up before Flask
dispatches its first request is what Flask allows; concurrent first requests wait for one
setup."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

DASHBOARD_EXTENSION = "omniroute.dashboard"  # app.extensions: the app's DeferredSetup


class DeferredSetup:
    """A WSGI app (`app`) that runs `setup` once, before its first request is passed on."""

    def __init__(self, app: Callable[..., Any], setup: Callable[[], None]):
        self.app = app
        self._setup: Callable[[], None] | None = setup
        self._lock = threading.Lock()

    @property
    def done(self) -> bool:
        return self._setup is None

    def ensure(self) -> None:
        """Run the setup now (once; later calls return at once)."""
        if self._setup is None:
            return
        with self._lock:
            setup = self._setup
            if setup is not None:
                setup()
                self._setup = None

    def __call__(self, environ, start_response):
        if self._setup is not None:
            self.ensure()
        return self.app(environ, start_response)


def built_dashboard(app: Flask) -> Flask:
    """`app` with its dashboard built now (to read its url_map outside a request)."""
    app.extensions[DASHBOARD_EXTENSION].ensure()
    return app
