"""The add form's cloud-platform inputs in Debian's chromium: choosing a cloud provider brings
its own fields (swapped in by htmx), a connection added with them answers through the Azure
fake, and the Providers page with those fields shown has no axe-core violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from omniroute.providers import PROVIDERS
from tests.e2e.axe import axe_violations
from tests.e2e.chromium import log_in
from tests.fakes.cloud_platforms import AzureOpenAI, CloudPlatformFake

AZURE_KEY = "azure-key-0123456789abcdef"


@pytest.fixture
def tab(browser: Browser, gateway):
    """A signed-in tab whose CSP is bypassed, so axe's injected script runs."""
    context = browser.new_context(base_url=gateway.url, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page)
    yield page
    context.close()


def _choose(page: Page, provider: str) -> None:
    spec = PROVIDERS[provider]
    form = page.locator("#add-connection")
    form.get_by_label("Provider").select_option(label=f"{spec.name} ({spec.prefix}/)")
    expect(page.locator("#new-credentials")).to_have_attribute("data-credentials", provider)


@pytest.mark.browser
def test_choosing_azure_openai_shows_its_fields_and_adds_a_working_connection(
    tab: Page, gateway, upstream
):
    azure = CloudPlatformFake(AzureOpenAI(AZURE_KEY, frozenset({"prod-gpt4o"})), upstream.url)
    azure.start()
    try:
        tab.goto("/providers")
        form = tab.locator("#add-connection")
        expect(form.locator("fieldset.cloud-options")).to_have_count(0)
        _choose(tab, "azure-openai")
        fields = form.locator('fieldset[data-cloud-options="azure-openai"]')
        expect(fields.locator("legend")).to_have_text("Azure OpenAI")
        expect(fields.get_by_label("API version")).to_be_visible()
        expect(fields.get_by_label("Deployments per model")).to_be_visible()
        assert axe_violations(tab) == []

        form.get_by_label("Name").fill("Azure prod")
        form.get_by_label("API key").fill(AZURE_KEY)
        form.get_by_label("Base URL (optional)").fill(azure.base)
        fields.get_by_label("Deployment", exact=True).fill("prod-gpt4o")
        form.get_by_role("button", name="Add connection").click()
        row = tab.locator("#connections article.conn").filter(has_text="Azure prod")
        expect(row).to_have_count(1)
        row.get_by_role("button", name="Test connection").click()
        expect(row.locator("[data-test-result]")).to_contain_text("Connected in")
        assert azure.requests[-1].path == "/openai/deployments/prod-gpt4o/chat/completions"

        row.get_by_role("link", name="Edit").click()
        edit = tab.locator("#connections form").filter(has_text="Edit Azure prod")
        expect(edit.get_by_label("Deployment", exact=True)).to_have_value("prod-gpt4o")
        assert axe_violations(tab) == []
    finally:
        azure.stop()


@pytest.mark.browser
def test_choosing_vertex_asks_for_the_json_key_instead_of_an_api_key(tab: Page):
    tab.goto("/providers")
    _choose(tab, "google-vertex")
    form = tab.locator("#add-connection")
    expect(form.get_by_label("Service account JSON key")).to_be_visible()
    expect(form.locator("#new-key")).to_have_count(0)
    expect(form.get_by_label("Project ID")).to_be_visible()
    _choose(tab, "openai")  # back to a plain provider: its key, no platform fields
    expect(form.locator("#new-key")).to_be_visible()
    expect(form.locator("fieldset.cloud-options")).to_have_count(0)
    assert axe_violations(tab) == []
