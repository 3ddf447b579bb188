"""The real `python app.py` in a child process, for the tests of start-up and shutdown: a free
port, starting it with a given environment, waiting until it answers, stopping it with SIGTERM."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time

import requests

from omniroute import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spawn(data_dir, stderr=subprocess.PIPE, **env):
    """`stderr`: a file for a chatty process (a pipe nobody reads while it runs can fill)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("PORT", "HOSTNAME"))}
    full_env.update({"DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", **env})
    return subprocess.Popen(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )


def wait_ready(url: str, process, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            if requests.get(url + "/health", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise AssertionError("the server did not start")


@contextlib.contextmanager
def running(process):
    """Stop `process` with SIGTERM on exit (kill it if it does not stop), keeping its output."""
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.stdout_text, process.stderr_text = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
