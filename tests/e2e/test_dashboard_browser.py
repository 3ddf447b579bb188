"""The dashboard in a real browser: Playwright driving Debian's chromium against a real gateway.

One chromium is launched for the module; every test gets a fresh browser context (no cookies,
no cache) and a fresh gateway (empty data dir) from the shared fixtures (tests/e2e/conftest.py).
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from omniroute import ROOT
from tests.dashboard_user import API_KEY
from tests.e2e.chromium import PAGE_BUDGET_BYTES, PAGE_BUDGET_REQUESTS, log_in
from tests.gateway_harness import ADMIN_PASSWORD

pytestmark = pytest.mark.browser

MASKED_KEY = "••••" + API_KEY[-4:]


def stat(page: Page, name: str):
    return page.locator(f'[data-stat="{name}"]')


def add_connection_via_form(page: Page, base_url: str, name: str = "Work key"):
    """Fill and submit the Providers page's add form; returns the new row's locator."""
    form = page.locator("#add-connection")
    # Choosing a provider swaps in its credential inputs: wait for the swap, or the key typed
    # next would go into the input that is about to be replaced.
    with page.expect_response(lambda r: "/providers/credentials" in r.url):
        form.get_by_label("Provider").select_option("openai")
    expect(page.locator("#new-credentials")).to_have_attribute("data-credentials", "openai")
    form.get_by_label("Name").fill(name)
    form.get_by_label("API key").fill(API_KEY)
    form.get_by_label("Base URL (optional)").fill(base_url)
    form.get_by_role("button", name="Add connection").click()
    row = page.locator("#connections article.conn").filter(has_text=name)
    expect(row).to_have_count(1)
    return row


def api_connections(gateway) -> list[dict]:
    with gateway.admin() as admin:
        response = admin.get(gateway.url + "/api/providers")
    response.raise_for_status()
    return response.json()["data"]


# -- 1. login ----------------------------------------------------------------------------


def test_login_rejects_wrong_password_then_lands_on_home_with_stats(page: Page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))  # anonymous visitors are sent to log in

    page.locator("#password").fill("not-the-password")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Log in").click()
    assert answer.value.status == 401
    expect(page.get_by_role("alert")).to_have_text("Wrong password.")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)

    page.locator("#password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")
    expect(page.get_by_role("alert")).to_have_count(0)
    for name, label in (
        ("requests", "Requests today"),
        ("tokens", "Tokens today"),
        ("errors", "Errors today"),
    ):
        expect(stat(page, name)).to_have_text("0")
        expect(stat(page, name).locator("xpath=..")).to_contain_text(label)
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link", name="Providers", exact=True)).to_be_visible()
    expect(page.locator("#onboarding li[data-done=no]")).to_have_count(3)  # a fresh install


# -- 2. add a connection -----------------------------------------------------------------


def test_add_connection_appears_without_reload_with_key_masked(page: Page, gateway, upstream):
    log_in(page)
    page.goto("/providers")
    expect(page.locator("#no-connections")).to_be_visible()
    page.evaluate("window.__samePage = 'yes'")  # lost if the browser loads a new document

    row = add_connection_via_form(page, upstream.url)

    assert page.evaluate("window.__samePage") == "yes", "the form caused a full page load"
    expect(page.locator("#no-connections")).to_have_count(0)
    expect(page.locator("#add-connection").get_by_role("status")).to_have_text("Connection added.")
    expect(page.locator("#add-connection").get_by_label("API key")).to_have_value("")
    expect(row.get_by_role("heading")).to_have_text("Work key")
    expect(row.locator("[data-key-hint]")).to_have_text(MASKED_KEY)
    expect(row.locator("[data-status]")).to_have_text("Active")
    expect(row).to_contain_text(upstream.url)

    html = page.content()
    assert API_KEY not in html
    assert API_KEY[:-4] not in html  # not even the unmasked part
    assert MASKED_KEY in html

    # The list survives a reload (it was stored, not just drawn), still masked.
    page.reload()
    expect(page.locator("#connections article.conn")).to_have_count(1)
    expect(page.locator("[data-key-hint]")).to_have_text(MASKED_KEY)
    assert API_KEY not in page.content()
    [stored] = api_connections(gateway)
    assert (stored["provider"], stored["name"], stored["baseUrl"]) == (
        "openai",
        "Work key",
        upstream.url,
    )


# -- 3. test connection ------------------------------------------------------------------


def test_test_connection_shows_latency_then_api_key_hint_on_401(page: Page, upstream):
    log_in(page)
    page.goto("/providers")
    row = add_connection_via_form(page, upstream.url)
    page.evaluate("window.__samePage = 'yes'")

    row.get_by_role("button", name="Test connection").click()
    result = row.locator("[data-test-result]")
    expect(result).to_have_class(re.compile(r"\bok\b"))
    expect(result).to_have_text(re.compile(r"^\s*Connected in \d+ ms\.\s*$"))
    assert upstream.chat_requests()[-1].api_key == API_KEY  # the stored key was used

    upstream.valid_keys = {"sk-some-other-key"}
    row.get_by_role("button", name="Test connection").click()
    expect(result).to_have_class(re.compile(r"\berror\b"))
    expect(result).to_contain_text("Failed:")
    hint = result.locator('[data-hint="api_key"]')
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("Check the API key")
    assert page.evaluate("window.__samePage") == "yes", "testing caused a full page load"
    assert API_KEY not in page.content()


# -- 4. edit, toggle, delete -------------------------------------------------------------


def test_edit_keeps_key_toggle_and_delete(page: Page, gateway, upstream):
    log_in(page)
    page.goto("/providers")
    row = add_connection_via_form(page, upstream.url, name="Old name")
    connection_id = row.get_attribute("data-connection-id")
    row = page.locator(f"#conn-{connection_id}")
    page.evaluate("window.__samePage = 'yes'")

    # Edit: the key field starts empty; saving only a new name keeps the stored key.
    row.get_by_role("link", name="Edit").click()
    key_field = row.get_by_label("API key")
    expect(key_field).to_have_value("")
    expect(key_field).to_have_attribute("placeholder", "Leave empty to keep the saved key")
    assert API_KEY not in page.content()
    row.get_by_label("Name").fill("New name")
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_role("heading")).to_have_text("New name")
    expect(row.locator("[data-key-hint]")).to_have_text(MASKED_KEY)
    [stored] = api_connections(gateway)
    assert stored["name"] == "New name"
    assert stored["apiKeyHint"] == API_KEY[-4:]
    upstream.valid_keys = {API_KEY}  # proves the kept key is the real one, not just its hint
    row.get_by_role("button", name="Test connection").click()
    expect(row.locator("[data-test-result]")).to_have_class(re.compile(r"\bok\b"))

    # Toggle inactive and back.
    row.get_by_role("button", name="Deactivate").click()
    expect(row.locator("[data-status]")).to_have_text("Inactive")
    expect(row).to_have_class(re.compile(r"\binactive\b"))
    assert api_connections(gateway)[0]["isActive"] is False
    row.get_by_role("button", name="Activate").click()
    expect(row.locator("[data-status]")).to_have_text("Active")
    expect(row).not_to_have_class(re.compile(r"\binactive\b"))
    assert api_connections(gateway)[0]["isActive"] is True

    # Delete asks first: dismissing keeps the row, accepting removes it.
    dialogs: list[str] = []

    def dismiss(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    with page.expect_event("dialog"):
        row.get_by_role("button", name="Delete").click()
    assert dialogs == ["Delete New name?"]
    expect(row).to_be_visible()
    assert len(api_connections(gateway)) == 1

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    with page.expect_event("dialog"):
        row.get_by_role("button", name="Delete").click()
    expect(row).to_have_count(0)
    assert dialogs == ["Delete New name?", "Delete New name?"]
    assert api_connections(gateway) == []
    assert page.evaluate("window.__samePage") == "yes", "edit/toggle/delete reloaded the page"
    page.reload()
    expect(page.locator("#no-connections")).to_be_visible()


# -- 5. usage on the Home page -----------------------------------------------------------


def test_home_counts_a_chat_completion(page: Page, connected):
    log_in(page)
    expect(stat(page, "requests")).to_have_text("0")

    with requests.Session() as client:
        client.trust_env = False
        response = client.post(
            connected.v1 + "/chat/completions",
            json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
            timeout=10,
        )
    assert response.status_code == 200, response.text
    connected.flush_usage()

    page.reload()
    assert int(stat(page, "requests").inner_text()) >= 1
    assert int(stat(page, "tokens").inner_text()) >= 18  # the fake upstream's 11 + 7
    expect(stat(page, "errors")).to_have_text("0")
    expect(page.locator("table tbody tr").first).to_contain_text("openai/gpt-4o-mini")


# -- 6. language switcher ----------------------------------------------------------------


def test_language_switcher_sets_cookie_and_page_language(page: Page):
    log_in(page)
    page.goto("/providers")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    english_title = page.get_by_role("heading", level=1).inner_text()

    page.locator("#lang-select").select_option(label="Bahasa Indonesia")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page).to_have_url(re.compile(r"/providers$"))  # back on the page it was changed on
    expect(page.locator("#lang-select")).to_have_value("id")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["lang"]["value"] == "id"
    assert cookies["lang"]["httpOnly"] is True

    catalog = os.path.join(ROOT, "translations", "id", "LC_MESSAGES", "messages.mo")
    if os.path.exists(catalog):
        assert page.get_by_role("heading", level=1).inner_text() != english_title

    page.goto("/")  # the choice sticks across pages
    expect(page.locator("html")).to_have_attribute("lang", "id")

    page.locator("#lang-select").select_option(label="English")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")
    assert {c["name"]: c["value"] for c in page.context.cookies()}["lang"] == "en"


# -- 7. keyboard -------------------------------------------------------------------------


def test_login_form_works_with_keyboard_only(page: Page):
    page.goto("/login")
    password = page.locator("#password")
    expect(password).to_be_focused()  # autofocus

    # Back to the first tab stop: the skip link, which shows itself when focused.
    for _ in range(10):
        if page.evaluate("document.activeElement.classList.contains('skip')"):
            break
        page.keyboard.press("Shift+Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    # Forward again with Tab only until the password field has focus.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "password":
            break
    expect(password).to_be_focused()
    outline = password.evaluate(
        "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert outline[0] != "none" and outline[1] != "0px", f"no visible focus: {outline}"

    page.keyboard.type(ADMIN_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(stat(page, "requests")).to_be_visible()


# -- 8. page budget ----------------------------------------------------------------------


def test_providers_page_budget(browser: Browser, page: Page, connected):
    log_in(page)
    # Measure in a second context that has the session cookie but an empty HTTP cache, so
    # the stylesheet and script loaded while logging in count too.
    cold = browser.new_context(base_url=connected.url, storage_state=page.context.storage_state())
    try:
        fresh = cold.new_page()
        seen, errors = [], []
        fresh.on("requestfinished", lambda request: seen.append(request))
        fresh.on("requestfailed", lambda request: seen.append(request))
        fresh.on("pageerror", lambda error: errors.append(str(error)))
        fresh.goto("/providers", wait_until="networkidle")
        expect(fresh.locator("#connections article.conn")).to_have_count(1)  # a filled page
        expect(fresh.get_by_role("navigation", name="Main")).to_be_visible()  # logged in

        urls = [r.url for r in seen]
        assert 0 < len(seen) <= PAGE_BUDGET_REQUESTS, urls
        foreign = [u for u in urls if urlsplit(u).hostname != "127.0.0.1"]
        assert foreign == [], foreign
        assert not [r.url for r in seen if r.resource_type == "font"]
        assert {"document", "stylesheet", "script"} <= {r.resource_type for r in seen}
        sizes = {r.url: r.sizes() for r in seen}
        for url in urls:  # nothing came from a cache: every body was really transferred
            assert sizes[url]["responseBodySize"] > 0, url
        total = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes.values())
        assert total <= PAGE_BUDGET_BYTES, f"{total} bytes for {urls}"
        assert errors == []
    finally:
        cold.close()
