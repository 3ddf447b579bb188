"""The Providers dashboard's catalog, per-provider pages and local server detection.

Plain-HTTP form tests (like a browser without JavaScript) plus a few Playwright tests reusing the
browser fixtures of tests/test_dashboard_browser.py.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

from omniroute.providers import PROVIDERS
from omniroute.providers.catalog import CATALOG
from omniroute.providers.spec import TIERS
from tests import test_dashboard_browser as ui
from tests.test_dashboard_browser import API_KEY, log_in
from tests.test_dashboard_forms import browser_session, csrf_from

HX = {"HX-Request": "true"}
browser = ui.browser  # the shared chromium fixtures
page = ui.page


class _LocalServer(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path == "/v1/models":
            body = json.dumps({"object": "list", "data": [{"id": "local-model"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _LocalServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def probes(gateway, local_server):
    """Only llama.cpp answers (the fake server); Ollama's port is closed."""
    gateway.app.config["LOCAL_PROBES"] = (
        ("ollama-local", f"http://127.0.0.1:{_closed_port()}/api/tags"),
        ("llamacpp-local", local_server + "/v1/models"),
    )
    return local_server


def _catalog_rows(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr id="catalog-([\w.-]+)".*?>(.*?)</tr>', html, re.S))


def _token(session, gateway, path="/providers/catalog") -> str:
    return csrf_from(session.get(gateway.url + path).text)


# -- plain HTTP ------------------------------------------------------------------------------


def test_catalog_lists_every_provider_grouped_by_tier_with_prices(gateway, upstream):
    gateway.add_connection(upstream.url)
    session = browser_session(gateway)
    assert 'href="/providers/catalog"' in session.get(gateway.url + "/providers").text
    html = session.get(gateway.url + "/providers/catalog").text

    rows = _catalog_rows(html)
    assert set(rows) == set(PROVIDERS)
    groups = re.findall(r'<tbody data-tier="([\w-]+)">(.*?)</tbody>', html, re.S)
    assert [tier for tier, _ in groups] == list(TIERS)
    for tier, body in groups:
        ids = re.findall(r'<tr id="catalog-([\w.-]+)"', body)
        assert ids == [spec.id for spec in CATALOG if spec.tier == tier]
    assert "$0.15 / $0.60" in rows["openai"]  # gpt-4o-mini
    assert "$3.00 / $15.00" in rows["anthropic"]
    assert "subscription" in rows["claude-code"]
    assert "free" in rows["iflow"] and "free" in rows["ollama-local"]
    assert "Ultra-fast inference" in rows["groq"]
    assert "Everyone!" in rows["gemini-cli"]
    assert 'href="/providers/deepseek"' in rows["deepseek"]
    assert "Yes" in rows["openai"] and "Yes" not in rows["anthropic"]
    assert 'id="catalog-search"' in html
    assert "/static/js/catalog-search.js" in html


def test_provider_page_shows_only_its_connections(gateway, upstream):
    openai = gateway.add_connection(upstream.url, name="Mine OpenAI")
    other = gateway.add_connection(upstream.url, provider="deepseek", name="Mine DeepSeek")
    session = browser_session(gateway)
    response = session.get(gateway.url + "/providers/openai")
    assert response.status_code == 200
    html = response.text
    assert f'id="conn-{openai["id"]}"' in html and f'id="conn-{other["id"]}"' not in html
    assert "Mine DeepSeek" not in html
    assert '<option value="openai" selected>' in html  # the add form preselects it
    assert 'href="https://platform.openai.com/docs/api-reference"' in html  # its API docs
    fragment = session.get(gateway.url + "/providers/deepseek", headers=HX).text
    assert "<html" not in fragment and f'id="conn-{other["id"]}"' in fragment
    assert session.get(gateway.url + "/providers/no-such").status_code == 404

    # the add form on the provider page comes back to the provider page
    token = csrf_from(html)
    response = session.post(
        gateway.url + "/providers",
        data={
            "csrf_token": token,
            "provider": "openai",
            "name": "Second",
            "apiKey": API_KEY,
            "next": "/providers/openai",
            "isActive": "on",
            "priority": "1",
        },
        allow_redirects=False,
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/providers/openai"
    )
    assert "Second" in session.get(gateway.url + "/providers/openai").text


def test_hide_and_show_a_catalog_model(gateway):
    session = browser_session(gateway)
    token = _token(session, gateway, "/providers/openai")
    url = gateway.url + "/providers/openai/models/hide"
    response = session.post(
        url, data={"csrf_token": token, "modelId": "gpt-4o", "hidden": "1"}, headers=HX
    )
    assert response.status_code == 200 and "<html" not in response.text
    row = re.search(r'<tr data-model="gpt-4o".*?</tr>', response.text, re.S).group(0)
    assert "Hidden" in row and ">Show<" in row
    rows = session.get(gateway.url + "/api/provider-models?provider=openai").json()["data"]
    assert [(r["modelId"], r["hidden"]) for r in rows] == [("gpt-4o", True)]

    response = session.post(
        url, data={"csrf_token": token, "modelId": "gpt-4o", "hidden": "0"}, allow_redirects=False
    )  # no JS: redirect back
    assert response.status_code == 302
    rows = session.get(gateway.url + "/api/provider-models?provider=openai").json()["data"]
    assert [(r["modelId"], r["hidden"]) for r in rows] == [("gpt-4o", False)]
    missing = session.post(url, data={"csrf_token": token, "modelId": "nope", "hidden": "1"})
    assert missing.status_code == 404
    assert session.post(url, data={"modelId": "gpt-4o", "hidden": "1"}).status_code in (400, 403)


def test_add_a_custom_model(gateway):
    session = browser_session(gateway)
    token = _token(session, gateway, "/providers/groq")
    url = gateway.url + "/providers/groq/models"
    response = session.post(
        url,
        data={"csrf_token": token, "modelId": "my-model", "name": "Mine"},
        allow_redirects=False,
    )
    assert response.status_code == 302
    rows = session.get(gateway.url + "/api/provider-models?provider=groq").json()["data"]
    assert [(r["id"], r["modelName"], r["custom"]) for r in rows] == [
        ("groq/my-model", "Mine", True)
    ]
    assert 'data-model="my-model"' in session.get(gateway.url + "/providers/groq").text

    again = session.post(url, data={"csrf_token": token, "modelId": "my-model"}, headers=HX)
    assert again.status_code == 200 and "is already added" in again.text
    bad = session.post(url, data={"csrf_token": token, "modelId": "has space"})
    assert bad.status_code == 400 and 'role="alert"' in bad.text


def test_detect_local_servers_and_add_one(gateway, probes):
    session = browser_session(gateway)
    token = _token(session, gateway)
    response = session.post(
        gateway.url + "/providers/catalog/detect", data={"csrf_token": token}, headers=HX
    )
    assert response.status_code == 200 and "<html" not in response.text
    assert 'data-local="llamacpp-local"' in response.text
    assert 'data-local="ollama-local"' not in response.text
    assert probes + "/v1/models" in response.text

    full = session.post(gateway.url + "/providers/catalog/detect", data={"csrf_token": token})
    assert full.status_code == 200 and 'data-local="llamacpp-local"' in full.text  # no-JS

    response = session.post(
        gateway.url + "/providers/catalog/local/llamacpp-local/add",
        data={"csrf_token": token},
        allow_redirects=False,
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/providers/llamacpp-local")
    connections = session.get(gateway.url + "/api/providers").json()["data"]
    [added] = [c for c in connections if c["provider"] == "llamacpp-local"]
    assert added["baseUrl"] == probes + "/v1"
    assert not added["apiKeyHint"]  # created with an empty key (tier local)
    assert added["isActive"] is True
    not_local = session.post(
        gateway.url + "/providers/catalog/local/openai/add", data={"csrf_token": token}
    )
    assert not_local.status_code == 404


# -- in a browser ----------------------------------------------------------------------------


@pytest.mark.browser
def test_catalog_search_filters_rows(page: Page, gateway):
    log_in(page)
    page.goto("/providers")
    page.locator("#catalog-link").click()
    expect(page.locator("tr[data-search]:visible")).to_have_count(len(PROVIDERS))
    page.get_by_label("Search providers").fill("grok")
    expect(page.locator("tr[data-search]:visible")).to_have_count(1)
    expect(page.locator("#catalog-xai")).to_be_visible()
    expect(page.locator('tbody[data-tier="subscription"]')).to_be_hidden()
    page.get_by_label("Search providers").fill("zzz-nothing")
    expect(page.locator("tr[data-search]:visible")).to_have_count(0)
    expect(page.locator("#catalog-empty")).to_be_visible()
    page.get_by_label("Search providers").fill("")
    expect(page.locator("tr[data-search]:visible")).to_have_count(len(PROVIDERS))
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
