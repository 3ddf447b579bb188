"""The browser fixtures: one chromium per test module, and for each test a fresh browser context
(no cookies, no cache) on a fresh gateway."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.e2e.chromium import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="module")
def browser():
    # A missing browser fails (never skips): `.ci/run` installs Debian's chromium.
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is not installed (apt-get install chromium)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, gateway):
    context = browser.new_context(base_url=gateway.url)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
