"""SyncPuller: an instance set with CLOUD_URL takes its configuration from another one.

Every SYNC_INTERVAL_SECONDS (and at start, and on "sync now") it GETs CLOUD_URL's
/api/sync/bundle on the fan-out pool with `Authorization: Bearer <SYNC_TOKEN>`, the last ETag
in If-None-Match, and short timeouts (connect 3 s, read 10 s); any failure ends the pull at once
and is recorded for the dashboard, and request serving never waits for a pull. A bundle whose
version is newer than the one last applied is applied (last version wins) after the replaced
configuration is saved as DATA_DIR/backups/config-before-sync-<time>.json. One pull at a time.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlparse

from ..clock import utcnow
from ..store.secret_files import write_private_file
from .bundle_errors import BundleError
from .config_bundle import ConfigHost, apply_config_bundle, config_bundle
from .state import SyncState, load_sync_state, update_sync_state

if TYPE_CHECKING:  # imported by the calls that need it: a worker may never make one
    import requests

logger = logging.getLogger(__name__)

BUNDLE_PATH = "/api/sync/bundle"
CONNECT_TIMEOUT, READ_TIMEOUT = 3.0, 10.0
BACKUPS_DIR = "backups"


class SyncHost(ConfigHost, Protocol):
    """What the puller needs of the running gateway (services.Services)."""

    settings: dict[str, Any]
    fanout: Any


@dataclass(frozen=True)
class PullOutcome:
    outcome: str  # applied | unchanged | not_newer | error | off
    version: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome not in ("error", "off")

    def as_api(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "version": self.version, "error": self.error}


class PullFailed(Exception):
    """A pull that went wrong; the message is what the dashboard shows (never the token)."""


def _now() -> str:
    return utcnow().isoformat(timespec="seconds") + "Z"


def shown_url(url: str) -> str:
    """CLOUD_URL without any user name or password in it."""
    parsed = urlparse(url)
    if "@" not in parsed.netloc:
        return url
    return parsed._replace(netloc=parsed.netloc.rsplit("@", 1)[1]).geturl()


class SyncPuller:
    def __init__(self, host: SyncHost):
        self._host = host
        self._pulling = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def cloud_url(self) -> str:
        return self._host.settings["CLOUD_URL"] or ""

    @property
    def enabled(self) -> bool:
        return bool(self.cloud_url)

    def start(self) -> None:
        """Pull now and then every SYNC_INTERVAL_SECONDS, on one timer thread (when enabled)."""
        if self.enabled and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sync-timer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(READ_TIMEOUT + CONNECT_TIMEOUT + 1)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.pull_now()
            except Exception:  # a background pull must never end the timer
                logger.exception("sync: the pull from CLOUD_URL failed unexpectedly")
            self._stop.wait(self._host.settings["SYNC_INTERVAL_SECONDS"])

    def status(self) -> dict[str, Any]:
        with self._host.database.connection_context():
            state = load_sync_state()
        return {
            "enabled": self.enabled,
            "cloudUrl": shown_url(self.cloud_url) if self.enabled else None,
            "intervalSeconds": self._host.settings["SYNC_INTERVAL_SECONDS"],
            **state.as_api(),
        }

    def pull_now(self) -> PullOutcome:
        """Pull once (waiting for a pull already running to finish first)."""
        if not self.enabled:
            return PullOutcome("off", error="CLOUD_URL is not set: this instance does not pull")
        with self._pulling, self._host.database.connection_context():
            state = update_sync_state(last_attempt_at=_now())
            try:
                outcome = self._pull(state)
            except PullFailed as failed:
                update_sync_state(last_outcome="error", last_error=str(failed))
                logger.warning("sync: %s", failed)
                return PullOutcome("error", error=str(failed))
            update_sync_state(last_outcome=outcome.outcome, last_error=None, last_success_at=_now())
            return outcome

    def _pull(self, state: SyncState) -> PullOutcome:
        response = self._fetch(state.etag)
        if response.status_code == 304:
            return PullOutcome("unchanged", state.applied_version)
        bundle = self._bundle_of(response)
        version = bundle.get("version")
        etag = response.headers.get("ETag")
        if isinstance(version, int) and state.applied_version and version <= state.applied_version:
            update_sync_state(etag=etag)
            return PullOutcome("not_newer", state.applied_version)
        self._back_up_configuration()
        try:
            apply_config_bundle(bundle, self._host)
        except BundleError as error:
            raise PullFailed(f"the bundle from CLOUD_URL is invalid: {error}") from None
        update_sync_state(applied_version=version, etag=etag)
        logger.info(
            "sync: applied configuration version %s from %s", version, shown_url(self.cloud_url)
        )
        return PullOutcome("applied", version)

    def _fetch(self, etag: str | None) -> requests.Response:
        token = self._host.settings["SYNC_TOKEN"]
        if not token:
            raise PullFailed("SYNC_TOKEN is not set: the publisher's sync token is needed")
        import requests

        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if etag:
            headers["If-None-Match"] = etag
        try:
            return self._host.fanout.session.get(
                self.cloud_url + BUNDLE_PATH,
                headers=headers,
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                allow_redirects=False,
            ).result()
        except requests.RequestException as error:
            raise PullFailed(
                f"cannot reach CLOUD_URL ({shown_url(self.cloud_url)}): {type(error).__name__}"
            ) from None

    def _bundle_of(self, response: requests.Response) -> dict:
        if response.status_code == 401:
            raise PullFailed("CLOUD_URL refused the sync token (401): check SYNC_TOKEN")
        if response.status_code != 200:
            raise PullFailed(f"CLOUD_URL answered HTTP {response.status_code} to {BUNDLE_PATH}")
        try:
            bundle = response.json()
        except ValueError:
            raise PullFailed(f"CLOUD_URL answered {BUNDLE_PATH} with something not JSON") from None
        if not isinstance(bundle, dict):
            raise PullFailed("the bundle from CLOUD_URL is not a JSON object")
        return bundle

    def _back_up_configuration(self) -> str:
        """Save the configuration about to be replaced; returns the file's path."""
        directory = os.path.join(self._host.settings["DATA_DIR"], BACKUPS_DIR)
        os.makedirs(directory, mode=0o700, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-%f")
        path = os.path.join(directory, f"config-before-sync-{stamp}.json")
        bundle = config_bundle(self._host)
        write_private_file(path, json.dumps(bundle, indent=1, sort_keys=True))
        return path
