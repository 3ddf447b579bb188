"""A gateway process starts with what serving the client API needs and nothing else: the
dashboard (its blueprints, forms, login and translations) is built by the first request that
reaches it, a SQLite gateway never loads the PostgreSQL driver, and requests and urllib3 are
loaded by the first call that needs them (a sign-in, token or quota call, a proxied route).
The real `python app.py` runs with PYTHONPROFILEIMPORTTIME, whose report on stderr names every
module the process imported."""

from __future__ import annotations

import re
import threading

import pytest
import requests

from omniroute import create_app
from omniroute.web.deferred import DASHBOARD_EXTENSION
from tests.app_process import free_port, running, spawn, wait_ready
from tests.gateway_harness import start_gateway

CALLED_WHEN_NEEDED = {"requests", "urllib3"}  # sign-in, token and quota calls, proxied routes
DASHBOARD_MODULES = {
    "omniroute.web.wiring",
    "omniroute.web.areas",
    "flask_login",
    "flask_wtf",
    "flask_babel",
}


def imported_modules(importtime_report: str) -> set[str]:
    return set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", importtime_report, re.M))


def run_gateway(tmp_path, *paths: str) -> tuple[set[str], dict[str, int]]:
    """Start app.py, ask for /health and then `paths`; the modules it imported and the answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    statuses = {}
    report = tmp_path / "importtime.txt"
    with open(report, "w") as stderr:
        process = spawn(tmp_path / "data", stderr, PORT=str(port), PYTHONPROFILEIMPORTTIME="1")
        with running(process):
            wait_ready(url, process)
            assert requests.get(url + "/v1/models", timeout=5).status_code == 200
            for path in paths:
                answer = requests.get(url + path, timeout=10, allow_redirects=False)
                statuses[path] = answer.status_code
    return imported_modules(report.read_text()), statuses


def test_the_client_api_serves_without_the_dashboard_or_the_postgres_driver(tmp_path):
    modules, _ = run_gateway(tmp_path)
    assert "omniroute.clientapi.wsgi" in modules and "waitress.server" in modules  # it reports
    assert not modules & DASHBOARD_MODULES
    assert not modules & CALLED_WHEN_NEEDED
    # (a module looked for and not found is reported too: psycopg2's compiled core is not)
    assert "psycopg2._psycopg" not in modules and "peewee" in modules


def test_the_first_dashboard_request_builds_the_dashboard(tmp_path):
    modules, statuses = run_gateway(tmp_path, "/login", "/api/providers")
    assert statuses == {"/login": 200, "/api/providers": 401}
    assert modules >= DASHBOARD_MODULES
    assert not modules & CALLED_WHEN_NEEDED
    assert "psycopg2._psycopg" not in modules


def test_concurrent_first_requests_build_the_dashboard_once(tmp_path):
    gateway = start_gateway(str(tmp_path))
    try:
        dashboard = gateway.app.extensions[DASHBOARD_EXTENSION]
        assert requests.get(gateway.v1 + "/models", timeout=5).status_code == 200
        assert not dashboard.done and "pages.auth.login" not in gateway.app.view_functions
        statuses: list[int] = []
        start = threading.Barrier(8)

        def first_page() -> None:
            start.wait()
            statuses.append(requests.get(gateway.url + "/login", timeout=30).status_code)

        threads = [threading.Thread(target=first_page) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        # a second setup would register the blueprints twice, which Flask refuses with an error
        assert statuses == [200] * 8
        assert dashboard.done and len(list(gateway.app.url_map.iter_rules())) > 200
    finally:
        gateway.stop()


def test_a_setup_that_fails_is_tried_again_by_the_next_request(tmp_path):
    app = create_app({"DATA_DIR": str(tmp_path)})
    dashboard = app.extensions[DASHBOARD_EXTENSION]
    real_setup, calls = dashboard._setup, []

    def failing_once() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise OSError("templates unreadable")
        real_setup()

    dashboard._setup = failing_once
    client = app.test_client()
    with pytest.raises(OSError, match="templates unreadable"):
        client.get("/login")
    assert not dashboard.done
    assert client.get("/login").status_code == 200 and dashboard.done and len(calls) == 2
    app.extensions["omniroute"].close()
