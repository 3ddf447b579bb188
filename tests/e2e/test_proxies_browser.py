"""Settings → Advanced → Outbound proxies in Debian's chromium: adding a global and a provider
proxy, editing one (Edit / Save / Cancel swap the section in place, the stored password kept),
a bad port shown next to its field, the Test button against a real proxy, Delete; and the same
forms working with JavaScript off (plain POST and redirect)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.chromium import log_in
from tests.fakes.proxies import HttpProxy
from tests.gateway_harness import start_gateway

browser_test = pytest.mark.browser


@pytest.fixture
def gateway(tmp_path, upstream):
    """A gateway whose proxy test fetches the fake upstream."""
    running = start_gateway(str(tmp_path / "data"), PROXY_TEST_URL=upstream.url + "/models")
    yield running
    running.stop()


@pytest.fixture
def proxy(request) -> HttpProxy:
    server = HttpProxy()
    request.addfinalizer(server.stop)
    return server


def section(page: Page):
    return page.locator("#proxies")


@browser_test
def test_proxies_are_added_edited_tested_and_deleted_in_place(page: Page, gateway, proxy):
    log_in(page)
    page.goto("/settings/advanced")
    page.evaluate("window.__samePage = 'yes'")
    proxies = section(page)
    expect(proxies.locator("[data-empty]")).to_be_visible()

    proxies.get_by_role("link", name="Add proxy").click()
    proxies.get_by_label("Host").fill("proxy.example.com")
    proxies.get_by_label("Port").fill("80a")
    proxies.get_by_role("button", name="Save").click()
    expect(proxies.locator('[data-error="port"]')).to_be_visible()
    proxies.get_by_label("Port").fill("8080")
    proxies.get_by_label("Password (optional)").fill("pw-secret")
    proxies.get_by_label("User name (optional)").fill("alice")
    proxies.get_by_role("button", name="Save").click()
    row = proxies.locator('tr[data-row="global"]')
    expect(row).to_contain_text("http://alice:***@proxy.example.com:8080")
    expect(proxies.locator("[data-saved]")).to_be_visible()
    assert "pw-secret" not in page.content()

    proxies.get_by_role("link", name="Add proxy").click()
    proxies.get_by_label("Applies to").select_option("providers")
    proxies.get_by_label("Provider id, combo name or API key id").fill("openai")
    proxies.get_by_label("Type").select_option("socks5")
    proxies.get_by_label("Host").fill("127.0.0.1")
    proxies.get_by_label("Port").fill("1080")
    proxies.get_by_role("button", name="Save").click()
    expect(proxies.locator('tr[data-row="providers:openai"]')).to_contain_text("socks5://")

    row.get_by_role("link", name="Edit").click()
    proxies.get_by_label("Host").fill("127.0.0.1")
    proxies.get_by_label("Port").fill(str(proxy.port))
    proxies.get_by_role("button", name="Test").click()
    expect(proxies.locator('[data-test="ok"]')).to_be_visible()
    assert proxy.forwarded  # the test went through the proxy
    proxies.get_by_role("link", name="Cancel").click()
    expect(row).to_contain_text("proxy.example.com:8080")  # nothing saved by Cancel or Test
    row.get_by_role("link", name="Edit").click()
    proxies.get_by_label("Port").fill("3128")
    proxies.get_by_role("button", name="Save").click()
    expect(row).to_contain_text("http://alice:***@proxy.example.com:3128")
    assert gateway.services.proxies.settings.global_proxy.password == "pw-secret"

    proxies.locator('[data-delete="providers:openai"]').click()
    expect(proxies.locator('tr[data-row="providers:openai"]')).to_have_count(0)
    assert page.evaluate("window.__samePage") == "yes", "the page reloaded"


@browser_test
def test_the_proxy_forms_work_without_javascript(browser: Browser, gateway, proxy):
    context = browser.new_context(base_url=gateway.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page)
        page.goto("/settings/advanced")
        proxies = section(page)
        proxies.get_by_role("link", name="Add proxy").click()
        expect(page).to_have_url(re.compile(r"proxy_edit=new"))
        proxies = section(page)
        proxies.get_by_label("Host").fill("127.0.0.1")
        proxies.get_by_label("Port").fill(str(proxy.port))
        proxies.get_by_role("button", name="Test").click()
        expect(section(page).locator('[data-test="ok"]')).to_be_visible()
        section(page).get_by_role("button", name="Save").click()
        expect(section(page).locator('tr[data-row="global"]')).to_contain_text(
            f"127.0.0.1:{proxy.port}"
        )
        section(page).locator('[data-delete="global"]').click()
        expect(section(page).locator("[data-empty]")).to_be_visible()
    finally:
        context.close()
