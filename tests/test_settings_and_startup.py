"""Settings declared as data, secrets in DATA_DIR, and the real `python app.py` process."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time

import pytest
import requests

from omniroute.settings import SETTINGS, SettingsError, load_settings, settings_table_markdown
from omniroute.store.secret_box import SecretBox, key_from_text
from tests.fake_upstream import FakeUpstream

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_defaults():
    values = load_settings({})
    assert values["PORT"] == 20128 and values["HOSTNAME"] == "127.0.0.1"
    assert values["DATA_DIR"] == os.path.expanduser("~/.omniroute")
    assert values["DATABASE_URL"] == "sqlite:///" + os.path.join(values["DATA_DIR"], "omniroute.db")
    assert values["REQUIRE_API_KEY"] is None and values["ENABLE_REQUEST_LOGS"] is False


@pytest.mark.parametrize(
    "name, raw",
    [
        ("PORT", "abc"),
        ("PORT", "70000"),
        ("THREADS", "0"),
        ("AUTH_COOKIE_SECURE", "maybe"),
        ("DATABASE_URL", "mysql://x"),
        ("BASE_URL", "localhost"),
        ("JWT_SECRET", "short"),
        ("UPSTREAM_READ_TIMEOUT", "-1"),
        ("REQUIRE_API_KEY", "perhaps"),
    ],
)
def test_bad_values_fail_naming_the_variable(name, raw):
    with pytest.raises(SettingsError, match=name):
        load_settings({name: raw})


@pytest.mark.parametrize(
    "name, raw, secret_part",
    [
        ("JWT_SECRET", "short", "short"),
        ("API_KEY_SECRET", "tiny-secret", "tiny-secret"),
        ("STORAGE_ENCRYPTION_KEY", "abc123", "abc123"),
        ("DATABASE_URL", "mysql://admin:hunter2-pw@db/x", "hunter2-pw"),
    ],
)
def test_errors_about_secret_settings_never_show_the_value(name, raw, secret_part):
    with pytest.raises(SettingsError, match=name) as caught:
        load_settings({name: raw})
    assert secret_part not in str(caught.value)
    assert "not valid" in str(caught.value)


def test_in_flight_cap_must_leave_threads_for_the_dashboard():
    with pytest.raises(SettingsError, match="MAX_IN_FLIGHT"):
        load_settings({"THREADS": "10", "MAX_IN_FLIGHT": "10"})


def test_every_setting_is_documented_in_the_readme():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    assert settings_table_markdown() in readme
    for setting in SETTINGS:
        assert setting.help and f"`{setting.name}`" in readme


@pytest.mark.parametrize(
    "text",
    [
        "ab" * 32,  # hex
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",  # base64 of 32 bytes
        "a long passphrase for storage",
    ],
)
def test_storage_key_forms(text):
    key = key_from_text(text)
    assert len(key) == 32
    box = SecretBox(key)
    assert box.decrypt(box.encrypt("sk-abc")) == "sk-abc"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _spawn(data_dir, **env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("PORT", "HOSTNAME"))}
    full_env.update({"DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", **env})
    return subprocess.Popen(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_ready(url: str, process, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            if requests.get(url + "/health", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise AssertionError("the server did not start")


def test_bad_environment_stops_start_up_with_a_message(tmp_path):
    process = _spawn(tmp_path, PORT="not-a-port")
    out, err = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "PORT" in err and "not-a-port" in err


def test_first_run_generates_password_and_secrets_then_sigterm_flushes_usage(tmp_path):
    upstream = FakeUpstream().start()
    port = _free_port()
    process = _spawn(tmp_path, PORT=str(port), USAGE_FLUSH_SECONDS="30")
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process)
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
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with _running(_spawn(tmp_path, PORT=str(port))) as first:
        _wait_ready(url, first)
    password = (tmp_path / "initial-password").read_text().strip()
    with _running(_spawn(tmp_path, PORT=str(port))) as second:
        _wait_ready(url, second)
        login = requests.post(url + "/api/auth/login", json={"password": password})
        assert login.status_code == 200
    assert second.returncode == 0
    assert password not in second.stdout_text


def _refused_start(data_dir, **env) -> str:
    """Start `python app.py`, expect it to refuse with exit code 2; its stderr."""
    process = _spawn(data_dir, **env)
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
    port = _free_port()
    with _running(_spawn(tmp_path, PORT=str(port), STORAGE_ENCRYPTION_KEY=KEY_A)) as first:
        _wait_ready(f"http://127.0.0.1:{port}", first)
    err = _refused_start(tmp_path, PORT=str(port), STORAGE_ENCRYPTION_KEY=KEY_B)
    assert "STORAGE_ENCRYPTION_KEY" in err and KEY_B not in err and KEY_A not in err
    with _running(_spawn(tmp_path, PORT=str(port), STORAGE_ENCRYPTION_KEY=KEY_A)) as again:
        _wait_ready(f"http://127.0.0.1:{port}", again)  # the right key still starts
    assert again.returncode == 0


def test_a_replaced_key_file_stops_start_up_even_without_the_canary(tmp_path):
    """A database from before the canary is checked against a stored provider key."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with _running(_spawn(tmp_path, PORT=str(port), INITIAL_PASSWORD="pw-12345678")) as first:
        _wait_ready(url, first)
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
    err = _refused_start(tmp_path, HOSTNAME="not.a.host.invalid", PORT=str(_free_port()))
    assert "HOSTNAME" in err and "not.a.host.invalid" in err


def test_a_port_in_use_stops_start_up_with_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        err = _refused_start(tmp_path, HOSTNAME="127.0.0.1", PORT=str(port))
    assert f"PORT={port}" in err and "in use" in err


@contextlib.contextmanager
def _running(process):
    """Stop `process` with SIGTERM on exit (kill it if it does not stop), keeping its output."""
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.stdout_text, _ = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
