"""GrowingTaskDispatcher: waitress's pool started small, grown per waiting task up to THREADS,
handing tasks over through a C queue; shutdown cancels what no thread took."""

from __future__ import annotations

import threading
import time

from omniroute.thread_pool import GrowingTaskDispatcher


class HeldTask:
    """A waitress task that holds its thread until released."""

    def __init__(self, release: threading.Event, started: list):
        self.release = release
        self.started = started

    def service(self) -> None:
        self.started.append(threading.current_thread().name)
        self.release.wait(10)

    def cancel(self) -> None:
        pass


def wait_until(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return condition()


def test_starts_warm_threads_grows_per_waiting_task_and_stops_at_the_ceiling():
    pool = GrowingTaskDispatcher(warm=2)
    pool.set_thread_count(5)
    release, started = threading.Event(), []
    try:
        assert len(pool.threads) == 2
        assert pool.free == 2  # both started and free
        for _ in range(4):
            pool.add_task(HeldTask(release, started))
        assert wait_until(lambda: len(started) == 4)
        assert len(pool.threads) == 4  # one thread added for each task no idle thread could take
        for _ in range(3):
            pool.add_task(HeldTask(release, started))
        assert wait_until(lambda: len(started) == 5)
        assert len(pool.threads) == 5  # the ceiling: the other two wait in the queue
        assert pool.waiting_tasks == 2
        release.set()
        assert wait_until(lambda: len(started) == 7)
    finally:
        release.set()
        pool.shutdown(cancel_pending=True, timeout=5)
    assert not pool.threads


def test_an_idle_thread_takes_the_next_task_without_growing_the_pool():
    pool = GrowingTaskDispatcher(warm=2)
    pool.set_thread_count(10)
    release, started = threading.Event(), []
    release.set()
    try:
        assert pool.free == 2  # both started and free
        for count in range(1, 21):  # one at a time: each finds the last one's thread idle
            pool.add_task(HeldTask(release, started))
            assert wait_until(lambda count=count: len(started) == count and pool.free == 2)
        assert len(pool.threads) == 2
    finally:
        pool.shutdown(cancel_pending=True, timeout=5)


def test_a_ceiling_below_the_warm_count_starts_only_the_ceiling():
    pool = GrowingTaskDispatcher(warm=8)
    pool.set_thread_count(3)
    try:
        assert len(pool.threads) == 3
    finally:
        pool.shutdown(cancel_pending=True, timeout=5)


class CancellableTask(HeldTask):
    def __init__(self, release: threading.Event, started: list, cancelled: list):
        super().__init__(release, started)
        self.cancelled = cancelled

    def cancel(self) -> None:
        self.cancelled.append(self)


def test_shutdown_cancels_the_tasks_no_thread_took_and_ends_every_thread():
    pool = GrowingTaskDispatcher(warm=2)
    pool.set_thread_count(2)
    release, started, cancelled = threading.Event(), [], []
    for _ in range(5):
        pool.add_task(CancellableTask(release, started, cancelled))
    assert wait_until(lambda: len(started) == 2)
    assert pool.waiting_tasks == 3
    threading.Timer(0.2, release.set).start()  # the two running tasks end during shutdown
    assert pool.shutdown(cancel_pending=True, timeout=5)
    assert len(cancelled) == 3 and len(started) == 2
    assert not pool.threads


def test_a_lower_thread_count_ends_free_threads_and_the_rest_keep_serving():
    pool = GrowingTaskDispatcher(warm=4)
    pool.set_thread_count(4)
    release, started = threading.Event(), []
    release.set()
    try:
        assert len(pool.threads) == 4
        pool.set_thread_count(1)
        assert wait_until(lambda: len(pool.threads) == 1)
        for _ in range(3):
            pool.add_task(HeldTask(release, started))
        assert wait_until(lambda: len(started) == 3)
        assert len(pool.threads) == 1 and pool.free == 1
    finally:
        pool.shutdown(cancel_pending=True, timeout=5)
    assert not pool.threads
