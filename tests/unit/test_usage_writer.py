"""The usage writer: rows reach the database in batches, on time, on a full batch, on flush and
on stop, and a request thread's submit never has to wake the writer."""

from __future__ import annotations

import time

import pytest

from omniroute.clock import utcnow
from omniroute.store.database import open_database
from omniroute.store.migrations import migrate
from omniroute.store.usage_batches import UsageBatchStore
from omniroute.store.usage_queries import recent_usage
from omniroute.usage.writer import UsageWriter


@pytest.fixture
def database(tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'usage.db'}")
    migrate(database)
    yield database
    database.close_all()


def row(status: int = 200) -> dict:
    return {
        "created_at": utcnow(),
        "endpoint": "chat.completions",
        "status": status,
        "stream": False,
        "prompt_tokens": 3,
        "completion_tokens": 4,
        "latency_ms": 1.0,
    }


def saved(database) -> int:
    with database.connection_context():
        return len(recent_usage(10_000))


def wait_for(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_flush_writes_everything_submitted_before_it(database):
    writer = UsageWriter(UsageBatchStore(database), flush_seconds=60)
    writer.start()
    try:
        for _ in range(7):
            writer.submit(row())
        assert writer.flush(timeout=5)
        assert saved(database) == 7
        assert writer.rows_written == 7
    finally:
        writer.stop()


def test_rows_are_written_each_interval_without_a_flush(database):
    writer = UsageWriter(UsageBatchStore(database), flush_seconds=0.2)
    writer.start()
    try:
        writer.submit(row())
        writer.submit(row(502))
        assert wait_for(lambda: saved(database) == 2)
    finally:
        writer.stop()


def test_a_full_batch_is_written_before_the_interval_ends(database):
    writer = UsageWriter(UsageBatchStore(database), flush_seconds=60, batch_size=5)
    writer.start()
    try:
        for _ in range(4):
            writer.submit(row())
        time.sleep(0.3)
        assert saved(database) == 0  # not yet: neither the interval nor a full batch
        writer.submit(row())
        assert wait_for(lambda: saved(database) == 5, seconds=3)
    finally:
        writer.stop()


def test_stop_drains_the_queue(database):
    writer = UsageWriter(UsageBatchStore(database), flush_seconds=60)
    writer.start()
    for _ in range(3):
        writer.submit(row())
    writer.stop()
    assert saved(database) == 3


class CountingQueue:
    """The writer's queue, counting the reads the writer makes."""

    def __init__(self, real):
        self.real = real
        self.reads = 0

    def put(self, item):
        self.real.put(item)

    def qsize(self):
        return self.real.qsize()

    def get(self, *args, **kwargs):
        self.reads += 1
        return self.real.get(*args, **kwargs)

    def get_nowait(self):
        self.reads += 1
        return self.real.get_nowait()


def test_submitting_does_not_wake_the_writer(database):
    writer = UsageWriter(UsageBatchStore(database), flush_seconds=60, batch_size=500)
    writer._queue = counting = CountingQueue(writer._queue)
    writer.start()
    try:
        for _ in range(50):
            writer.submit(row())
            time.sleep(0.002)
        time.sleep(0.2)
        assert counting.reads == 0  # the writer slept through 50 submits
        assert writer.flush(timeout=5)
        assert saved(database) == 50
    finally:
        writer.stop()


def test_rows_are_made_storable_on_the_writer_thread_before_they_are_observed(database):
    observed: list[dict] = []
    writer = UsageWriter(UsageBatchStore(database), flush_seconds=60, observe=observed.extend)
    writer.start()
    try:
        bad = {**row(), "model": "gpt\x00x" + "y" * 500, "prompt_tokens": -5}
        writer.submit(bad)
        assert bad["prompt_tokens"] == -5  # queued as it came: the request thread cleans nothing
        assert writer.flush(timeout=5)
        assert observed[0]["prompt_tokens"] == 0 and "\x00" not in observed[0]["model"]
        with database.connection_context():
            (stored,) = recent_usage(1)
        assert stored.prompt_tokens == 0
        assert stored.model == observed[0]["model"] and len(stored.model) < 500
    finally:
        writer.stop()


def test_storable_cleans_a_row_at_once_as_it_will_be_saved(database):
    writer = UsageWriter(UsageBatchStore(database), flush_seconds=60)
    shown = writer.storable({**row(), "completion_tokens": float("nan")})
    assert shown["completion_tokens"] == 0
