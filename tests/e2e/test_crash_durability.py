"""kill -9 under load: the real `python app.py` is killed with SIGKILL seven times while client
threads keep sending chat requests, and restarted each time on the same DATA_DIR.

Each request asks for its own model id (`openai/gpt-4o-mini-crash-<n>`), which the usage row
keeps as `requested_model`, so the test knows exactly which answered requests have a row. After
every kill the SQLite database must pass `PRAGMA integrity_check`, and the requests answered
before that kill but missing from usage_records must be no more than the requests answered in
the last USAGE_FLUSH_SECONDS (plus a small allowance for the writer's own save) before the
kill: a crash loses at most the writer's last interval. The numbers for each kill are printed.
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

import requests

from omniroute import ROOT
from tests.fake_upstream import FakeUpstream

KILLS = 7
LOAD_SECONDS = 2.0  # of load in each life before its kill
CLIENT_THREADS = 4
FLUSH_SECONDS = 1.0  # USAGE_FLUSH_SECONDS (the default)
SAVE_ALLOWANCE = 0.25  # the writer's save itself, on two shared cores
PASSWORD = "crash-test-password-1"
MODEL_PREFIX = "openai/gpt-4o-mini-crash-"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spawn(data_dir, port: int, life: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORT", "HOSTNAME"))}
    env.update(
        DATA_DIR=str(data_dir),
        PORT=str(port),
        INITIAL_PASSWORD=PASSWORD,
        USAGE_FLUSH_SECONDS=str(FLUSH_SECONDS),
        PYTHONUNBUFFERED="1",
    )
    with open(os.path.join(data_dir, f"life-{life}.log"), "wb") as output:  # never a full pipe
        return subprocess.Popen(
            [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=output, stderr=output
        )


def wait_ready(url: str, process: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the gateway exited with {process.returncode}"
        try:
            if requests.get(url + "/health", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise AssertionError("the gateway did not start")


def add_openai_account(url: str, upstream_url: str) -> None:
    with requests.Session() as session:
        login = session.post(url + "/api/auth/login", json={"password": PASSWORD}, timeout=10)
        assert login.status_code == 200, login.text
        session.headers["X-CSRFToken"] = login.json()["csrfToken"]
        body = {"provider": "openai", "name": "crash", "apiKey": "sk-crash-0001"}
        created = session.post(url + "/api/providers", json={**body, "baseUrl": upstream_url})
        assert created.status_code == 201, created.text


@dataclass
class Load:
    """Client threads sending one request after another; every answer noted with the life of
    the gateway that was up when the request was sent (only that process can answer it) and
    the time it arrived."""

    url: str
    life: int = 0  # set by the test as it kills the gateway
    answered: list[tuple[int, int, float]] = field(default_factory=list)  # number, life, when
    stop: threading.Event = field(default_factory=threading.Event)
    numbers: itertools.count = field(default_factory=itertools.count)

    def run(self) -> None:
        with requests.Session() as session:
            session.trust_env = False
            while not self.stop.is_set():
                number, life = next(self.numbers), self.life
                body = {
                    "model": f"{MODEL_PREFIX}{number}",
                    "messages": [{"role": "user", "content": "hello"}],
                }
                try:
                    session.post(self.url + "/v1/chat/completions", json=body, timeout=(1, 5))
                except requests.RequestException:  # the gateway is down: wait for it
                    time.sleep(0.02)
                    continue
                self.answered.append((number, life, time.monotonic()))


def saved_numbers(database_path: str) -> tuple[str, set[int]]:
    """The database's integrity verdict and the request numbers that have a usage row."""
    with sqlite3.connect(database_path) as db:
        verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
        models = [row[0] for row in db.execute("SELECT requested_model FROM usage_records")]
    db.close()
    return verdict, {int(m[len(MODEL_PREFIX) :]) for m in models if m.startswith(MODEL_PREFIX)}


def test_seven_kill_9_under_load_keep_integrity_and_lose_at_most_the_last_interval(tmp_path):
    upstream = FakeUpstream().start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    load = Load(url)
    threads = [threading.Thread(target=load.run, daemon=True) for _ in range(CLIENT_THREADS)]
    process = None
    reports = []
    try:
        process = spawn(tmp_path, port, 0)
        wait_ready(url, process)
        add_openai_account(url, upstream.url)
        for thread in threads:
            thread.start()
        for life in range(KILLS):
            if life:
                process = spawn(tmp_path, port, life)
                wait_ready(url, process)
            time.sleep(LOAD_SECONDS)
            killed_at = time.monotonic()
            os.kill(process.pid, signal.SIGKILL)
            load.life = life + 1
            process.wait(10)
            answered = [(n, when) for n, of, when in list(load.answered) if of == life]
            verdict, saved = saved_numbers(str(tmp_path / "omniroute.db"))
            assert verdict == "ok", f"kill {life + 1}: {verdict}"
            lost = [(n, when) for n, when in answered if n not in saved]
            recent = [a for a in answered if a[1] > killed_at - FLUSH_SECONDS - SAVE_ALLOWANCE]
            last_interval = sum(1 for a in answered if a[1] > killed_at - FLUSH_SECONDS)
            oldest = max((killed_at - when for _, when in lost), default=0.0)
            reports.append((life + 1, len(answered), len(recent), len(lost), oldest))
            print(
                f"kill {life + 1}: {len(answered)} answered, {len(answered) - len(lost)} saved, "
                f"{len(lost)} lost (answered in the last {FLUSH_SECONDS:.2f} s: {last_interval}, "
                f"{FLUSH_SECONDS + SAVE_ALLOWANCE:.2f} s: {len(recent)}; "
                f"oldest lost answer {oldest:.2f} s before the kill)"
            )
            assert len(answered) >= 20, f"kill {life + 1}: too little load to judge"
            assert len(lost) <= len(recent), reports[-1]
            assert oldest <= FLUSH_SECONDS + SAVE_ALLOWANCE, reports[-1]
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(10)
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(10)
        upstream.stop()
    assert len(reports) == KILLS
