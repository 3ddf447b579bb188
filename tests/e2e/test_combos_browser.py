"""The Combos page and the routing settings in Debian's chromium: build a combo, reorder its
targets and save, a template then its test, deleting a combo in use, changing the routing
strategy, and the page budget."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.chromium import assert_page_budget, log_in
from tests.fake_upstream import Behavior
from tests.integration.test_combos_dashboard import combos, create_combo, settings, targets

browser_test = pytest.mark.browser


@browser_test
def test_build_a_combo_reorder_its_targets_and_save(page: Page, connected):
    log_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Combos").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Combos")
    page.evaluate("window.__samePage = 'yes'")

    editor = page.locator("#combo-editor")
    editor.get_by_label("Name").fill("team-coding")
    editor.get_by_label("Strategy").select_option("priority")
    for model in ("openai/gpt-4o-mini", "glm/glm-4.7", "openai/gpt-4o"):
        editor.get_by_label("Add target").fill(model)
        editor.get_by_label("Add target").press("Enter")  # adds, does not save
        expect(editor.locator("li[data-target]").last).to_have_attribute("data-target", model)
    expect(editor.get_by_label("Add target")).to_be_focused()
    assert combos(connected) == {}

    editor.get_by_role("button", name="Move openai/gpt-4o up").click()
    expect(editor.locator("li[data-target]").nth(1)).to_have_attribute(
        "data-target", "openai/gpt-4o"
    )
    expect(editor.get_by_role("button", name="Move openai/gpt-4o up")).to_be_focused()
    editor.get_by_role("button", name="Move openai/gpt-4o-mini down").click()
    editor.get_by_role("button", name="Remove glm/glm-4.7").click()
    expect(editor.locator("li[data-target]")).to_have_count(2)
    editor.get_by_role("button", name="Save combo", exact=True).last.click()

    expect(editor.get_by_role("status")).to_have_text("Combo “team-coding” saved.")
    card = page.locator('#combos-list article[data-combo="team-coding"]')
    expect(card.locator("ol.targets li")).to_have_text(["openai/gpt-4o", "openai/gpt-4o-mini"])
    assert targets(combos(connected)["team-coding"]) == ["openai/gpt-4o", "openai/gpt-4o-mini"]
    assert page.evaluate("window.__samePage") == "yes", "the editor reloaded the page"

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    card.get_by_role("button", name="Copy model name").click()
    expect(card.get_by_role("button", name="Copy model name")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == "team-coding"


@browser_test
def test_template_then_test_shows_per_target_results(page: Page, connected, upstream):
    connected.add_connection(upstream.url, provider="glm", name="zhipu", apiKey="glm-key-0003")
    upstream.add(Behavior(status=401, error_message="bad glm key"), api_key="glm-key-0003")
    log_in(page)
    page.goto("/combos")
    page.locator('[data-template="maximize-claude"]').get_by_role("link").click()
    editor = page.locator("#combo-editor")
    expect(editor.get_by_label("Name")).to_have_value("maximize-claude")
    expect(editor.locator("li[data-target]")).to_have_count(3)
    editor.get_by_label("Target 1").fill("openai/gpt-4o-mini")  # one the fake upstream serves
    editor.get_by_role("button", name="Save combo", exact=True).last.click()
    card = page.locator('#combos-list article[data-combo="maximize-claude"]')
    expect(card).to_be_visible()

    card.get_by_role("button", name="Test").click()
    results = card.locator("[data-test-results]")
    expect(results).to_contain_text("1 of 3 targets answered.")
    rows = results.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("openai · gpt-4o-mini")
    expect(rows.nth(0).locator("[data-status]")).to_have_text("200")
    expect(rows.nth(0)).to_contain_text(re.compile(r"\d+ ms"))
    expect(rows.nth(1)).to_contain_text("bad glm key")
    expect(rows.nth(2)).to_contain_text("no active connection for provider 'ollama-local'")


@browser_test
def test_delete_in_use_combo_then_unused_one(page: Page, gateway):
    create_combo(gateway, "inner", ["openai/gpt-4o-mini"])
    create_combo(gateway, "outer", ["inner"])
    log_in(page)
    page.goto("/combos")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    inner = page.locator('article[data-combo="inner"]')
    inner.get_by_role("button", name="Delete").click()
    expect(page.locator('article[data-combo="inner"] [role="alert"]')).to_have_text(
        "“inner” is used by outer: remove it there first."
    )
    page.locator('article[data-combo="outer"]').get_by_role("button", name="Delete").click()
    expect(page.locator('article[data-combo="outer"]')).to_have_count(0)
    assert dialogs == ["Delete the combo inner?", "Delete the combo outer?"]
    assert list(combos(gateway)) == ["inner"]


@browser_test
def test_change_the_routing_strategy(page: Page, gateway):
    log_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    expect(page).to_have_url(re.compile(r"/settings/routing$"))
    panel = page.locator("#routing-panel")
    panel.get_by_role("radio", name=re.compile("^Round robin")).check()
    panel.get_by_label("Sticky round-robin limit").fill("5")
    panel.get_by_role("button", name="Save routing settings").click()
    expect(panel.get_by_role("status")).to_have_text("Routing settings saved.")
    assert settings(gateway)["routingStrategy"] == "round-robin"
    assert settings(gateway)["stickyRoundRobinLimit"] == 5

    panel = page.locator("#routing-panel")
    panel.get_by_role("radio", name=re.compile("^Least used")).check()
    panel.get_by_label("Strategy of a new combo").select_option("cost-optimized")
    panel.get_by_role("button", name="Save routing settings").click()
    expect(panel.get_by_role("status")).to_have_text("Routing settings saved.")
    assert settings(gateway)["routingStrategy"] == "least-used"
    assert settings(gateway)["comboStrategy"] == "cost-optimized"

    page.reload()
    expect(page.get_by_role("radio", name=re.compile("^Least used"))).to_be_checked()
    expect(page.get_by_label("Sticky round-robin limit")).to_have_value("5")
    page.get_by_role("link", name="Security").click()
    expect(page.get_by_role("heading", name="Change password")).to_be_visible()


@browser_test
def test_combos_page_budget(browser, page: Page, connected):
    create_combo(connected, "fast", ["openai/gpt-4o-mini", "openai/gpt-4o"])
    log_in(page)

    def ready(fresh: Page) -> None:
        expect(fresh.locator("#combos-list article")).to_have_count(1)

    assert_page_budget(browser, page, connected.url, "/combos", ready)
