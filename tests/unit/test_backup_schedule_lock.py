"""Scheduled backups with several worker processes on one DATA_DIR: only the timer holding the
folder's lock file makes the backup, and it re-checks that the backup is still due."""

from __future__ import annotations

import datetime
import fcntl
from concurrent.futures import Future

from omniroute.backups.schedule import BackupSchedule
from omniroute.clock import utcnow


def _schedule(lock_path: str, newest, made: list) -> BackupSchedule:
    def submit(work) -> Future:  # unused: these tests call the backup step directly
        raise AssertionError("not submitted here")

    return BackupSchedule(1.0, newest, lambda: made.append("backup") or "done", submit, lock_path)


def test_a_timer_that_finds_the_lock_taken_makes_no_backup(tmp_path):
    lock_path = str(tmp_path / "backups" / ".schedule.lock")
    made: list[str] = []
    schedule = _schedule(lock_path, lambda: None, made)
    assert schedule._logged_backup() == "done" and made == ["backup"]
    (tmp_path / "backups").mkdir(exist_ok=True)
    with open(lock_path, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another process is making the backup
        assert schedule._logged_backup() is None
    assert made == ["backup"]


def test_the_backup_is_skipped_when_another_process_just_made_it(tmp_path):
    lock_path = str(tmp_path / "backups" / ".schedule.lock")
    made: list[str] = []
    just_now = utcnow() - datetime.timedelta(seconds=5)
    schedule = _schedule(lock_path, lambda: just_now, made)
    assert schedule._logged_backup() is None and made == []
