"""Usage → Requests in Debian's chromium: a row's "Details" link opens the request detail drawer
(keyboard and mouse), focus moves into it, Escape and Close shut it and focus returns to the
link; the drawer passes axe and fits a phone's width; the page keeps its budget."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.e2e.axe import axe_violations
from tests.e2e.chromium import assert_page_budget, log_in
from tests.gateway_harness import ADMIN_PASSWORD, start_gateway
from tests.integration.test_costs_budgets import CHAT

browser_test = pytest.mark.browser
SECRET = "private-token-value-123"


@pytest.fixture
def gateway(tmp_path):
    """A gateway that keeps request logs (headers and bodies) — the `page` fixture serves it."""
    started = start_gateway(str(tmp_path / "drawer"), ENABLE_REQUEST_LOGS=True)
    yield started
    started.stop()


def one_request(gateway) -> None:
    headers = {"X-Secret-Token": SECRET, "X-Trace-Label": "visible-label"}
    reply = requests.post(gateway.v1 + "/chat/completions", json=CHAT, headers=headers)
    assert reply.status_code == 200
    gateway.flush_usage()


def focus_in_drawer(page: Page) -> bool:
    return page.evaluate("() => !!document.activeElement.closest('#request-drawer')")


@browser_test
def test_the_drawer_opens_from_the_keyboard_and_gives_focus_back(page: Page, connected):
    one_request(connected)
    log_in(page)
    page.goto("/usage/requests")
    page.evaluate("window.__samePage = 'yes'")
    link = page.locator("a[data-detail]").first
    link.focus()
    page.keyboard.press("Enter")
    drawer = page.locator("#request-drawer")
    expect(drawer).to_be_visible()
    expect(drawer.locator("[data-summary]")).to_be_visible()
    assert focus_in_drawer(page)
    expect(drawer.locator("[data-headers]")).to_contain_text("visible-label")
    expect(drawer.locator("[data-headers]")).to_contain_text("•••")
    expect(drawer).not_to_contain_text(SECRET)
    expect(drawer.locator("[data-attempt]")).to_have_count(1)
    assert page.evaluate("window.__samePage") == "yes"  # no navigation: htmx filled the drawer
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    expect(link).to_be_focused()


@browser_test
@pytest.mark.parametrize("width", [1366, 390])
def test_the_open_drawer_passes_axe(browser, connected, width):
    one_request(connected)
    # axe is injected inline, which the dashboard's CSP refuses: this context bypasses it
    context = browser.new_context(base_url=connected.url, bypass_csp=True)
    try:
        checked = context.new_page()
        checked.set_viewport_size({"width": width, "height": 900})
        log_in(checked)
        checked.goto("/usage/requests")
        checked.locator("a[data-detail]").first.click()
        expect(checked.locator("#request-drawer [data-summary]")).to_be_visible()
        assert axe_violations(checked) == []
    finally:
        context.close()


@browser_test
def test_the_close_button_shuts_the_drawer_and_a_phone_keeps_its_width(page: Page, connected):
    one_request(connected)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page)
    page.goto("/usage/requests")
    link = page.locator("a[data-detail]").first
    link.click()
    drawer = page.locator("#request-drawer")
    expect(drawer).to_be_visible()
    assert focus_in_drawer(page)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
    box = drawer.bounding_box()
    assert box is not None and box["width"] <= 390
    drawer.get_by_role("button", name="Close").click()
    expect(drawer).to_be_hidden()
    expect(link).to_be_focused()


@browser_test
def test_without_javascript_the_link_opens_the_detail_page(browser, connected):
    one_request(connected)
    context = browser.new_context(base_url=connected.url, java_script_enabled=False)
    try:
        plain = context.new_page()
        log_in_without_js(plain)
        plain.goto("/usage/requests")
        plain.locator("a[data-detail]").first.click()
        expect(plain).to_have_url(re.compile(r"/usage/requests/[0-9a-f]+$"))
        expect(plain.locator("h1")).to_have_text("Request details")
        expect(plain.locator("[data-headers]")).to_contain_text("visible-label")
    finally:
        context.close()


def log_in_without_js(page: Page) -> None:
    page.goto("/login")
    page.locator("#password").fill(ADMIN_PASSWORD)
    page.locator("#password").press("Enter")
    expect(page).to_have_url(re.compile(r"^https?://[^/?#]+/$"))


@browser_test
def test_the_request_log_keeps_its_page_budget(browser, page: Page, connected):
    one_request(connected)
    log_in(page)
    assert_page_budget(
        browser,
        page,
        connected.url,
        "/usage/requests",
        lambda fresh: expect(fresh.locator("a[data-detail]").first).to_be_visible(),
    )
