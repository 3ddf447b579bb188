"""Home, the Costs overview and Health's trends in Debian's chromium: each chart is an image
whose accessible name states its numbers, the figures are there as text too, the pages keep
the page budget, have no axe violation, and do not scroll sideways on a phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from omniroute.clock import utcnow
from tests.e2e.axe import axe_violations
from tests.e2e.chromium import assert_page_budget, log_in
from tests.integration.stored_usage import store_usage, usage_row

browser_test = pytest.mark.browser


@pytest.fixture
def page(browser: Browser, gateway):
    """A fresh context that lets axe's injected script run (it bypasses the page's CSP)."""
    context = browser.new_context(base_url=gateway.url, bypass_csp=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def used(connected):
    now = utcnow()
    store_usage(
        connected,
        [
            usage_row(now, provider="openai", cost_usd=0.5, latency_ms=120.0),
            usage_row(now, provider="openai", cost_usd=0.25, status=502, latency_ms=80.0),
            usage_row(now - dt.timedelta(days=2), provider="anthropic", cost_usd=1.0),
        ],
    )
    return connected


def no_sideways_scroll(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 391)
            .map(e => `${e.tagName}#${e.id}.${e.className.baseVal ?? e.className}`).slice(0, 12)"""
    )
    assert width <= 390, f"the page is {width} px wide at 390 px: {wide}"


@browser_test
def test_home_charts_are_images_named_by_their_numbers(page: Page, used, browser):
    log_in(page)
    kpi = page.locator('[data-kpi="requests"]')
    expect(kpi.get_by_role("img")).to_have_accessible_name(
        re.compile(r"^Requests over the last 24 hours: lowest 0, highest 2, latest 2\.$")
    )
    expect(page.locator('[data-stat="spend"]')).to_have_text("$0.75")
    activity = page.locator("#home-activity").get_by_role("img")
    expect(activity).to_have_accessible_name(re.compile(r"^Requests over 84 days: 3 in total"))
    cost = page.locator("#home-cost")
    expect(cost.get_by_role("img")).to_have_accessible_name(
        "Cost by provider: anthropic $1.00 (57%); openai $0.75 (43%)."
    )
    expect(cost.locator('[data-share="anthropic"]')).to_contain_text("$1.00 · 57%")
    expect(page.locator('#home-health [data-provider="openai"]')).to_have_text("openai: healthy")
    assert axe_violations(page) == []
    no_sideways_scroll(page)
    assert_page_budget(
        browser, page, used.url, "/", lambda p: expect(p.locator("#home-cost")).to_be_visible()
    )


@browser_test
def test_costs_overview_shows_spend_forecast_and_exports(page: Page, used, browser):
    log_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Costs").click()
    page.goto("/costs")
    tabs = page.get_by_role("navigation", name="Costs sections")
    expect(tabs.get_by_role("link", name="Overview")).to_have_attribute("aria-current", "page")
    expect(page.locator('[data-spend="1"]')).to_have_text("$0.75")
    expect(page.locator('[data-spend="7"]')).to_have_text("$1.75")
    expect(page.locator("#forecast")).to_contain_text("Forecast for this month (estimate)")
    expect(page.locator("#costs-by-provider").get_by_role("img")).to_have_accessible_name(
        re.compile(r"^Cost by provider: anthropic \$1\.00")
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.endswith("-30d.csv")
    assert axe_violations(page) == []
    no_sideways_scroll(page)
    assert_page_budget(
        browser, page, used.url, "/costs", lambda p: expect(p.locator("#forecast")).to_be_visible()
    )


@browser_test
def test_health_trends_name_each_providers_latency_and_errors(page: Page, used, browser):
    log_in(page)
    page.goto("/dashboard/health")
    openai = page.locator('#health-trends tr[data-trend="openai"]')
    expect(openai.locator("[data-latency-chart]").get_by_role("img")).to_have_accessible_name(
        "Median latency of openai over the last 24 hours: lowest 80 ms, highest 80 ms, "
        "latest 80 ms."
    )
    expect(openai.locator("[data-error-chart]").get_by_role("img")).to_have_accessible_name(
        "Error rate of openai over the last 24 hours: lowest 50%, highest 50%, latest 50%."
    )
    assert axe_violations(page) == []
    no_sideways_scroll(page)
    assert_page_budget(
        browser,
        page,
        used.url,
        "/dashboard/health",
        lambda p: expect(p.locator("#health-trends")).to_be_visible(),
    )
