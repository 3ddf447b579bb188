"""waitress's thread pool, started small and grown on demand up to THREADS.

waitress starts every one of its `threads` when the server is built: with THREADS sized for
hundreds of open streams (default 1200) that costs a quarter of a second at start-up and
tens of MB of resident memory in a worker that may never see that many requests at once.
`GrowingTaskDispatcher` starts WARM_THREADS and adds one thread whenever a task arrives with
no idle thread to take it, never more than THREADS; past that, tasks queue as before. Threads
are not retired (a pool that grew for a burst stays ready for the next one).
"""

from __future__ import annotations

from waitress.task import ThreadedTaskDispatcher

WARM_THREADS = 8  # started with the server; enough for sequential and light concurrent use


class GrowingTaskDispatcher(ThreadedTaskDispatcher):
    """waitress's ThreadedTaskDispatcher whose `set_thread_count` sets the ceiling, not the
    number started (shutdown's `set_thread_count(0)` still stops them all)."""

    def __init__(self, warm: int = WARM_THREADS) -> None:
        super().__init__()
        self.warm = warm
        self.limit = 0

    def set_thread_count(self, count: int) -> None:
        self.limit = count
        running = len(self.threads) - self.stop_count
        super().set_thread_count(min(count, max(self.warm, running)))

    def add_task(self, task) -> None:
        """waitress's add_task (queue the task, wake one idle thread, warn when it must wait),
        starting a thread first when none is idle; one lock round per request."""
        with self.lock:
            running = len(self.threads) - self.stop_count
            idle = running - self.active_count
            if idle <= len(self.queue) and running < self.limit:
                self._start_one()  # busy until it first waits: `idle` stays as it was
            self.queue.append(task)
            self.queue_cv.notify()
            waiting = len(self.queue) - idle
            if waiting > 0:
                self.queue_logger.warning("Task queue depth is %d", waiting)

    def _start_one(self) -> None:
        """One more handler thread (the caller holds self.lock), numbered as waitress does."""
        thread_no = 0
        while thread_no in self.threads:
            thread_no += 1
        self.threads.add(thread_no)
        self.active_count += 1  # the thread marks itself idle once it waits, as in waitress
        self.start_new_thread(self.handler_thread, thread_no)
