"""`python app.py` prints one line at start-up: where it listens, and whether /v1 requires API keys
and why — the same decision the API-key check makes (REQUIRE_API_KEY, listening beyond loopback,
TRUSTED_PROXY)."""

from __future__ import annotations

import pytest
import requests

from omniroute.proxy.client_auth import key_requirement
from omniroute.settings import load_settings
from tests.app_process import free_port, running, spawn, wait_ready


def startup_line(process) -> str:
    for line in process.stdout:
        if line.startswith("OmniRoute listening on"):
            return line.strip()
    raise AssertionError("no start-up line")


@pytest.mark.parametrize(
    ("env", "required", "because"),
    [
        ({}, False, "only loopback clients can reach it"),
        ({"REQUIRE_API_KEY": "true"}, True, "REQUIRE_API_KEY=true"),
        ({"TRUSTED_PROXY": "127.0.0.1"}, True, "TRUSTED_PROXY=127.0.0.1"),
    ],
    ids=["loopback", "forced", "behind-a-proxy"],
)
def test_the_startup_line_says_whether_v1_requires_keys(tmp_path, env, required, because):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = spawn(tmp_path, PORT=str(port), INITIAL_PASSWORD="startup-line-pw", **env)
    with running(process):
        line = startup_line(process)
        wait_ready(url, process)
        answer = requests.post(url + "/v1/chat/completions", json={"model": "x"}, timeout=10)
    assert line.startswith(f"OmniRoute listening on {url}; /v1 ")
    assert ("requires API keys" in line) is required
    assert because in line
    assert (answer.status_code == 401) is required  # what the line says is what /v1 does


@pytest.mark.parametrize(
    ("environ", "required", "because"),
    [
        ({"HOSTNAME": "0.0.0.0"}, True, "HOSTNAME=0.0.0.0 listens beyond loopback"),
        ({"HOSTNAME": "0.0.0.0", "REQUIRE_API_KEY": "false"}, False, "REQUIRE_API_KEY=false"),
        ({"HOSTNAME": "127.0.0.2"}, False, "only loopback clients"),
    ],
)
def test_the_key_requirement_names_its_reason(environ, required, because):
    decided, reason = key_requirement(load_settings(environ))
    assert decided is required and because in reason
