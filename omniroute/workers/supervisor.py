"""The supervisor: WEB_CONCURRENCY worker processes serving one listening socket.

It binds HOSTNAME:PORT once and starts each worker as `python app.py` with the socket passed
as an inherited file descriptor (workers/worker.py): the workers accept from the same kernel queue
(no SO_REUSEPORT), and a connection waiting in the backlog is served by whichever worker takes
it. Before any worker starts, one preparing run (`app.py --prepare`) opens the database, runs
the migrations and writes the generated secrets, so the workers never race over them.

- A worker that exits on its own is restarted after a back-off (RESTART_DELAYS: 0.5 s doubling
  to 30 s while workers keep failing, back to 0.5 s once one has served for a minute); each
  exit and restart is logged.
- SIGHUP reloads: a new set of workers is started (new code and settings files are read); once
  every one of them is ready, the old ones get SIGTERM and drain (workers/draining.py), so no
  request fails. If the new ones cannot start, the old ones keep serving.
- SIGTERM or SIGINT: every worker drains and saves its usage rows, then the supervisor exits.
- Each worker gets a slot (0 to N-1) that decides its CPU (cpu_pinning.py); a worker started in
  place of one that exited takes its slot, and a reload's new set takes the slots again.

Several workers need shared state: without REDIS_URL each worker would keep its own rate
limits, budgets and idempotency keys (a limit would allow N times as much), so start-up is
refused unless ALLOW_PER_WORKER_STATE says per-worker limits are wanted.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from ..cpu_pinning import WORKER_SLOT_ENV
from ..metrics.shared_files import SHARED_METRICS_ENV, make_shared_metrics_dir
from ..metrics.shared_files import remove as remove_shared_metrics
from ..settings import SettingsError
from ..startup_checks import listen_error
from .worker import LISTEN_FD_ENV, READY_FD_ENV

log = logging.getLogger(__name__)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
APP_COMMAND = (sys.executable, os.path.join(ROOT, "app.py"))
PREPARE_ARGUMENT = "--prepare"
EXIT_CANNOT_START = 2
RESTART_DELAYS = (0.5, 1, 2, 4, 8, 16, 30)
HEALTHY_AFTER_SECONDS = 60.0  # a worker that served this long resets the back-off
STOP_SLACK_SECONDS = 15.0  # beyond WORKER_GRACE_SECONDS before a worker is killed
TICK_SECONDS = 0.1


def shared_state_problem(settings: dict[str, Any]) -> str | None:
    """Why N workers must not start as configured, or None."""
    workers = settings["WEB_CONCURRENCY"]
    if workers <= 1 or settings.get("REDIS_URL") or settings["ALLOW_PER_WORKER_STATE"]:
        return None
    return (
        f"WEB_CONCURRENCY={workers} runs {workers} worker processes, but without REDIS_URL "
        "each would keep its own rate limits, budgets and idempotency keys (every limit would "
        f"allow {workers} times as much). Set REDIS_URL (such as redis://127.0.0.1:6379/0) to "
        "share them, or ALLOW_PER_WORKER_STATE=true to accept limits and budgets per worker."
    )


@dataclass(eq=False)
class Worker:
    process: subprocess.Popen
    ready_fd: int
    generation: int
    slot: int  # which CPU it takes (cpu_pinning.py); a replacement takes the same slot
    started_at: float = field(default_factory=time.monotonic)
    ready: bool = False
    retiring: bool = False  # sent SIGTERM: its exit is expected

    def read_ready(self) -> None:
        if os.read(self.ready_fd, 1):
            self.ready = True
        self._close_pipe()

    def _close_pipe(self) -> None:
        if self.ready_fd >= 0:
            os.close(self.ready_fd)
            self.ready_fd = -1

    def retire(self) -> None:
        if not self.retiring and self.process.poll() is None:
            self.retiring = True
            self.process.send_signal(signal.SIGTERM)

    def reaped(self) -> int | None:
        code = self.process.poll()
        if code is not None:
            self._close_pipe()
        return code


def supervise(settings: dict[str, Any]) -> int:
    """Run WEB_CONCURRENCY workers until SIGTERM or SIGINT; the process's exit code."""
    try:
        problem = shared_state_problem(settings)
        if problem:
            raise SettingsError(problem)
        listening = bind_listening_socket(settings["HOSTNAME"], settings["PORT"])
    except SettingsError as error:
        print(f"OmniRoute cannot start: {error}", file=sys.stderr, flush=True)
        return EXIT_CANNOT_START
    try:
        prepared = subprocess.run([*APP_COMMAND, PREPARE_ARGUMENT], cwd=ROOT)
        if prepared.returncode != 0:
            return prepared.returncode
        metrics_dir = make_shared_metrics_dir()
        try:
            return Supervisor(settings, listening, metrics_dir).run()
        finally:
            remove_shared_metrics(metrics_dir)
    finally:
        listening.close()


