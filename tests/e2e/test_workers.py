"""WEB_CONCURRENCY: the real `python app.py` with 2 and 4 worker processes on one port.

Every answer carries `X-Worker: <pid>` (WORKER_ID_HEADER), so a test sees which worker served
it: requests spread over all the workers (children of the supervisor), each on a CPU of its
own (CPU_PINNING=auto; the supervisor is not pinned), a worker killed with SIGKILL is replaced
by one on the same CPU, SIGHUP replaces every worker while client threads keep sending requests on
kept-alive connections and not one fails, and SIGTERM saves every worker's usage rows before
the supervisor exits. Without REDIS_URL (nor ALLOW_PER_WORKER_STATE) it refuses to start.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from omniroute import ROOT
from tests.app_process import free_port
from tests.e2e.test_crash_durability import PASSWORD, add_openai_account
from tests.fake_upstream import Behavior, FakeUpstream

WAIT_SECONDS = 60.0
USABLE = sorted(os.sched_getaffinity(0))


class Workers:
    """The supervisor process, its URL and what it printed."""

    def __init__(self, process: subprocess.Popen, url: str, log_path: str):
        self.process = process
        self.url = url
        self.log_path = log_path

    def log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as output:
            return output.read()

    def worker_of(self, session: requests.Session | None = None) -> int:
        """The pid of the worker that answers a fresh connection's /health."""
        answer = (session or requests).get(self.url + "/health", timeout=10)
        assert answer.status_code == 200, answer.text
        return int(answer.headers["X-Worker"])

    def serving_workers(self, count: int, exclude: frozenset[int] = frozenset()) -> set[int]:
        """Ask on fresh connections until `count` workers not in `exclude` have answered."""
        seen: set[int] = set()
        deadline = time.monotonic() + WAIT_SECONDS
        while len(seen - exclude) < count:
            assert time.monotonic() < deadline, f"only {seen} answered:\n{self.log()}"
            assert self.process.poll() is None, self.log()
            with contextlib.suppress(requests.ConnectionError, requests.Timeout):
                seen.add(self.worker_of())
        return seen - exclude

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(WAIT_SECONDS)


def spawn(data_dir, log_name: str, **env: str) -> tuple[subprocess.Popen, str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("PORT", "HOSTNAME"))}
    full_env.update(DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", **env)
    log_path = os.path.join(data_dir, log_name)
    with open(log_path, "wb") as output:  # a file, never a pipe nobody reads
        process = subprocess.Popen(
            [sys.executable, "app.py"], cwd=ROOT, env=full_env, stdout=output, stderr=output
        )
    return process, log_path


@contextlib.contextmanager
def running_workers(data_dir, count: int, **env: str) -> Iterator[Workers]:
    port = free_port()
    process, log_path = spawn(
        data_dir,
        "workers.log",
        PORT=str(port),
        WEB_CONCURRENCY=str(count),
        ALLOW_PER_WORKER_STATE="true",
        WORKER_ID_HEADER="true",
        INITIAL_PASSWORD=PASSWORD,
        **env,
    )
    workers = Workers(process, f"http://127.0.0.1:{port}", log_path)
    try:
        workers.serving_workers(count)
        yield workers
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()


def parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("PPid:"))


@pytest.mark.parametrize("count", [2, 4])
def test_workers_serve_one_port(tmp_path, count):
    with running_workers(tmp_path, count) as workers:
        pids = workers.serving_workers(count)

        assert len(pids) == count
        assert {parent_of(pid) for pid in pids} == {workers.process.pid}
        assert workers.log().count("OmniRoute listening on " + workers.url) == count
        if len(USABLE) > 1:  # CPU_PINNING=auto: one CPU each, spread from the last CPU
            cpus = [os.sched_getaffinity(pid) for pid in pids]
            assert all(len(each) == 1 for each in cpus), cpus
            assert sorted(cpu for (cpu,) in cpus) == sorted(
                USABLE[-1 - slot % len(USABLE)] for slot in range(count)
            )
            assert os.sched_getaffinity(workers.process.pid) == set(USABLE)  # not the supervisor


def test_a_killed_worker_is_restarted(tmp_path):
    with running_workers(tmp_path, 2) as workers:
        first = workers.serving_workers(2)
        killed = min(first)

        killed_cpus = os.sched_getaffinity(killed)
        os.kill(killed, signal.SIGKILL)

        replacement = workers.serving_workers(1, exclude=frozenset(first))

        assert replacement and killed not in replacement
        assert os.sched_getaffinity(replacement.pop()) == killed_cpus  # it took the slot's CPU
        assert f"worker {killed} exited with code -9" in workers.log()


def alive(pid: int) -> bool:
    """Still running (a worker that exited is reaped by the supervisor within a tick)."""
    return os.path.exists(f"/proc/{pid}")


class Hammer:
    """Client threads sending requests on kept-alive connections, keeping every failure."""

    def __init__(self, url: str, threads: int = 6):
        self.url = url
        self.stop = threading.Event()
        self.failures: list[str] = []
        self.answers = 0
        self.pids: set[int] = set()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._send) for _ in range(threads)]

    def __enter__(self) -> Hammer:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(WAIT_SECONDS)

    def _send(self) -> None:
        with requests.Session() as session:
            while not self.stop.is_set():
                try:
                    answer = session.get(self.url + "/health", timeout=10)
                except requests.RequestException as error:
                    failure = f"{type(error).__name__}: {error}"
                else:
                    failure = "" if answer.status_code == 200 else f"status {answer.status_code}"
                with self._lock:
                    if failure:
                        self.failures.append(failure)
                    else:
                        self.answers += 1
                        self.pids.add(int(answer.headers["X-Worker"]))

    def wait_for_answers(self, more: int) -> None:
        target = self.answers + more
        deadline = time.monotonic() + WAIT_SECONDS
        while self.answers < target:
            assert time.monotonic() < deadline, f"{self.answers} answers, {self.failures[:3]}"
            time.sleep(0.05)


