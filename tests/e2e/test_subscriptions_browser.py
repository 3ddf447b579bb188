"""Signing in to a subscription from the dashboard in Debian's chromium, against the fake OAuth
server on 127.0.0.1: the Claude Code card's paste flow, done the way a user on a VPS does it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.axe import axe_violations
from tests.e2e.chromium import log_in
from tests.integration.test_oauth_api import hosted_code

pytestmark = pytest.mark.browser


@pytest.fixture
def gateway(signing_gateway):
    """This module's gateway: its sign-in endpoints all point at the fake."""
    return signing_gateway


def test_signing_in_to_claude_code_from_its_card(page: Page, gateway, fake):
    log_in(page)
    page.goto("/providers")
    card = page.locator("#subscription-claude-code")
    expect(card.locator("[data-tos-risk]")).to_contain_text("Anthropic")
    expect(page.locator("#subscription-qwen [data-status]")).to_have_text("Discontinued")
    expect(page.locator("#subscription-qwen button")).to_have_count(0)
    expect(page.locator("#subscription-gemini-cli [data-status-note]")).to_contain_text(
        "2026-06-18"
    )

    card.locator('button[data-flow="paste"]').click()
    link = card.locator("[data-authorize-link]")
    expect(link).to_be_visible()
    pasted = hosted_code(link.get_attribute("href"))  # what the provider's page shows
    card.get_by_label("Then paste what the browser showed").fill(pasted)
    card.get_by_role("button", name="Finish sign-in").click()

    expect(card.locator("[data-flow-done]")).to_contain_text("cc/")
    account = fake.accounts["claude-code"]
    expect(page.locator("#subscription-claude-code [data-account]")).to_contain_text(account)
    # the sign-in refreshed the cards (the account above); its outcome is still shown
    expect(page.locator("#subscription-claude-code [data-flow-done]")).to_contain_text("cc/")
    with gateway.admin() as admin:
        listing = admin.get(gateway.url + "/api/providers").json()["data"]
    assert [(c["provider"], c["authKind"]) for c in listing] == [("claude-code", "oauth")]


def test_a_wrong_paste_is_explained_in_the_card_and_saves_nothing(page: Page, gateway):
    log_in(page)
    page.goto("/providers")
    card = page.locator("#subscription-claude-code")
    card.locator('button[data-flow="paste"]').click()
    expect(card.locator("[data-authorize-link]")).to_be_visible()
    card.get_by_label("Then paste what the browser showed").fill(
        "http://localhost/?error=access_denied"
    )
    card.get_by_role("button", name="Finish sign-in").click()
    expect(card.locator("[data-flow-error]")).to_be_visible()
    with gateway.admin() as admin:
        assert admin.get(gateway.url + "/api/providers").json()["data"] == []


@pytest.fixture
def axe_page(browser: Browser, gateway):
    """A fresh context that lets axe's injected script run (it bypasses the page's CSP)."""
    context = browser.new_context(base_url=gateway.url, bypass_csp=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [(1366, 900), (390, 844)], ids=["1366", "390"])
def test_the_discontinued_tag_is_readable(axe_page: Page, scheme, viewport):
    """The `.off` tag of a closed service's card passes axe's colour contrast."""
    axe_page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    axe_page.emulate_media(color_scheme=scheme)
    log_in(axe_page)
    axe_page.goto("/providers")
    expect(axe_page.locator(".subscription.discontinued .tag.off").first).to_be_visible()
    contrast = [v for v in axe_violations(axe_page) if v.startswith("color-contrast")]
    assert contrast == []
