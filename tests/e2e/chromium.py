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


def assert_page_budget(
    browser,
    page: Page,
    base_url: str,
    path: str,
    ready,
    wait_until: str = "networkidle",
    status: int = 200,
) -> None:
    """Open `path` cold (no cache, the logged-in `page`'s cookies) and check the page budget:
    at most PAGE_BUDGET_REQUESTS requests and PAGE_BUDGET_BYTES, none to another origin, no
    web font, no script error and no console error (a CSP refusal is reported there).
    `ready(page)` waits for the page's content; a page holding a live feed open never goes
    network-idle, so it is opened with `wait_until="load"`. The page answers `status` (the
    console's report of an error page's own status is not counted as an error)."""
    cold = browser.new_context(base_url=base_url, storage_state=page.context.storage_state())
    try:
        fresh = cold.new_page()
        seen, errors, console = [], [], []
        fresh.on("requestfinished", lambda request: seen.append(request))
        fresh.on("pageerror", lambda error: errors.append(str(error)))
        fresh.on("console", lambda m: console.append(m) if m.type == "error" else None)
        response = fresh.goto(path, wait_until=wait_until)  # type: ignore[arg-type]
        assert response is not None and response.status == status, path
        ready(fresh)
        own_status = status != 200
        errors += [
            m.text for m in console if not (own_status and m.location["url"] == response.url)
        ]
        urls = [r.url for r in seen]
        assert [r.url for r in seen if r.resource_type == "font"] == []
        assert 0 < len(seen) <= PAGE_BUDGET_REQUESTS, urls
        assert all(u.startswith(base_url) for u in urls), urls
        total = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in seen)
        assert total <= PAGE_BUDGET_BYTES, f"{total} bytes for {urls}"
        assert errors == []
    finally:
        cold.close()
