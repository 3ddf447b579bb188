"""The configuration's version between processes (FileVersion for SQLite workers) and the
watch that reloads a process when another one moved it; the refusal of N workers without
shared state."""

from __future__ import annotations

import threading

from omniroute.config_watch import ConfigWatch
from omniroute.settings import load_settings
from omniroute.store.config_version import FileVersion
from omniroute.workers.supervisor import shared_state_problem


def test_each_bump_moves_the_file_version_for_every_reader(tmp_path):
    writer, reader = FileVersion(str(tmp_path)), FileVersion(str(tmp_path))
    assert reader.read() == 0

    writer.bump()
    writer.bump()

    assert reader.read() == 2


def test_the_watch_reloads_once_another_process_bumps(tmp_path):
    reloaded = threading.Event()
    watch = ConfigWatch(FileVersion(str(tmp_path)), reloaded.set, poll_seconds=0.01)
    watch.start()
    try:
        FileVersion(str(tmp_path)).bump()  # another process
        assert reloaded.wait(10)
    finally:
        watch.stop()


def test_the_watch_does_not_reload_when_nothing_changed(tmp_path):
    calls = []
    watch = ConfigWatch(FileVersion(str(tmp_path)), lambda: calls.append(1), poll_seconds=0.01)
    FileVersion(str(tmp_path)).bump()  # before start: already the version it starts from
    watch.start()
    ticked = threading.Event()
    threading.Timer(0.2, ticked.set).start()
    ticked.wait(5)
    watch.stop()
    assert calls == []


def test_several_workers_need_redis_or_an_explicit_per_worker_choice():
    plain = load_settings({"WEB_CONCURRENCY": "4"})
    assert "REDIS_URL" in shared_state_problem(plain)
    assert "4 times as much" in shared_state_problem(plain)
    assert shared_state_problem({**plain, "REDIS_URL": "redis://127.0.0.1:6379/0"}) is None
    assert shared_state_problem({**plain, "ALLOW_PER_WORKER_STATE": True}) is None
    assert shared_state_problem(load_settings({})) is None  # one process: nothing to share
