"""The AI-models admin in Debian's chromium: the seed guide's quick actions — add a model, edit it
with the pencil (rotating its key), switch its status, test its connection and delete it with
the bin — each swapped in place by htmx, on one page load."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.chromium import assert_page_budget, log_in

OLD_KEY = "sk-old-key-1111AAAA"
NEW_KEY = "sk-new-key-2222BBBB"


@pytest.mark.browser
def test_the_quick_actions(page: Page, gateway, upstream):
    log_in(page)
    page.goto("/admin/ai_models")
    page.evaluate("window.__samePage = 'yes'")
    expect(page.locator("#no-models")).to_be_visible()

    page.get_by_role("link", name="Add new model").click()
    form = page.locator("#add-model")
    form.get_by_label("Name").fill("Lab Llama")
    form.get_by_label("Model variant").fill("llama 3")
    form.get_by_label("API URL").fill(upstream.url + "/chat/completions")
    form.get_by_label("API key").fill(OLD_KEY)
    form.get_by_role("button", name="Save").click()
    expect(page.locator('#add-model [data-field="variant"]')).to_be_visible()  # no space
    form.get_by_label("Model variant").fill("llama3")
    form.get_by_label("API key").fill(OLD_KEY)
    form.get_by_role("button", name="Save").click()
    expect(page.locator("[data-added]")).to_have_text("Added Lab Llama.")
    row = page.locator("tbody[data-kind=node]")
    expect(row.locator("[data-url]")).to_have_text(upstream.url)
    expect(row.locator("[data-key]")).to_have_text("••••AAAA")

    upstream.valid_keys = {NEW_KEY}
    row.get_by_role("button", name="Test connection").click()
    expect(row.locator('[data-hint="api_key"]')).to_be_visible()

    row.get_by_role("link", name="Edit").click()
    row.get_by_label("API key").fill(NEW_KEY)
    row.get_by_label("Name").fill("Lab Llama 2")
    row.get_by_role("button", name="Save").click()
    expect(row.locator("[data-name]")).to_contain_text("Lab Llama 2")
    expect(row.locator("[data-key]")).to_have_text("••••BBBB")
    row.get_by_role("button", name="Test connection").click()
    expect(row.locator("[data-test-result]")).to_contain_text("Connected in")
    assert upstream.chat_requests()[-1].api_key == NEW_KEY

    status = row.locator("button[data-status]")
    expect(status).to_have_text("Active")
    status.click()
    expect(row.locator("button[data-status]")).to_have_text("Inactive")
    expect(row.locator("button[data-status]")).to_have_attribute("aria-pressed", "false")

    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    row.get_by_role("button", name="Delete").click()
    expect(page.locator("tbody[data-kind=node]")).to_have_count(0)
    assert dialogs == ["Delete Lab Llama 2?"]
    assert page.evaluate("window.__samePage") == "yes"
    assert NEW_KEY not in page.content() and OLD_KEY not in page.content()
    expect(page).to_have_url(re.compile(r"/admin/ai_models$"))


@pytest.mark.browser
def test_the_page_keeps_the_budget(browser: Browser, page: Page, connected):
    log_in(page)

    def ready(fresh: Page) -> None:
        expect(fresh.locator("tbody[data-kind=connection]")).to_have_count(1)

    assert_page_budget(browser, page, connected.url, "/admin/ai_models", ready)
