"""Configuration changes made by one process reach every process on the same database within
a second.

Each process keeps the configuration in memory (routing tables, API key hashes, settings, proxy
and access rules). A dashboard or /api request that changes something (any successful POST,
PUT, PATCH or DELETE outside the client API) bumps the configuration's version when it ends
(`store/config_version.py`: a PostgreSQL sequence, or a file in DATA_DIR); every process reads
the version once a second (one tiny query or one stat) and, when it moved, reloads what it
keeps in memory (`Services.reload()`). It runs
when other processes may write the same database: PostgreSQL (several machines), or
WEB_CONCURRENCY above 1.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Flask, Response, request

from .clientapi.paths import is_client_api_path
from .store.config_version import ConfigVersion

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0
CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ConfigWatch:
    def __init__(
        self, version: ConfigVersion, reload: Callable[[], None], poll_seconds: float = POLL_SECONDS
    ):
        self._version = version
        self._reload = reload
        self._poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._seen = 0

    def start(self) -> None:
        self._seen = self._version.read()
        self._thread = threading.Thread(target=self._run, name="config-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def changed(self) -> None:
        """This process changed the configuration: tell the others (a failure is logged; the
        change itself is made and answered)."""
        try:
            self._version.bump()
        except Exception:
            log.exception("could not tell the other processes of a configuration change")

    def _run(self) -> None:
        while not self._stop.wait(self._poll_seconds):
            try:
                version = self._version.read()
                if version != self._seen:
                    self._seen = version
                    self._reload()
            except Exception:  # a database hiccup: the next poll tries again
                log.exception("could not check the configuration's version")


def register_config_bumps(app: Flask) -> None:
    """Bump the version after each successful changing request (when a watch runs)."""
    watch = app.extensions["omniroute"].config_watch
    if watch is None:
        return

    @app.after_request
    def bump_after_change(response: Response) -> Response:
        if (
            request.method in CHANGING_METHODS
            and response.status_code < 400
            and not is_client_api_path(request.path)
        ):
            watch.changed()
        return response
