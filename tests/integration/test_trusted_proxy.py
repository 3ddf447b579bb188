"""TRUSTED_PROXY: behind a reverse proxy the lockouts key on the real client, never on a header
a client can set itself."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import requests

from omniroute import ROOT
from omniroute.settings import SettingsError, load_settings
from tests.gateway_harness import ADMIN_PASSWORD


def login(gateway, password: str, forwarded_for: str, session=None) -> requests.Response:
    return (session or requests).post(
        gateway.url + "/api/auth/login",
        json={"password": password},
        headers={"X-Forwarded-For": forwarded_for},
    )


def test_behind_the_trusted_proxy_a_lockout_holds_only_the_forwarded_client(start):
    gateway = start(TRUSTED_PROXY="127.0.0.1")
    for _ in range(5):
        assert login(gateway, "wrong", "203.0.113.5").status_code == 401
    assert login(gateway, ADMIN_PASSWORD, "203.0.113.5").status_code == 429
    assert login(gateway, ADMIN_PASSWORD, "203.0.113.9").status_code == 200
    lockout = gateway.services.login_lockout
    assert lockout.retry_after("203.0.113.5") > 0 and lockout.retry_after("127.0.0.1") == 0


def test_without_a_trusted_proxy_forwarded_for_is_ignored(start):
    gateway = start()
    for number in range(5):
        assert login(gateway, "wrong", f"198.51.100.{number}").status_code == 401
    assert login(gateway, ADMIN_PASSWORD, "198.51.100.200").status_code == 429
    lockout = gateway.services.login_lockout
    assert lockout.retry_after("127.0.0.1") > 0
    assert all(lockout.retry_after(f"198.51.100.{number}") == 0 for number in range(5))


def test_another_peer_than_the_trusted_proxy_cannot_forward(start):
    gateway = start(TRUSTED_PROXY="192.0.2.1")  # the tests connect from 127.0.0.1
    for number in range(5):
        assert login(gateway, "wrong", f"198.51.100.{number}").status_code == 401
    assert gateway.services.login_lockout.retry_after("127.0.0.1") > 0


def test_wrong_api_keys_lock_the_forwarded_client(start):
    gateway = start(TRUSTED_PROXY="127.0.0.1", REQUIRE_API_KEY=True)

    def call(forwarded_for: str) -> int:
        return requests.get(
            gateway.v1 + "/models",
            headers={"Authorization": "Bearer sk-wrong", "X-Forwarded-For": forwarded_for},
        ).status_code

    assert [call("203.0.113.5") for _ in range(10)] == [401] * 10
    assert call("203.0.113.5") == 429
    assert call("203.0.113.9") == 401


def test_the_scheme_and_host_follow_the_proxy(start):
    """Over HTTPS the CSRF check also compares the Referer with the host: both come from the
    proxy's X-Forwarded-Proto and X-Forwarded-Host."""
    gateway = start(TRUSTED_PROXY="127.0.0.1")
    session = requests.Session()
    session.trust_env = False
    token = login(gateway, ADMIN_PASSWORD, "203.0.113.9", session).json()["csrfToken"]
    forwarded = {
        "X-CSRFToken": token,
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "ai.example.com",
    }
    elsewhere = {**forwarded, "Referer": "https://evil.example.net/"}
    refused = session.post(gateway.url + "/api/auth/logout", headers=elsewhere)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "csrf_failed"
    own_page = {**forwarded, "Referer": "https://ai.example.com/dashboard"}
    assert session.post(gateway.url + "/api/auth/logout", headers=own_page).status_code == 204


@pytest.mark.parametrize(
    "raw, parsed",
    [("", None), ("*", "*"), (" 127.0.0.1 ", "127.0.0.1"), ("0:0:0:0:0:0:0:1", "::1")],
)
def test_trusted_proxy_values(raw, parsed):
    assert load_settings({"TRUSTED_PROXY": raw})["TRUSTED_PROXY"] == parsed


@pytest.mark.parametrize("raw", ["proxy.local", "127.0.0.1:8080", "10.0.0.0/8", "**"])
def test_a_bad_trusted_proxy_fails_naming_the_variable(raw):
    with pytest.raises(SettingsError, match="TRUSTED_PROXY"):
        load_settings({"TRUSTED_PROXY": raw})


def test_a_bad_trusted_proxy_stops_start_up(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORT", "HOSTNAME"))}
    env.update(DATA_DIR=str(tmp_path), TRUSTED_PROXY="my-proxy")
    process = subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
    )
    assert process.returncode == 2
    assert "TRUSTED_PROXY" in process.stderr and "my-proxy" in process.stderr


@pytest.mark.parametrize(("settings", "required"), [
    ({"TRUSTED_PROXY": "127.0.0.1"}, True),  # public through the proxy
    ({"TRUSTED_PROXY": "127.0.0.1", "REQUIRE_API_KEY": False}, False),  # forced off
    ({}, False),  # loopback only
])  # fmt: skip
def test_a_trusted_proxy_makes_api_keys_required_by_default(start, settings, required):
    gateway = start(**settings)
    assert gateway.services.client_auth.required is required
    answer = requests.post(gateway.url + "/v1/chat/completions", json={}, timeout=5)
    assert (answer.status_code == 401) is required
