"""The five Settings tabs in Debian's chromium: switching tabs, Edit / Save / Cancel on every
editable section of the Security and AI tabs without a reload, a bad value showing its error,
and the tabs and a section's form used with the keyboard alone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.chromium import log_in

browser_test = pytest.mark.browser
TABS = {
    "Security": ("/settings/security", "#models-key-section"),
    "Routing": ("/settings/routing", "#routing-panel"),
    "Resilience": ("/settings/resilience", "#resilience-profiles"),
    "AI": ("/settings/ai", "#thinking-section"),
    "Advanced": ("/settings/advanced", "#environment-section"),
}


def settings(gateway) -> dict:
    return gateway.admin().get(gateway.url + "/api/settings").json()


def tab_bar(page: Page):
    return page.get_by_role("navigation", name="Settings sections")


@browser_test
def test_switch_between_the_five_tabs(page: Page, gateway):
    log_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    names = tab_bar(page).get_by_role("link").all_inner_texts()
    assert names == list(TABS)
    for name, (path, section) in TABS.items():
        tab_bar(page).get_by_role("link", name=name, exact=True).click()
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        expect(tab_bar(page).get_by_role("link", name=name, exact=True)).to_have_attribute(
            "aria-current", "page"
        )
        expect(page.locator(section)).to_be_visible()
    page.goto("/settings/password")  # the old URL
    expect(page).to_have_url(re.compile(r"/settings/security$"))
    expect(page.get_by_role("heading", name="Change password")).to_be_visible()


@browser_test
def test_edit_cancel_and_save_the_thinking_policy(page: Page, gateway):
    log_in(page)
    page.goto("/settings/ai")
    page.evaluate("window.__samePage = 'yes'")
    card = page.locator("#thinking-section")

    card.get_by_role("link", name="Edit Thinking budget").click()
    card.get_by_role("radio", name=re.compile("Capped budget")).check()
    card.get_by_label("Budget cap (tokens)").fill("2048")
    card.get_by_role("link", name="Cancel").click()  # nothing saved
    expect(card.locator('[data-field="thinkingPolicy"]')).to_have_text("As the client asks")
    expect(card.get_by_role("link", name="Edit Thinking budget")).to_be_focused()
    assert settings(gateway)["thinkingPolicy"] == "passthrough"

    card.get_by_role("link", name="Edit Thinking budget").click()
    card.get_by_role("radio", name=re.compile("Capped budget")).check()
    card.get_by_label("Budget cap (tokens)").fill("2048")
    card.get_by_role("button", name="Save").click()
    expect(card.get_by_role("status")).to_have_text("Thinking policy saved.")
    expect(card.locator('[data-field="thinkingPolicy"]')).to_have_text("Capped budget")
    expect(card.locator('[data-field="thinkingBudgetCap"]')).to_have_text("2048")
    saved = settings(gateway)
    assert saved["thinkingPolicy"] == "cap" and saved["thinkingBudgetCap"] == 2048
    assert page.evaluate("window.__samePage") == "yes", "the page reloaded"


@browser_test
def test_edit_cancel_and_save_the_global_system_prompt(page: Page, gateway):
    log_in(page)
    page.goto("/settings/ai")
    page.evaluate("window.__samePage = 'yes'")
    card = page.locator("#system-prompt-section")

    card.get_by_role("link", name="Edit Global system prompt").click()
    expect(card.get_by_label("System prompt", exact=True)).to_be_focused()
    card.get_by_label("System prompt", exact=True).fill("Not this one.")
    card.get_by_role("link", name="Cancel").click()
    expect(card.locator('[data-field="globalSystemPrompt"]')).to_have_text("None.")
    assert settings(gateway)["globalSystemPrompt"] == ""

    card.get_by_role("link", name="Edit Global system prompt").click()
    card.get_by_label("System prompt", exact=True).fill("Answer in French.")
    card.get_by_role("button", name="Save").click()
    expect(card.get_by_role("status")).to_have_text("System prompt saved.")
    expect(card.locator('[data-field="globalSystemPrompt"]')).to_have_text("Answer in French.")
    assert settings(gateway)["globalSystemPrompt"] == "Answer in French."
    assert page.evaluate("window.__samePage") == "yes", "the page reloaded"


@browser_test
def test_edit_cancel_and_save_the_model_list_key_requirement(page: Page, gateway):
    log_in(page)
    page.goto("/settings/security")
    page.evaluate("window.__samePage = 'yes'")
    card = page.locator("#models-key-section")
    edit = card.get_by_role("link", name="Edit API key for the model list")
    checkbox = card.get_by_label("Require an API key for the model list")

    edit.click()
    expect(checkbox).to_be_checked()
    checkbox.uncheck()
    card.get_by_role("link", name="Cancel").click()
    expect(card.locator('[data-field="modelsRequireKey"]')).to_have_text("Yes")
    assert settings(gateway)["modelsRequireKey"] is True

    edit.click()
    checkbox.uncheck()
    card.get_by_role("button", name="Save").click()
    expect(card.get_by_role("status")).to_have_text("API key requirement saved.")
    expect(card.locator('[data-field="modelsRequireKey"]')).to_have_text("No")
    assert settings(gateway)["modelsRequireKey"] is False
    assert page.evaluate("window.__samePage") == "yes", "the page reloaded"


@browser_test
def test_a_bad_budget_cap_shows_its_error_and_saves_nothing(page: Page, gateway):
    log_in(page)
    page.goto("/settings/ai")
    card = page.locator("#thinking-section")
    card.get_by_role("link", name="Edit Thinking budget").click()
    card.get_by_role("radio", name=re.compile("Capped budget")).check()
    card.get_by_label("Budget cap (tokens)").fill("50")
    card.get_by_role("button", name="Save").click()
    error = card.locator('[data-error="thinkingBudgetCap"]')
    expect(error).to_have_text("enter a whole number from 128 to 128000")
    cap = card.get_by_label("Budget cap (tokens)")
    expect(cap).to_have_attribute("aria-invalid", "true")
    expect(cap).to_have_value("50")
    expect(card.get_by_role("alert").first).to_have_text(
        "Nothing was saved: correct the marked fields."
    )
    assert settings(gateway)["thinkingPolicy"] == "passthrough"


def tab_until(page: Page, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element with `element_id` has the focus."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} is not reachable with Tab")


@browser_test
def test_tabs_and_a_section_work_with_the_keyboard(page: Page, gateway):
    log_in(page)
    page.goto("/settings/security")
    ai_tab = tab_bar(page).get_by_role("link", name="AI", exact=True)
    for _ in range(80):
        if ai_tab.evaluate("link => link === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(ai_tab).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/settings/ai$"))

    tab_until(page, "edit-thinking")
    page.keyboard.press("Enter")
    card = page.locator("#thinking-section")
    expect(card.get_by_role("radio", name=re.compile("As the client asks"))).to_be_focused()
    page.keyboard.press("ArrowDown")  # the next option: a capped budget
    expect(card.get_by_role("radio", name=re.compile("Capped budget"))).to_be_checked()
    tab_until(page, "thinkingBudgetCap")
    page.keyboard.press("Control+A")
    page.keyboard.type("4096")
    tab_until(page, "save-thinking")
    page.keyboard.press("Enter")
    expect(card.get_by_role("status")).to_have_text("Thinking policy saved.")
    expect(card.get_by_role("link", name="Edit Thinking budget")).to_be_focused()
    saved = settings(gateway)
    assert saved["thinkingPolicy"] == "cap" and saved["thinkingBudgetCap"] == 4096
