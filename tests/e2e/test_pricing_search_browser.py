"""Costs → Pricing in Debian's chromium: typing in the search box filters the rows in place
(htmx swaps only the table and pushes ?q= into the address bar)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.chromium import log_in


@pytest.mark.browser
def test_typing_filters_the_price_rows_in_place(page: Page, gateway):
    log_in(page)
    page.goto("/costs/pricing")
    rows = page.locator("#price-table tbody tr")
    everything = rows.count()
    page.evaluate("window.__samePage = 'yes'")
    box = page.get_by_label("Search by provider or model")
    box.press_sequentially("ds/", delay=30)
    expect(page).to_have_url(re.compile(r"/costs/pricing\?q=ds"))
    expect(rows.first.locator("th code")).to_have_text(re.compile(r"^ds/"))
    assert 0 < rows.count() < everything
    assert all(text.startswith("ds/") for text in rows.locator("th code").all_inner_texts())
    expect(box).to_be_focused()  # the box was not swapped away while typing
    assert page.evaluate("window.__samePage") == "yes"
    box.fill("no-such-model-xyz")
    expect(page.locator("[data-no-prices]")).to_be_visible()
