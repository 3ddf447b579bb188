"""Fixtures shared by the integration tests of the cloud platforms."""

from __future__ import annotations

import pytest

from tests.fakes.cloud_platforms import CloudPlatformFake


@pytest.fixture
def cloud(upstream):
    """Start a platform's fake in front of the chat fake upstream (stopped at the end)."""
    running = []

    def start(platform):
        running.append(CloudPlatformFake(platform, upstream.url).start())
        return running[-1]

    yield start
    for fake in running:
        fake.stop()
