"""Shared fixtures (the fake upstream, a real gateway served by waitress, its admin session, a
fake clock, the databases, the fake OAuth server and what signs in against it) and the markers:
every test is marked `unit`, `integration` or `e2e` by the folder it lives in, `browser` when it
drives chromium and `postgres` when it needs the PostgreSQL server."""

from __future__ import annotations

import pytest

from omniroute.oauth.overrides import providers_for
from omniroute.oauth.sign_in import SignInService
from tests.fake_clock import FakeClock
from tests.fake_upstream import FakeUpstream
from tests.fakes.oauth_server import OAuthFake
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
def start(tmp_path):
    """Start gateways with settings of the test's choosing (`start(TRUSTED_PROXY=...)`), each
    on a fresh data dir, all stopped at the end."""
    running = []

    def start_with(**settings):
        running.append(start_gateway(str(tmp_path / f"data{len(running)}"), **settings))
        return running[-1]

    yield start_with
    for gateway in running:
        gateway.stop()


@pytest.fixture
def keyed(tmp_path, upstream):
    """A gateway requiring API keys, with one OpenAI account on the fake and one key (`key`,
    `key_id`)."""
    running = start_gateway(str(tmp_path / "keyed"), REQUIRE_API_KEY=True)
    running.add_connection(upstream.url)
    with running.admin() as session:
        response = session.post(running.url + "/api/keys", json={"name": "laptop"})
    assert response.status_code == 201, response.text
    running.key, running.key_id = response.json()["key"], response.json()["id"]
    yield running
    running.stop()


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


@pytest.fixture(scope="module")
def fake():
    """The fake OAuth and device-code server (tests/fakes/oauth_server.py), one per module."""
    server = OAuthFake().start()
    yield server
    server.stop()


@pytest.fixture
def signing_gateway(fake, tmp_path):
    """A gateway whose sign-in endpoints all point at the fake OAuth server."""
    fake.overrides(tmp_path / "data")
    running = start_gateway(str(tmp_path / "data"))
    yield running
    running.stop()


@pytest.fixture
def saved():
    """What the sign-in service under test saved, in order (a connection id is its place)."""
    return []


@pytest.fixture
def service(fake, saved, clock, tmp_path):
    """The sign-in service with every provider URL pointing at the fake, saving into `saved`."""
    fake.overrides(tmp_path)

    def save(signed_in):
        saved.append(signed_in)
        return len(saved)

    running = SignInService(providers_for(tmp_path), save, clock=clock)
    yield running
    running.close()
