"""The real `python app.py` process: start-up refused with one line on bad settings, keys or
ports, the first run's password and secrets in DATA_DIR, SIGTERM flushing usage. The settings
themselves: tests/unit/test_settings.py."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import stat

import requests

from tests.app_process import free_port, running, spawn, wait_ready
from tests.fake_upstream import FakeUpstream


def test_bad_environment_stops_start_up_with_a_message(tmp_path):
    process = spawn(tmp_path, PORT="not-a-port")
    out, err = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "PORT" in err and "not-a-port" in err


def test_first_run_generates_password_and_secrets_then_sigterm_flushes_usage(tmp_path):
    upstream = FakeUpstream().start()
    port = free_port()
    process = spawn(tmp_path, PORT=str(port), USAGE_FLUSH_SECONDS="30")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process)
        password_file = tmp_path / "initial-password"
        password = password_file.read_text().strip()
        for name in ("initial-password", "storage.key", "jwt-secret"):
            assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600, name
        session = requests.Session()
        login = session.post(url + "/api/auth/login", json={"password": password})
        assert login.status_code == 200
        session.headers["X-CSRFToken"] = login.json()["csrfToken"]
        created = session.post(
            url + "/api/providers",
            json={
                "provider": "openai",
                "name": "w",
                "apiKey": "sk-process-test-9876",
                "baseUrl": upstream.url,
            },
        )
        assert created.status_code == 201
        for _ in range(3):
            assert (
                requests.post(
                    url + "/v1/chat/completions",
                    json={
                        "model": "openai/gpt-4o",
                        "messages": [{"role": "user", "content": "hi"}],
                    },
                ).status_code
                == 200
            )
        process.send_signal(signal.SIGTERM)  # long before the 30 s flush interval
        out, _ = process.communicate(timeout=30)
        assert process.returncode == 0
        assert out.count(password) == 1  # printed exactly once
        with sqlite3.connect(tmp_path / "omniroute.db") as db:
            statuses = [row[0] for row in db.execute("SELECT status FROM usage_records")]
        assert statuses == [200, 200, 200]
        key_file = (tmp_path / "storage.key").read_text().strip()
        raw = b"".join(p.read_bytes() for p in tmp_path.glob("omniroute.db*"))
        assert key_file.encode() not in raw and b"sk-process-test-9876" not in raw
    finally:
        if process.poll() is None:
            process.kill()
        upstream.stop()


def test_second_start_reuses_the_password_and_does_not_print_it(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running(spawn(tmp_path, PORT=str(port))) as first:
        wait_ready(url, first)
    password = (tmp_path / "initial-password").read_text().strip()
    with running(spawn(tmp_path, PORT=str(port))) as second:
        wait_ready(url, second)
        login = requests.post(url + "/api/auth/login", json={"password": password})
        assert login.status_code == 200
    assert second.returncode == 0
    assert password not in second.stdout_text


def _refused_start(data_dir, **env) -> str:
    """Start `python app.py`, expect it to refuse with exit code 2; its stderr."""
    process = spawn(data_dir, **env)
    try:
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 2, err
    assert "Traceback" not in err and err.startswith("OmniRoute cannot start:"), err
    assert len(err.strip().splitlines()) == 1, err
    return err


KEY_A = "first storage passphrase"
KEY_B = "another storage passphrase"


def test_a_different_storage_key_stops_start_up(tmp_path):
    port = free_port()
    with running(spawn(tmp_path, PORT=str(port), STORAGE_ENCRYPTION_KEY=KEY_A)) as first:
        wait_ready(f"http://127.0.0.1:{port}", first)
    err = _refused_start(tmp_path, PORT=str(port), STORAGE_ENCRYPTION_KEY=KEY_B)
    assert "STORAGE_ENCRYPTION_KEY" in err and KEY_B not in err and KEY_A not in err
    with running(spawn(tmp_path, PORT=str(port), STORAGE_ENCRYPTION_KEY=KEY_A)) as again:
        wait_ready(f"http://127.0.0.1:{port}", again)  # the right key still starts
    assert again.returncode == 0


def test_a_replaced_key_file_stops_start_up_even_without_the_canary(tmp_path):
    """A database from before the canary is checked against a stored provider key."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running(spawn(tmp_path, PORT=str(port), INITIAL_PASSWORD="pw-12345678")) as first:
        wait_ready(url, first)
        session = requests.Session()
        login = session.post(url + "/api/auth/login", json={"password": "pw-12345678"})
        session.headers["X-CSRFToken"] = login.json()["csrfToken"]
        body = {"provider": "openai", "name": "k", "apiKey": "sk-stored-key-4321"}
        assert session.post(url + "/api/providers", json=body).status_code == 201
    with sqlite3.connect(tmp_path / "omniroute.db") as db:
        assert db.execute("DELETE FROM app_settings WHERE key LIKE '%canary%'").rowcount == 1
    key_file = tmp_path / "storage.key"
    key_file.write_text("ab" * 32 + "\n")
    err = _refused_start(tmp_path, PORT=str(port))
    assert "STORAGE_ENCRYPTION_KEY" in err and str(key_file) in err
    assert "ab" * 32 not in err


def test_an_unresolvable_hostname_stops_start_up_with_one_line(tmp_path):
    err = _refused_start(tmp_path, HOSTNAME="not.a.host.invalid", PORT=str(free_port()))
    assert "HOSTNAME" in err and "not.a.host.invalid" in err


def test_a_port_in_use_stops_start_up_with_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        err = _refused_start(tmp_path, HOSTNAME="127.0.0.1", PORT=str(port))
    assert f"PORT={port}" in err and "in use" in err
