"""The provider catalog and "Sync models" in Debian's chromium: the server-side search as you
type (htmx swaps the results, the address follows), the filters, axe-core finding nothing on
the catalog or on a provider's synced models, and the catalog's page budget at 100+ providers.
Plain HTTP: tests/integration/test_catalog_filters.py and test_sync_models.py."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from omniroute.providers.catalog import CATALOG
from tests.e2e.axe import axe_violations
from tests.e2e.chromium import assert_page_budget, log_in

browser_test = pytest.mark.browser
ROWS = "#catalog-table tr[data-provider]"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 720}


@pytest.fixture
def page(browser: Browser, gateway):
    """A fresh context that lets axe's injected script run (it bypasses the page's CSP)."""
    context = browser.new_context(base_url=gateway.url, bypass_csp=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@browser_test
def test_search_as_you_type_and_filters(page: Page, gateway, upstream, browser):
    gateway.add_connection(upstream.url)
    log_in(page)
    page.goto("/providers/catalog")
    page.evaluate("window.__samePage = 'yes'")
    expect(page.locator(ROWS)).to_have_count(len(CATALOG))
    assert axe_violations(page) == []
    page.set_viewport_size(PHONE)  # the group links wrap: each still a 24 px target
    assert axe_violations(page) == []
    page.set_viewport_size(DESKTOP)

    page.get_by_label("Search providers").press_sequentially("grok", delay=30)
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator("#catalog-xai")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/providers/catalog\?q=grok"))
    expect(page.get_by_role("status")).to_have_text(f"1 of {len(CATALOG)} provider matches")
    page.get_by_label("Search providers").fill("zzz-nothing")
    expect(page.locator("#catalog-empty")).to_be_visible()
    page.get_by_label("Search providers").fill("")
    expect(page.locator(ROWS)).to_have_count(len(CATALOG))

    page.get_by_label("Group").select_option("aggregator")
    aggregators = [spec.id for spec in CATALOG if spec.group == "aggregator"]
    expect(page.locator(ROWS)).to_have_count(len(aggregators))
    page.get_by_label("Group").select_option("")
    page.get_by_label("Configured only", exact=True).check()
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator("#catalog-openai")).to_be_visible()
    assert axe_violations(page) == []
    assert page.evaluate("window.__samePage") == "yes"  # swapped in place, never reloaded

    page.reload()  # the address kept the filters
    expect(page.get_by_label("Configured only", exact=True)).to_be_checked()
    expect(page.locator(ROWS)).to_have_count(1)
    page.locator("#catalog-openai a").click()
    expect(page).to_have_url(re.compile(r"/providers/openai$"))

    assert_page_budget(
        browser,
        page,
        gateway.url,
        "/providers/catalog",
        lambda p: expect(p.locator(ROWS)).to_have_count(len(CATALOG)),
    )


@browser_test
def test_sync_models_on_the_provider_page(page: Page, gateway, upstream):
    gateway.add_connection(upstream.url)
    upstream.model_ids = ["fresh-model"]
    log_in(page)
    page.goto("/providers/openai")
    page.evaluate("window.__samePage = 'yes'")
    page.get_by_role("button", name="Sync models").click()
    expect(page.locator("#sync-result")).to_contain_text("Synced: 1 new, 0 retired, 1 listed")
    fresh = page.locator('#models-panel tr[data-model="fresh-model"]')
    expect(fresh.locator("[data-model-source]")).to_have_text("Synced")
    upstream.model_ids = []
    page.get_by_role("button", name="Sync models").click()
    expect(page.locator("#sync-result")).to_contain_text("Synced: 0 new, 1 retired, 0 listed")
    expect(fresh.locator("[data-model-status]")).to_contain_text("Retired")
    assert page.evaluate("window.__samePage") == "yes"
    assert axe_violations(page) == []
