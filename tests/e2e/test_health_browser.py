"""The Health page and the Resilience settings tab in Debian's chromium: a breaker opening and
recovering without a reload, reset and unlock buttons, editing a breaker profile, and the page
budget."""

from __future__ import annotations

import re
import time

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.e2e.chromium import PAGE_BUDGET_BYTES, PAGE_BUDGET_REQUESTS, log_in
from tests.fake_upstream import Behavior
from tests.integration.test_health_dashboard import (
    breaker,
    chat,
    open_the_breaker,
    resilience,
    set_resilience,
)

browser_test = pytest.mark.browser


@browser_test
def test_health_page_shows_a_breaker_open_and_recover_without_reloading(
    page: Page, connected, upstream
):
    set_resilience(
        connected, {"profiles": {"api-key": {"failureThreshold": 2, "cooldownSeconds": 1}}}
    )
    log_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Health").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Health")
    page.goto("/dashboard/health?refresh=1")  # poll every second for the test
    page.evaluate("window.__samePage = 'yes'")
    openai = page.locator('#health-providers tr[data-provider="openai"]')
    expect(openai).to_have_attribute("data-state", "closed")
    expect(openai.locator("[data-breaker]")).to_have_text("closed")

    upstream.add(Behavior(status=500, error_message="upstream on fire"))
    assert chat(connected).status_code >= 500
    if breaker(connected)["state"] != "open":
        chat(connected)
    expect(openai).to_have_attribute("data-state", "open", timeout=5_000)
    expect(openai.locator("[data-breaker]")).to_have_text("open")
    expect(openai.locator("[data-total]")).to_have_text("2")
    expect(page.locator('#health-latency tr[data-latency="openai"]')).to_be_visible()

    upstream.reset()  # the provider recovers; after the cooldown the probe succeeds
    time.sleep(1.1)
    assert chat(connected).status_code == 200
    expect(openai).to_have_attribute("data-state", "closed", timeout=5_000)
    expect(openai.locator("[data-breaker]")).to_have_text("closed")
    assert page.evaluate("window.__samePage") == "yes", "the page reloaded"


@browser_test
def test_reset_and_unlock_buttons_update_the_cards_in_place(page: Page, connected, upstream):
    log_in(page)
    open_the_breaker(connected, upstream)
    admin = connected.admin()  # logged in before this address locks itself out
    with requests.Session() as stranger:
        for _ in range(5):
            stranger.post(connected.url + "/api/auth/login", json={"password": "wrong-password"})
    page.goto("/dashboard/health")
    page.evaluate("window.__samePage = 'yes'")
    openai = page.locator('#health-providers tr[data-provider="openai"]')
    expect(openai).to_have_attribute("data-state", "open")

    openai.get_by_role("button", name="Reset the breaker of openai").click()
    expect(page.get_by_role("status")).to_have_text("The breaker of openai was reset.")
    expect(openai).to_have_attribute("data-state", "closed")
    assert admin.get(connected.url + "/api/health").json()["providers"][0]["state"] == "closed"

    lockout = page.locator('#health-lockouts tr[data-lockout="login:127.0.0.1"]')
    expect(lockout).to_contain_text("Dashboard login")
    lockout.get_by_role("button", name="Unlock 127.0.0.1").click()
    expect(page.get_by_role("status")).to_have_text("127.0.0.1 was unlocked.")
    expect(page.locator("#no-lockouts")).to_be_visible()
    assert admin.get(connected.url + "/api/health").json()["lockouts"] == []
    assert page.evaluate("window.__samePage") == "yes", "the page reloaded"
    admin.close()


@browser_test
def test_edit_a_breaker_profile_in_the_resilience_tab(page: Page, gateway):
    log_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("navigation", name="Settings sections").get_by_role(
        "link", name="Resilience"
    ).click()
    expect(page).to_have_url(re.compile(r"/settings/resilience$"))
    page.evaluate("window.__samePage = 'yes'")
    card = page.locator("#resilience-profiles")

    card.get_by_role("link", name="Edit Circuit breaker profiles").click()
    expect(card.get_by_label("Failures to open").first).to_be_focused()
    api_key = card.locator('fieldset[data-profile="api-key"]')
    api_key.get_by_label("Failures to open").fill("4")
    api_key.get_by_label("Cooldown (seconds)").fill("20")
    card.get_by_role("link", name="Cancel").click()  # nothing saved
    expect(card.locator('tr[data-profile="api-key"] [data-field="failureThreshold"]')).to_have_text(
        "12"
    )
    expect(card.get_by_role("link", name="Edit Circuit breaker profiles")).to_be_focused()
    assert resilience(gateway)["profiles"]["api-key"]["failureThreshold"] == 12

    card.get_by_role("link", name="Edit Circuit breaker profiles").click()
    expect(card.get_by_label("Failures to open").first).to_be_focused()  # autofocus has run
    api_key = card.locator('fieldset[data-profile="api-key"]')
    api_key.get_by_label("Failures to open").fill("4")
    api_key.get_by_label("Cooldown (seconds)").fill("20")
    card.get_by_role("button", name="Save").click()
    expect(card.get_by_role("status")).to_have_text("Breaker profiles saved.")
    row_ = card.locator('tr[data-profile="api-key"]')
    expect(row_.locator('[data-field="failureThreshold"]')).to_have_text("4")
    expect(row_.locator('[data-field="cooldownSeconds"]')).to_have_text("20 s")
    assert resilience(gateway)["profiles"]["api-key"] == {
        "failureThreshold": 4,
        "windowSeconds": 30.0,
        "cooldownSeconds": 20.0,
    }
    assert page.evaluate("window.__samePage") == "yes", "the page reloaded"


@browser_test
def test_health_page_keeps_the_page_budget(browser, page: Page, connected, upstream):
    open_the_breaker(connected, upstream)
    log_in(page)
    cold = browser.new_context(base_url=connected.url, storage_state=page.context.storage_state())
    try:
        fresh = cold.new_page()
        seen = []
        fresh.on("requestfinished", lambda request: seen.append(request))
        fresh.goto("/dashboard/health", wait_until="networkidle")
        expect(fresh.locator('tr[data-provider="openai"]')).to_have_attribute("data-state", "open")
        assert 0 < len(seen) <= PAGE_BUDGET_REQUESTS, [r.url for r in seen]
        sizes = [r.sizes() for r in seen]
        total = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)
        assert total <= PAGE_BUDGET_BYTES, total
    finally:
        cold.close()
