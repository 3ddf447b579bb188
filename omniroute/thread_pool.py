"""waitress's thread pool, started small, grown on demand up to THREADS, handing tasks over
through one C queue.

waitress starts every one of its `threads` when the server is built: with THREADS sized for
hundreds of open streams (default 1200) that costs a quarter of a second at start-up and
tens of MB of resident memory in a worker that may never see that many requests at once.
`GrowingTaskDispatcher` starts WARM_THREADS and adds one thread whenever a task arrives with
no idle thread to take it, never more than THREADS; past that, tasks queue as before. Threads
are not retired (a pool that grew for a burst stays ready for the next one).

waitress hands each request to a thread with a `threading.Condition`, written in Python: a new
lock per wait and two trips through the shared lock on each side. Here the event loop puts the
task on a `queue.SimpleQueue` and an idle thread blocked in its `get` takes it, both done in C;
the shared lock only guards the count of free threads (`free`: threads waiting for a task minus
tasks queued for them, below zero when tasks wait for a thread).

Stopping: `set_thread_count(n)` below the running count queues one stop per thread to end, and
`shutdown` cancels the tasks no thread has taken, then waits for the threads to end.
"""

from __future__ import annotations

import queue
import time

from waitress.task import ThreadedTaskDispatcher

WARM_THREADS = 8  # started with the server; enough for sequential and light concurrent use
STOP = None  # queued for each thread to end


class GrowingTaskDispatcher(ThreadedTaskDispatcher):
    """waitress's ThreadedTaskDispatcher whose `set_thread_count` sets the ceiling, not the
    number started (shutdown's `set_thread_count(0)` still stops them all)."""

    def __init__(self, warm: int = WARM_THREADS) -> None:
        super().__init__()
        self.warm = warm
        self.limit = 0
        self.tasks: queue.SimpleQueue = queue.SimpleQueue()
        self.free = 0  # threads waiting (or about to wait) for a task, minus tasks queued

    @property
    def waiting_tasks(self) -> int:
        """Tasks queued with no thread free to take them."""
        return max(0, -self.free)

    def set_thread_count(self, count: int) -> None:
        with self.lock:
            self.limit = count
            running = len(self.threads) - self.stop_count
            wanted = min(count, max(self.warm, running))
            for _ in range(running, wanted):
                self._start_one()
                self.free += 1
            ending = running - wanted
            self.stop_count += max(0, ending)
            self.free -= max(0, ending)
        for _ in range(ending):
            self.tasks.put(STOP)

    def add_task(self, task) -> None:
        """Queue the task for a free thread, starting one when none is free (up to the
        ceiling); warn, as waitress does, when it has to wait."""
        with self.lock:
            if self.free <= 0 and len(self.threads) - self.stop_count < self.limit:
                self._start_one()
                self.free += 1
            self.free -= 1
            waiting = -self.free
        self.tasks.put(task)
        if waiting > 0:
            self.queue_logger.warning("Task queue depth is %d", waiting)

    def handler_thread(self, thread_no: int) -> None:
        tasks, lock = self.tasks, self.lock
        while True:
            task = tasks.get()
            if task is STOP:
                with lock:
                    self.stop_count -= 1
                    self.threads.discard(thread_no)
                    self.thread_exit_cv.notify()
                return
            try:
                task.service()
            except BaseException:
                self.logger.exception("Exception when servicing %r", task)
            with lock:
                self.free += 1

    def shutdown(self, cancel_pending: bool = True, timeout: float = 5) -> bool:
        """Cancel the tasks no thread has taken (with `cancel_pending`), stop every thread and
        wait up to `timeout` seconds for them to end."""
        if cancel_pending:
            self._cancel_queued()
        self.set_thread_count(0)
        expiration = time.time() + timeout
        with self.lock:
            while self.threads:
                if time.time() >= expiration:
                    self.logger.warning("%d thread(s) still running", len(self.threads))
                    break
                self.thread_exit_cv.wait(0.1)
        if cancel_pending:
            self._cancel_queued()
        return cancel_pending

    def _cancel_queued(self) -> None:
        cancelled, stops = [], 0
        while True:
            try:
                task = self.tasks.get_nowait()
            except queue.Empty:
                break
            if task is STOP:
                stops += 1
            else:
                cancelled.append(task)
        for _ in range(stops):  # not ours to take: the threads still need them
            self.tasks.put(STOP)
        with self.lock:
            self.free += len(cancelled)
        if cancelled:
            self.logger.warning("Canceling %d pending task(s)", len(cancelled))
        for task in cancelled:
            task.cancel()

    def _start_one(self) -> None:
        """One more handler thread (the caller holds self.lock), numbered as waitress does."""
        thread_no = 0
        while thread_no in self.threads:
            thread_no += 1
        self.threads.add(thread_no)
        self.start_new_thread(self.handler_thread, thread_no)
