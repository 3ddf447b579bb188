"""CPU_PINNING on the real `python app.py`: by default the single process and every thread it
starts run on one CPU (the last it may use) and its start-up line says which; `off` leaves them
on every CPU; a listed CPU is used; a CPU the process may not use stops start-up with exit code
2. (The workers' CPUs are tested with the supervisor in tests/e2e/test_workers.py.)"""

from __future__ import annotations

import os

import pytest
import requests

from tests.app_process import free_port, running, spawn, wait_ready
from tests.integration.test_startup_line import startup_line

USABLE = sorted(os.sched_getaffinity(0))
several_cpus = pytest.mark.skipif(
    len(USABLE) < 2, reason="pinning needs a machine with at least two usable CPUs"
)


def thread_cpus(pid: int) -> dict[int, set[int]]:
    """Every thread of `pid` (by thread id) and the CPUs it may run on."""
    return {int(tid): os.sched_getaffinity(int(tid)) for tid in os.listdir(f"/proc/{pid}/task")}


def serve_and_look(tmp_path, **env) -> tuple[str, dict[int, set[int]]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = spawn(tmp_path, PORT=str(port), INITIAL_PASSWORD="cpu-pinning-pw", **env)
    with running(process):
        line = startup_line(process)
        wait_ready(url, process)
        assert requests.get(url + "/login", timeout=10).status_code == 200  # the dashboard too
        return line, thread_cpus(process.pid)


@several_cpus
def test_by_default_every_thread_runs_on_the_last_cpu(tmp_path):
    line, threads = serve_and_look(tmp_path)
    assert len(threads) > 5  # the event loop, request threads, writers: all started pinned
    assert all(cpus == {USABLE[-1]} for cpus in threads.values()), threads
    assert line.endswith(f"; pinned to CPU {USABLE[-1]} (CPU_PINNING)")


@several_cpus
def test_off_leaves_the_threads_on_every_cpu(tmp_path):
    line, threads = serve_and_look(tmp_path, CPU_PINNING="off")
    assert all(cpus == set(USABLE) for cpus in threads.values()), threads
    assert "pinned" not in line


@several_cpus
def test_a_listed_cpu_is_the_one_used(tmp_path):
    line, threads = serve_and_look(tmp_path, CPU_PINNING=str(USABLE[0]))
    assert all(cpus == {USABLE[0]} for cpus in threads.values()), threads
    assert line.endswith(f"; pinned to CPU {USABLE[0]} (CPU_PINNING)")


def test_a_cpu_the_process_may_not_use_stops_start_up(tmp_path):
    missing = max(USABLE) + 1
    process = spawn(tmp_path, PORT=str(free_port()), CPU_PINNING=f"{missing}")
    _, errors = process.communicate(timeout=30)
    assert process.returncode == 2
    assert f"CPU_PINNING={missing}: CPU {missing} is not one this process may use" in errors
