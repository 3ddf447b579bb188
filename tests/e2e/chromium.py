"""Debian's chromium under Playwright: how it is launched, logging in to the dashboard, and the
page budget every page must keep (the fixtures `browser` and `page` are in conftest.py)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.gateway_harness import ADMIN_PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PAGE_BUDGET_BYTES = 100 * 1024
PAGE_BUDGET_REQUESTS = 5


def log_in(page: Page) -> None:
    page.goto("/login")
    page.locator("#password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # Anchored: "/login?next=/" (a login that did not take) also ends with "/".
    expect(page).to_have_url(re.compile(r"^https?://[^/?#]+/$"))
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
