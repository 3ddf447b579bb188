"""Shared fixtures: the fake upstream and a real gateway served by waitress."""

from __future__ import annotations

import pytest

from tests.fake_upstream import FakeUpstream
from tests.gateway_harness import start_gateway


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