def test_sighup_under_load_replaces_every_worker_without_a_failed_request(tmp_path):
    with running_workers(tmp_path, 2) as workers:
        old = workers.serving_workers(2)
        with Hammer(workers.url) as hammer:
            hammer.wait_for_answers(200)
            workers.process.send_signal(signal.SIGHUP)
            new = workers.serving_workers(2, exclude=frozenset(old))
            deadline = time.monotonic() + WAIT_SECONDS
            while any(alive(pid) for pid in old):
                assert time.monotonic() < deadline, workers.log()
                time.sleep(0.1)  # the old workers drain and exit
            hammer.wait_for_answers(200)

        assert hammer.failures == []
        assert hammer.pids & old and hammer.pids & new  # the load reached both generations
        assert "reload done: 2 new workers serving" in workers.log()


SLOW_CHUNKS = [f"part{number} " for number in range(30)]


def read_stream(url: str, into: dict) -> None:
    body = {
        "model": "openai/gpt-4o-mini-slow",
        "stream": True,
        "messages": [{"role": "user", "content": "hi"}],
    }
    with requests.post(url + "/v1/chat/completions", json=body, stream=True, timeout=60) as answer:
        into["worker"] = int(answer.headers["X-Worker"])
        into["body"] = b"".join(answer.iter_content(chunk_size=None)).decode()


def test_sighup_lets_a_stream_in_flight_finish(tmp_path):
    upstream = FakeUpstream().start()
    upstream.add(Behavior(chunks=SLOW_CHUNKS, chunk_interval=0.75), model="gpt-4o-mini-slow")
    try:
        with running_workers(tmp_path, 2) as workers:
            old = workers.serving_workers(2)
            add_openai_account(workers.url, upstream.url)
            streamed: dict = {}
            reader = threading.Thread(target=read_stream, args=(workers.url, streamed))
            reader.start()
            workers.process.send_signal(signal.SIGHUP)
            workers.serving_workers(2, exclude=frozenset(old))
            deadline = time.monotonic() + WAIT_SECONDS
            while "reload done" not in workers.log():
                assert time.monotonic() < deadline, workers.log()
                time.sleep(0.1)
            in_flight_at_reload = reader.is_alive()
            reader.join(WAIT_SECONDS)
    finally:
        upstream.stop()

    assert in_flight_at_reload  # the old worker was told to stop while streaming
    assert streamed["worker"] in old
    text = "".join(line for line in streamed["body"].splitlines() if line.startswith("data: {"))
    assert all(chunk.strip() in text for chunk in SLOW_CHUNKS)
    assert streamed["body"].rstrip().endswith("data: [DONE]")


def test_sigterm_saves_every_workers_usage(tmp_path):
    upstream = FakeUpstream().start()
    try:
        with running_workers(tmp_path, 2, USAGE_FLUSH_SECONDS="60") as workers:
            add_openai_account(workers.url, upstream.url)
            pids: set[int] = set()
            sent = 0
            while len(pids) < 2 or sent < 40:  # fresh connections: the workers take turns
                body = {
                    "model": "openai/gpt-4o-mini",
                    "messages": [{"role": "user", "content": "hi"}],
                }
                with requests.post(
                    workers.url + "/v1/chat/completions", json=body, timeout=30
                ) as answer:
                    assert answer.status_code == 200, answer.text
                    pids.add(int(answer.headers["X-Worker"]))
                sent += 1
            assert workers.stop() == 0
    finally:
        upstream.stop()

    assert len(pids) == 2  # both workers had rows waiting (USAGE_FLUSH_SECONDS=60)
    with contextlib.closing(sqlite3.connect(tmp_path / "omniroute.db")) as database:
        (rows,) = database.execute(
            "SELECT COUNT(*) FROM usage_records WHERE endpoint = 'chat.completions'"
        ).fetchone()
    assert rows == sent
    assert workers.log().count("OmniRoute stopped; usage saved.") == 2


def test_several_workers_without_redis_refuse_to_start(tmp_path):
    process, log_path = spawn(
        tmp_path, "refused.log", PORT=str(free_port()), WEB_CONCURRENCY="3", REDIS_URL=""
    )

    assert process.wait(WAIT_SECONDS) == 2
    with open(log_path) as output:
        printed = output.read()
    assert "OmniRoute cannot start: WEB_CONCURRENCY=3" in printed
    assert "REDIS_URL" in printed and "ALLOW_PER_WORKER_STATE=true" in printed


def openai_listed_by(workers: Workers) -> dict[int, bool]:
    """For each worker answering a fresh connection: whether its /v1/models lists openai/…"""
    answer = requests.get(workers.url + "/v1/models", timeout=10)
    assert answer.status_code == 200, answer.text
    listed = any(model["id"].startswith("openai/") for model in answer.json()["data"])
    return {int(answer.headers["X-Worker"]): listed}


def test_a_change_made_in_one_worker_reaches_the_others(tmp_path):
    upstream = FakeUpstream().start()
    try:
        with running_workers(tmp_path, 2) as workers:
            before: dict[int, bool] = {}
            while len(before) < 2:  # every worker has loaded its routing table
                before.update(openai_listed_by(workers))
            assert not any(before.values())

            add_openai_account(workers.url, upstream.url)  # served by one of them

            after: dict[int, bool] = {}
            deadline = time.monotonic() + WAIT_SECONDS
            while len(after) < 2 or not all(after.values()):
                assert time.monotonic() < deadline, after
                after.update(openai_listed_by(workers))
    finally:
        upstream.stop()
    assert set(after) == set(before)
