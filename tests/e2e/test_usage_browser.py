"""The Usage and Costs pages in Debian's chromium: the range picker, a budget and its bar, and a
price edited in place then reset."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.e2e.chromium import log_in
from tests.integration.test_costs_budgets import CHAT, admin_call, bearer, create_key
from tests.integration.test_usage_pages import past_usage

browser_test = pytest.mark.browser


@browser_test
def test_usage_range_picker_changes_the_numbers(page: Page, connected):
    past_usage(connected, hours_ago=72, count=4)
    requests.post(connected.v1 + "/chat/completions", json=CHAT)
    connected.flush_usage()
    log_in(page)
    page.goto("/usage")
    requests_stat = page.locator('[data-stat="requests"]')
    expect(requests_stat).to_have_text("1")
    page.evaluate("window.__samePage = 'yes'")
    page.get_by_role("link", name="7 d").click()
    expect(requests_stat).to_have_text("5")
    expect(page).to_have_url(re.compile(r"/usage\?range=7d$"))
    assert page.evaluate("window.__samePage") == "yes"  # htmx swapped the report in place
    expect(page.locator('[data-chart="requests"] rect')).to_have_count(2)  # two days with requests
    page.get_by_role("link", name="24 h").click()
    expect(requests_stat).to_have_text("1")
    page.get_by_role("link", name="Request log").click()
    expect(page.locator("tr[data-request]")).to_have_count(5)


@browser_test
def test_set_a_budget_and_see_its_bar(page: Page, connected):
    key = create_key(connected, "team")
    requests.post(connected.v1 + "/chat/completions", json=CHAT, headers=bearer(key))
    connected.flush_usage()
    log_in(page)
    page.goto("/costs/budgets")
    expect(page.locator("#no-budgets")).to_be_visible()
    form = page.locator("#budget-form")
    form.get_by_label("API key").select_option(label="team")
    form.get_by_label("Limit (USD)").fill("0.000005")
    form.get_by_label("Period (UTC)").select_option("daily")
    form.get_by_role("button", name="Save budget").click()
    card = page.locator(f'article[data-budget="{key["id"]}"]')
    expect(card).to_be_visible()
    expect(card.get_by_role("progressbar")).to_be_visible()
    expect(card).to_have_attribute("data-state", "over")
    expect(card.locator("[data-limit]")).to_contain_text("$0.000005")
    expect(card.locator("[data-reset]")).to_contain_text("Resets")
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Remove budget").click()
    expect(page.locator("#no-budgets")).to_be_visible()


@browser_test
def test_edit_a_price_in_place_and_reset_it(page: Page, gateway):
    log_in(page)
    page.goto("/costs/pricing")
    row = page.locator('tr[data-price="openai/gpt-4o-mini"]')
    expect(row.locator('[data-field="input"]')).to_have_text("0.15")
    page.evaluate("window.__samePage = 'yes'")
    row.get_by_role("link", name="Edit").click()
    expect(row.get_by_label("Input", exact=True)).to_be_focused()
    row.get_by_label("Input", exact=True).fill("0.5")
    row.get_by_label("Output", exact=True).fill("1.5")
    row.get_by_role("button", name="Save price").click()
    expect(row.locator('[data-field="input"]')).to_have_text("0.5")
    expect(row.locator('[data-field="output"]')).to_have_text("1.5")
    expect(row).to_have_attribute("data-source", "custom")
    assert page.evaluate("window.__samePage") == "yes"
    mini = next(
        r
        for r in admin_call(gateway, "GET", "/api/pricing").json()["data"]
        if r["model"] == "gpt-4o-mini"
    )
    assert (mini["input"], mini["output"]) == (0.5, 1.5)
    row.get_by_role("button", name="Reset to catalog: openai/gpt-4o-mini").click()
    expect(row.locator('[data-field="input"]')).to_have_text("0.15")
    expect(row).to_have_attribute("data-source", "catalog")
