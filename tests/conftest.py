"""Shared fixtures (the fake upstream, a real gateway served by waitress, its admin session, a
fake clock, the databases) and the markers: every test is marked `unit`, `integration` or `e2e`
by the folder it lives in, `browser` when it drives chromium and `postgres` when it needs the
PostgreSQL server."""

from __future__ import annotations

import pytest

from tests.fake_clock import FakeClock
from tests.fake_upstream import FakeUpstream
from tests.gateway_harness import start_gateway

TIERS = ("unit", "integration", "e2e")
BROWSER_FIXTURES = {"browser", "page"}  # tests/e2e/conftest.py


def pytest_collection_modifyitems(config, items):
    tests_dir = config.rootpath / "tests"
    for item in items:
        if item.path.is_relative_to(tests_dir):
            folder = item.path.relative_to(tests_dir).parts[0]
            if folder in TIERS:
                item.add_marker(folder)
        if BROWSER_FIXTURES & set(item.fixturenames):
            item.add_marker("browser")
        params = getattr(item, "callspec", None)
        on_postgres = params is not None and params.params.get("database_url") == "postgresql"
        if on_postgres or "postgres" in item.fixturenames:
            item.add_marker("postgres")


@pytest.fixture(scope="session")
def upstream_server():
    server = FakeUpstream().start()
    yield server
    server.stop()


@pytest.fixture
def upstream(upstream_server):
    upstream_server.reset()
    yield upstream_server
    upstream_server.reset()


@pytest.fixture
def gateway(tmp_path):
    running = start_gateway(str(tmp_path / "data"))
    yield running
    running.stop()


@pytest.fixture
def connected(gateway, upstream):
    """A gateway with one OpenAI connection pointing at the fake upstream."""
    gateway.add_connection(upstream.url)
    return gateway


@pytest.fixture
def admin(gateway):
    """The gateway's logged-in management session (sending the CSRF header)."""
    return gateway.admin()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server on 127.0.0.1 for this test session."""
    from tests.pg_server import PostgresServer, postgres_bin_dir

    if postgres_bin_dir() is None:
        pytest.fail("PostgreSQL is not installed (apt-get install postgresql; .ci/run does it)")
    server = PostgresServer().start()
    yield server
    server.stop()


_database_counter = iter(range(1, 1_000_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database of each kind the store supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    server = request.getfixturevalue("postgres")
    return server.create_database(f"omniroute_test_{next(_database_counter)}")
