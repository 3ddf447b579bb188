"""The Providers pages in Debian's chromium: searching the catalog, adding and testing a
connection inline, detecting a local server, custom models and accounts on a provider's page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from omniroute.providers import PROVIDERS
from tests.dashboard_user import API_KEY
from tests.e2e.chromium import log_in
from tests.integration import test_providers_dashboard as providers

local_server = providers.local_server  # a fake llama.cpp, and the local ports pointed at it
probes = providers.probes


@pytest.mark.browser
def test_catalog_search_filters_rows(page: Page, gateway):
    log_in(page)
    page.goto("/providers")
    page.locator("#catalog-link").click()
    expect(page.locator("#catalog-table tr[data-provider]:visible")).to_have_count(len(PROVIDERS))
    page.get_by_label("Search providers").fill("grok")
    expect(page.locator("#catalog-table tr[data-provider]:visible")).to_have_count(1)
    expect(page.locator("#catalog-xai")).to_be_visible()
    expect(page.locator('tbody[data-group="subscription"]')).to_be_hidden()
    page.get_by_label("Search providers").fill("zzz-nothing")
    expect(page.locator("#catalog-table tr[data-provider]:visible")).to_have_count(0)
    expect(page.locator("#catalog-empty")).to_be_visible()
    page.get_by_label("Search providers").fill("")
    expect(page.locator("#catalog-table tr[data-provider]:visible")).to_have_count(len(PROVIDERS))
    page.locator("#catalog-deepseek a").click()
    expect(page).to_have_url(re.compile(r"/providers/deepseek$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("DeepSeek")


@pytest.mark.browser
def test_provider_page_add_and_test_connection_inline(page: Page, gateway, upstream):
    log_in(page)
    page.goto("/providers/openai")
    page.evaluate("window.__samePage = 'yes'")
    form = page.locator("#add-connection")
    expect(form.get_by_label("Provider")).to_have_value("openai")
    form.get_by_label("Name").fill("Inline key")
    form.get_by_label("API key").fill(API_KEY)
    form.get_by_label("Base URL (optional)").fill(upstream.url)
    form.get_by_role("button", name="Add connection").click()
    row = page.locator("#connections article.conn").filter(has_text="Inline key")
    expect(row).to_have_count(1)
    expect(form.get_by_label("Provider")).to_have_value("openai")
    row.get_by_role("button", name="Test connection").click()
    expect(row.locator("[data-test-result]")).to_contain_text("Connected in")
    page.locator('#models-panel tr[data-model="gpt-4o"]').get_by_role("button", name="Hide").click()
    expect(page.locator('tr[data-model="gpt-4o"] [data-model-status]')).to_have_text("Hidden")
    assert page.evaluate("window.__samePage") == "yes"


@pytest.mark.browser
def test_adding_while_a_detection_runs_is_not_undone_by_its_answer(page: Page, gateway, probes):
    log_in(page)
    page.goto("/providers/catalog")
    found = page.locator('[data-local="llamacpp-local"]')
    expect(found).to_be_visible()  # the page's own detection answered
    providers._LocalServer.delay = 0.3  # the next detection answers late
    page.get_by_role("button", name="Detect local servers").click()
    found.get_by_role("button", name="Add llama.cpp").click()
    status = page.locator('[data-local="llamacpp-local"]').get_by_role("status")
    expect(status).to_have_text("Added.")
    page.wait_for_timeout(800)  # past the late detection's answer: the add stands
    expect(status).to_have_text("Added.")


@pytest.mark.browser
def test_detect_and_add_a_local_server(page: Page, gateway, probes):
    log_in(page)
    page.goto("/providers/catalog")
    page.evaluate("window.__samePage = 'yes'")
    page.get_by_role("button", name="Detect local servers").click()
    found = page.locator('[data-local="llamacpp-local"]')
    expect(found).to_be_visible()
    expect(page.locator('[data-local="ollama-local"]')).to_have_count(0)
    found.get_by_role("button", name="Add llama.cpp").click()
    expect(page.locator('[data-local="llamacpp-local"]').get_by_role("status")).to_have_text(
        "Added."
    )
    assert page.evaluate("window.__samePage") == "yes"
    page.goto("/providers/llamacpp-local")
    expect(page.locator("#connections article.conn")).to_have_count(1)
    expect(page.locator("#connections article.conn")).to_contain_text(probes + "/v1")


@pytest.mark.browser
def test_custom_models_and_accounts_on_the_provider_page(page: Page, gateway, upstream):
    first = gateway.add_connection(upstream.url, provider="groq", name="First")
    log_in(page)
    page.goto("/providers/groq")
    page.evaluate("window.__samePage = 'yes'")
    form = page.locator("#add-model")
    form.get_by_label("Model ID").fill("openai/gpt-oss-120b")
    form.get_by_role("button", name="Add model").click()
    row = page.locator('#models-panel tr[data-model="openai/gpt-oss-120b"]')
    expect(row).to_contain_text("Custom")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Delete openai/gpt-oss-120b").click()
    expect(page.locator('tr[data-model="openai/gpt-oss-120b"]')).to_have_count(0)

    account = page.locator(f"#conn-{first['id']}")
    account.get_by_role("button", name="Deactivate").click()
    expect(page.locator(f"#conn-{first['id']} [data-status]")).to_have_text("Inactive")
    page.locator(f"#conn-{first['id']}").get_by_role("button", name="Activate").click()
    expect(page.locator(f"#conn-{first['id']} [data-status]")).to_have_text("Active")
    page.locator(f"#conn-{first['id']}").get_by_role("link", name="Edit").click()
    page.locator(f"#prio-{first['id']}").fill("7")
    page.locator(f"#conn-{first['id']}").get_by_role("button", name="Save").click()
    expect(page.locator(f"#conn-{first['id']} dl")).to_contain_text("7")
    assert page.evaluate("window.__samePage") == "yes"
    with gateway.admin() as admin:
        saved = admin.get(gateway.url + "/api/providers").json()["data"]
    assert [(c["isActive"], c["priority"]) for c in saved] == [(True, 7)]
    assert gateway.services.routes.snapshot().routes["groq"].accounts[0].priority == 7
