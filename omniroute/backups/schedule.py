"""The scheduled backups: one timer thread that only decides, the fan-out pool that does the work.

Every tick (the interval, at most a minute) the timer checks whether the newest scheduled backup
is older than BACKUP_INTERVAL_HOURS and, if so, hands one backup to the pool; a backup still
running is never started twice. A restart does not reset the clock: the age is read from the
folder. BACKUP_INTERVAL_HOURS = 0 starts nothing. Worker processes sharing one DATA_DIR each run
a timer; the one that takes the folder's lock file makes the backup, and the others, finding it
taken or the backup no longer due once they hold it, skip the round.
"""

from __future__ import annotations

import datetime
import fcntl
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future

from ..clock import utcnow

LOG = logging.getLogger(__name__)
MAX_TICK_SECONDS = 60.0


class BackupSchedule:
    def __init__(
        self,
        interval_hours: float,
        newest_scheduled: Callable[[], datetime.datetime | None],
        make_backup: Callable[[], object],
        submit: Callable[[Callable[[], object]], Future],
        lock_path: str | None = None,
    ):
        self.interval = datetime.timedelta(hours=interval_hours)
        self._newest = newest_scheduled
        self._make_backup = make_backup
        self._submit = submit
        self._lock_path = lock_path
        self._stop = threading.Event()
        self._running: Future | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.interval.total_seconds() <= 0 or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="backup-schedule", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def is_due(self) -> bool:
        newest = self._newest()
        return newest is None or utcnow() - newest >= self.interval

    def _run(self) -> None:
        tick = min(self.interval.total_seconds(), MAX_TICK_SECONDS)
        while not self._stop.wait(tick):
            if self._running is not None and not self._running.done():
                continue
            try:
                if self.is_due():
                    self._running = self._submit(self._logged_backup)
            except Exception:  # a full disk or a closed pool must not end the schedule
                LOG.exception("scheduled backup could not start")

    def _logged_backup(self) -> object:
        try:
            if self._lock_path is None:
                return self._make_backup()
            return self._backup_holding_the_lock(self._lock_path)
        except Exception:
            LOG.exception("scheduled backup failed")
            return None

    def _backup_holding_the_lock(self, lock_path: str) -> object:
        """Back up only while holding the lock file, and only if still due then."""
        os.makedirs(os.path.dirname(lock_path), mode=0o700, exist_ok=True)
        with open(lock_path, "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return None  # another process is making it
            try:
                return self._make_backup() if self.is_due() else None
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