def bind_listening_socket(host: str, port: int) -> socket.socket:
    """The one socket every worker accepts from (SettingsError naming what cannot be bound)."""
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = info[0]
        listening = socket.socket(family, kind, proto)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(address)
    except OSError as error:
        named = listen_error(error, host, port)
        if named is None:
            raise
        raise named from None
    listening.listen(2048)
    listening.set_inheritable(True)
    return listening


class Supervisor:
    def __init__(self, settings: dict[str, Any], listening: socket.socket, metrics_dir: str):
        self.metrics_dir = metrics_dir  # the workers' shared counters (metrics/shared_files.py)
        self.count = settings["WEB_CONCURRENCY"]
        self.grace = settings["WORKER_GRACE_SECONDS"]
        self.listening = listening
        self.workers: list[Worker] = []
        self.generation = 0
        self.failures = 0  # workers in a row that exited before serving a minute
        self.next_start = 0.0
        self.stopping = False
        self.reloading = False

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._on_stop)
        signal.signal(signal.SIGINT, self._on_stop)
        signal.signal(signal.SIGHUP, self._on_reload)
        host, port = self.listening.getsockname()[:2]
        print(
            f"OmniRoute supervisor {os.getpid()}: {self.count} workers on {host}:{port}", flush=True
        )
        while not self.stopping:
            self._tick()
        self._stop_all()
        return 0

    def _on_stop(self, _signum, _frame) -> None:
        self.stopping = True

    def _on_reload(self, _signum, _frame) -> None:
        if not self.reloading:
            self.reloading = True
            self.generation += 1
            log.info("SIGHUP: starting %d new workers, then stopping the old ones", self.count)

    def _tick(self) -> None:
        self._wait_for_news()
        self._reap()
        current = [w for w in self.workers if w.generation == self.generation]
        if len(current) < self.count and time.monotonic() >= self.next_start:
            self._start()
        if self.reloading and len(current) == self.count and all(w.ready for w in current):
            for worker in self.workers:
                if worker.generation != self.generation:
                    worker.retire()
            self.reloading = False
            log.info("reload done: %d new workers serving", self.count)

    def _wait_for_news(self) -> None:
        """Sleep a tick, waking early when a starting worker says it is ready."""
        pending = {w.ready_fd: w for w in self.workers if w.ready_fd >= 0}
        try:
            readable, _, _ = select.select(list(pending), [], [], TICK_SECONDS)
        except InterruptedError:  # a signal: its flag is looked at by the caller
            return
        for ready_fd in readable:
            pending[ready_fd].read_ready()

    def _reap(self) -> None:
        for worker in list(self.workers):
            code = worker.reaped()
            if code is None:
                continue
            self.workers.remove(worker)
            if worker.retiring or self.stopping:
                continue
            served = time.monotonic() - worker.started_at
            self.failures = (
                0 if worker.ready and served >= HEALTHY_AFTER_SECONDS else self.failures + 1
            )
            delay = (
                RESTART_DELAYS[min(self.failures, len(RESTART_DELAYS)) - 1] if self.failures else 0
            )
            self.next_start = time.monotonic() + delay
            log.warning(
                "worker %d exited with code %s after %.1f s; starting a new one in %.1f s",
                worker.process.pid,
                code,
                served,
                delay,
            )

    def _start(self) -> None:
        read_end, write_end = os.pipe()
        taken = {w.slot for w in self.workers if w.generation == self.generation}
        slot = next(slot for slot in range(self.count) if slot not in taken)
        environment = {
            **os.environ,
            WORKER_SLOT_ENV: str(slot),
            LISTEN_FD_ENV: str(self.listening.fileno()),
            READY_FD_ENV: str(write_end),
            SHARED_METRICS_ENV: self.metrics_dir,
        }
        try:
            process = subprocess.Popen(
                list(APP_COMMAND),
                cwd=ROOT,
                env=environment,
                pass_fds=(self.listening.fileno(), write_end),
            )
        finally:
            os.close(write_end)
        self.workers.append(Worker(process, read_end, self.generation, slot))
        log.info("worker %d started", process.pid)

    def _stop_all(self) -> None:
        """SIGTERM every worker, wait for them to drain, kill any still running after that."""
        for worker in self.workers:
            worker.retire()
        deadline = time.monotonic() + self.grace + STOP_SLACK_SECONDS
        for worker in self.workers:
            try:
                worker.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.error("worker %d did not stop in time; killing it", worker.process.pid)
                worker.process.kill()
                worker.process.wait()
            worker.reaped()
        print("OmniRoute supervisor stopped.", file=sys.stderr, flush=True)
