"""Child processes of the benchmark: spawn, watch and always clean up.

Every child gets its own session (Ctrl-C reaches only the orchestrator, which then stops each
child by pid) and PR_SET_PDEATHSIG, so none outlives an orchestrator that is killed outright.
Also here: the gateway's environment, /health probing and /proc readings (RSS, CPU); the
management-API calls live in bench.management.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import socket
import subprocess
import sys
import time

from bench import config
from omniroute.settings import SETTINGS

PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True)
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def _die_with_parent() -> None:  # runs in the child between fork and exec
    _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Children:
    """The processes this run started; `stop_all()` ends each of them (by pid) on any exit."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    def spawn(self, args: list[str], **options) -> subprocess.Popen:
        options.setdefault("cwd", config.ROOT)
        options.setdefault("stdin", subprocess.DEVNULL)
        proc = subprocess.Popen(
            args, start_new_session=True, preexec_fn=_die_with_parent, **options
        )
        self.procs.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen, timeout: float = 5.0) -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self) -> None:
        for proc in list(reversed(self.procs)):
            try:
                self.stop(proc)
            except Exception as exc:  # keep stopping the others
                print(f"bench: could not stop pid {proc.pid}: {exc}", file=sys.stderr)

    def __enter__(self) -> Children:
        return self

    def __exit__(self, *_exc) -> None:
        self.stop_all()


def tail(path: str, size: int = 1500) -> str:
    """The end of a child's log file, for error messages."""
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, os.path.getsize(path) - size))
            return handle.read().decode(errors="replace")
    except OSError:
        return "(no log)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((config.HOST, 0))
        return sock.getsockname()[1]


def gateway_env(data_dir: str, port: int, **settings: str) -> dict[str, str]:
    """The caller's environment without any OmniRoute setting or proxy, plus the bench's own
    (and `settings`, e.g. UPSTREAM_READ_TIMEOUT="1")."""
    names = {setting.name for setting in SETTINGS}
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in names and key.lower() not in PROXY_VARIABLES
    }
    env.update(
        DATA_DIR=data_dir,
        PORT=str(port),
        HOSTNAME=config.HOST,
        INITIAL_PASSWORD=config.ADMIN_PASSWORD,
        PYTHONDONTWRITEBYTECODE="1",
        **settings,
    )
    return env


def spawn_gateway(children: Children, data_dir: str, port: int, log_path: str, **settings: str):
    with open(log_path, "ab") as log:
        return children.spawn(
            [sys.executable, "app.py"],
            env=gateway_env(data_dir, port, **settings),
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def health_ok(port: int) -> bool:
    """One GET /health on a fresh connection: True on a 200."""
    try:
        with socket.create_connection((config.HOST, port), timeout=2) as sock:
            sock.settimeout(2)
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return sock.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def wait_for_health(proc: subprocess.Popen, port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / 0.002) + 1):
        if health_ok(port):
            return True
        if proc.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return False


def start_gateway(children: Children, work: str, name: str, **settings: str):
    """Spawn a gateway with a fresh data dir `<work>/<name>` and wait for its /health;
    returns (the process, its port, its log's path)."""
    port, log = free_port(), os.path.join(work, f"{name}.log")
    proc = spawn_gateway(children, os.path.join(work, name), port, log, **settings)
    if not wait_for_health(proc, port, config.STARTUP_TIMEOUT_SECONDS):
        raise RuntimeError(f"the gateway ({name}) did not start; log: {tail(log)}")
    return proc, port, log


def spawn_upstream(children: Children, log_path: str) -> tuple[subprocess.Popen, int]:
    """Start the fake-upstream process; returns it with the port it announced."""
    with open(log_path, "ab") as log:
        proc = children.spawn(
            [sys.executable, "-m", "bench.upstream_server"], stdout=subprocess.PIPE, stderr=log
        )
    ready, _, _ = select.select([proc.stdout], [], [], 15)
    line = proc.stdout.readline().decode() if ready else ""
    if not line.startswith("READY "):
        raise RuntimeError(f"the fake upstream did not start (see {log_path})")
    return proc, int(line.split()[1])


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS/VmHWM (kB) and Threads from /proc/<pid>/status; {} once the process is gone."""
    wanted = {"VmRSS", "VmHWM", "Threads"}
    values = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                name, _, rest = line.partition(":")
                if name in wanted:
                    values[name] = int(rest.split()[0])
    except OSError:
        return {}
    return values


def rss_mb(pid: int) -> float | None:
    kb = proc_status(pid).get("VmRSS")
    return None if kb is None else round(kb / 1024, 1)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        fields = handle.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
