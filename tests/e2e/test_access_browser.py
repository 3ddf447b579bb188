"""Settings → Security in Debian's chromium: the IP access control and provider blocking
sections (Edit / Save / Cancel without a reload, a bad entry and a self-lockout shown in the
section), the blocked badge on the Providers page, and no CSP violation on any dashboard page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.chromium import log_in
from tests.integration.test_fallback_rules import add_combo

browser_test = pytest.mark.browser
PAGES = ["/", "/providers", "/providers/catalog", "/combos", "/keys", "/usage", "/costs"]
PAGES += ["/translator", "/translator/chat", "/translator/monitor", "/dashboard/health"]
PAGES += ["/settings/routing", "/settings/resilience", "/settings/security"]


@browser_test
def test_ip_access_section_edit_save_cancel_and_errors(page: Page, gateway):
    log_in(page)
    page.goto("/settings/security")
    page.evaluate("window.__samePage = 'yes'")
    section = page.locator("#ip-access")
    section.get_by_role("link", name="Edit").click()
    expect(section.locator("textarea[name='v1.allow']")).to_be_focused()
    deny = section.locator("textarea[name='v1.deny']")
    deny.fill("10.9.9.9\n2001:db8::/32")
    expect(deny).to_have_value("10.9.9.9\n2001:db8::/32")  # the form that is sent holds them
    section.get_by_role("button", name="Save").click()
    expect(section.locator("[data-saved]")).to_be_visible()
    expect(section.locator("[data-list='v1.deny']")).to_contain_text("2001:db8::/32")
    api = gateway.admin().get(gateway.url + "/api/settings/ip-access").json()
    assert api["v1"]["deny"] == ["10.9.9.9/32", "2001:db8::/32"]

    section.get_by_role("link", name="Edit").click()
    section.locator("textarea[name='v1.allow']").fill("not-an-address")
    section.get_by_role("button", name="Save").click()
    expect(section.locator("[data-error='v1.allow']")).to_contain_text("not-an-address")
    section.locator("textarea[name='v1.allow']").fill("")
    section.locator("textarea[name='dashboard.allow']").fill("10.0.0.0/8")
    section.get_by_role("button", name="Save").click()
    expect(section.locator("[data-error='lockout']")).to_contain_text("127.0.0.1")
    section.get_by_role("link", name="Cancel").click()
    expect(section.get_by_role("link", name="Edit")).to_be_visible()
    expect(section.locator("[data-list='dashboard.allow']")).to_contain_text("none")
    assert page.evaluate("window.__samePage") == "yes"  # swapped in place, no reload


@browser_test
def test_provider_blocking_section_and_the_greyed_badges(page: Page, gateway, upstream):
    gateway.add_connection(upstream.url, provider="openai", apiKey="sk-openai")
    add_combo(gateway, "mixed", ["openai/gpt-4o"])
    log_in(page)
    page.goto("/settings/security")
    section = page.locator("#provider-blocking")
    section.get_by_role("link", name="Edit").click()
    section.get_by_role("checkbox", name="OpenAI").check()
    section.get_by_role("button", name="Save").click()
    expect(section.locator("[data-saved]")).to_be_visible()
    expect(section.locator("[data-blocked]")).to_contain_text("openai")
    page.goto("/providers")
    expect(page.locator("article.conn.blocked [data-blocked]")).to_have_text("blocked")
    page.goto("/combos")
    expect(page.locator("[data-combo='mixed'] li.blocked [data-blocked]")).to_be_visible()
    page.goto("/settings/security")
    section.get_by_role("link", name="Edit").click()
    section.get_by_role("checkbox", name="OpenAI").uncheck()
    section.get_by_role("button", name="Save").click()
    expect(section.locator("[data-blocked]")).to_contain_text("No provider is blocked")


@browser_test
def test_no_dashboard_page_breaks_the_content_security_policy(page: Page, gateway):
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: violations.append(f"{page.url}: {error}"))
    log_in(page)
    for path in PAGES:
        page.goto(path, wait_until="load")
        expect(page.locator("main")).to_be_visible()
    page.goto("/settings/security")
    page.locator("#lang-select").select_option("id")  # the switcher works without inline JS
    expect(page.locator("html")).to_have_attribute("lang", "id")
    page.locator("#lang-select").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert violations == []
