"""The CLI tools page in Debian's chromium: picking a model refills every snippet, copy buttons
copy a snippet's exact text, a key created on the page fills the snippets, and the page keeps
the page budget with no script errors."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.chromium import assert_page_budget, log_in

browser_test = pytest.mark.browser


@browser_test
def test_pick_a_model_and_copy_a_snippet(page: Page, connected):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page)
    page.goto("/cli-tools")
    page.get_by_label("Model or combo").fill("openai/gpt-4o")
    page.get_by_role("button", name="Show snippets").click()
    expect(page).to_have_url(re.compile(r"model=openai%2Fgpt-4o(&|$)"))
    config = page.locator("#tool-codex pre[data-format=toml]")
    expect(config).to_contain_text('model = "openai/gpt-4o"')
    expect(config).to_contain_text(f'base_url = "{connected.url}/v1"')
    copy = page.locator("#tool-codex button[data-copy]").last
    copy.click()
    expect(copy).to_have_text("\u2713")
    assert page.evaluate("navigator.clipboard.readText()") == config.text_content()


@browser_test
def test_a_key_created_on_the_page_fills_the_snippets(page: Page, connected):
    log_in(page)
    page.goto("/cli-tools?model=openai/gpt-4o-mini")
    page.get_by_label("Or create a key for these tools").fill("Browser tools")
    page.get_by_role("button", name="Create key").click()
    new_key = page.locator("[data-new-key]")
    expect(new_key).to_be_visible()
    key = new_key.text_content()
    assert key and key.startswith("sk-")
    expect(page.locator("#tool-claude-code pre[data-format=json]")).to_contain_text(
        f'"ANTHROPIC_AUTH_TOKEN": "{key}"'
    )
    expect(page.locator("#tool-openclaw pre")).to_contain_text(f'"apiKey": "{key}"')
    expect(page.locator("#tool-claude-code pre[data-format=json]")).to_contain_text(
        '"ANTHROPIC_MODEL": "openai/gpt-4o-mini"'
    )
    page.goto("/cli-tools")  # shown once: a later visit offers the key by its prefix only
    expect(page.get_by_label("API key")).to_contain_text("Browser tools")
    assert key not in page.content()


@browser_test
def test_cli_tools_page_budget(browser, page: Page, connected):
    log_in(page)

    def ready(fresh: Page) -> None:
        expect(fresh.locator("section[data-tool]")).to_have_count(11)

    assert_page_budget(browser, page, connected.url, "/cli-tools", ready)
