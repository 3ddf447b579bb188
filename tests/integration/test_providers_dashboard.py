"""The Providers dashboard's catalog, per-provider pages and local server detection.

Plain-HTTP form tests (like a browser without JavaScript); the same pages in chromium:
tests/e2e/test_providers_browser.py.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from omniroute.providers import PROVIDERS
from omniroute.providers.catalog import CATALOG
from omniroute.providers.spec import GROUPS
from omniroute.web.providers import local_servers
from tests.dashboard_user import API_KEY, browser_session, csrf_from

HX = {"HX-Request": "true"}


class _LocalServer(BaseHTTPRequestHandler):
    """OpenAI-style `GET /v1/models` (LM Studio, vLLM, llama.cpp) and Ollama's `GET /api/tags`;
    `delay` seconds before each answer (a slow probe)."""

    delay = 0.0

    def do_GET(self):  # noqa: N802
        time.sleep(self.delay)
        replies = {
            "/v1/models": {"object": "list", "data": [{"id": "local-model"}]},
            "/api/tags": {"models": [{"name": "llama3:latest"}, {"name": "qwen2.5-coder"}]},
        }
        if self.path in replies:
            body = json.dumps(replies[self.path]).encode()
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
    _LocalServer.delay = 0.0
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


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


@pytest.fixture
def probes(gateway, local_server):
    """Only llama.cpp answers (the fake server); every other server's port is closed."""
    ports = {provider_id: _closed_port() for provider_id in local_servers.LOCAL_SERVERS}
    gateway.app.config["LOCAL_PORTS"] = {**ports, "llamacpp-local": _port(local_server)}
    return local_server


# The user guide's "Sekilas tentang Harga" table: cost, quota reset, best for.
GUIDE_GLANCE = {
    "claude-code": ("$20/mo", "5 h + weekly", "Already subscribed"),
    "codex": ("$20–200/mo", "5 h + weekly", "OpenAI users"),
    "gemini-cli": ("FREE", "180K/month + 1K/day", "Everyone!"),
    "github-copilot": ("$10–19/mo", "Monthly", "GitHub users"),
    "deepseek": ("Pay per use", "None", "Cheap reasoning"),
    "groq": ("Pay per use", "None", "Ultra-fast inference"),
    "xai": ("Pay per use", "None", "Grok 4 reasoning"),
    "mistral": ("Pay per use", "None", "EU-hosted models"),
    "perplexity": ("Pay per use", "None", "Search-augmented answers"),
    "together": ("Pay per use", "None", "Open-source models"),
    "fireworks": ("Pay per use", "None", "Fast FLUX images"),
    "cerebras": ("Pay per use", "None", "Wafer-scale speed"),
    "cohere": ("Pay per use", "None", "Command R+ RAG"),
    "nvidia": ("Pay per use", "None", "Enterprise models"),
    "glm": ("$0.6/1M", "Daily at 10 AM", "Budget backup"),
    "minimax": ("$0.2/1M", "5 h rolling", "Cheapest option"),
    "kimi": ("$9/mo flat", "10M tokens/month", "Predictable cost"),
    "iflow": ("$0", "Unlimited", "8 free models"),
    "qwen": ("$0", "Unlimited", "3 free models"),
    "kiro": ("$0", "Unlimited", "Free Claude"),
}


def _cells(row_html: str) -> list[str]:
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row_html, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def _catalog_rows(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr id="catalog-([\w.-]+)".*?>(.*?)</tr>', html, re.S))


def _token(session, gateway, path="/providers/catalog") -> str:
    return csrf_from(session.get(gateway.url + path).text)


# -- plain HTTP ------------------------------------------------------------------------------


def test_catalog_lists_every_provider_grouped_with_prices(gateway, upstream):
    gateway.add_connection(upstream.url)
    session = browser_session(gateway)
    assert 'href="/providers/catalog"' in session.get(gateway.url + "/providers").text
    html = session.get(gateway.url + "/providers/catalog").text

    rows = _catalog_rows(html)
    assert set(rows) == set(PROVIDERS)
    groups = re.findall(r'<tbody data-group="([\w-]+)">(.*?)</tbody>', html, re.S)
    assert [group for group, _ in groups] == [
        group for group in GROUPS if any(spec.group == group for spec in CATALOG)
    ]
    for group, body in groups:
        ids = re.findall(r'<tr id="catalog-([\w.-]+)"', body)
        assert ids == [spec.id for spec in CATALOG if spec.group == group]
    assert "$0.15 / $0.60" in rows["openai"]  # gpt-4o-mini (not in the guide's table)
    assert "$3.00 / $15.00" in rows["anthropic"]
    assert "free" in rows["ollama-local"]
    for provider_id, cells in GUIDE_GLANCE.items():
        assert _cells(rows[provider_id])[2:5] == list(cells), provider_id
    assert 'href="/providers/deepseek"' in rows["deepseek"]
    assert "Yes" in rows["openai"] and "Yes" not in rows["anthropic"]
    assert 'id="catalog-search"' in html and 'hx-get="/providers/catalog"' in html


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

    # connected now: shown as such, with no "Add" form, and adding again makes no duplicate
    again = session.post(
        gateway.url + "/providers/catalog/detect", data={"csrf_token": token}, headers=HX
    ).text
    item = re.search(r'<li data-local="llamacpp-local">.*?</li>', again, re.S).group(0)
    assert "data-local-connected" in item and "/add" not in item and ">Add<" not in item
    response = session.post(
        gateway.url + "/providers/catalog/local/llamacpp-local/add",
        data={"csrf_token": token},
        headers=HX,
    )
    assert response.status_code == 200 and "HX-Trigger" not in response.headers
    assert "data-local-connected" in response.text
    connections = session.get(gateway.url + "/api/providers").json()["data"]
    assert [c["provider"] for c in connections].count("llamacpp-local") == 1


def test_local_servers_default_ports_and_ollama_tags(gateway, local_server):
    with gateway.app.test_request_context():
        assert local_servers.probe_url("ollama-local") == "http://127.0.0.1:11434/api/tags"
        assert local_servers.base_url("ollama-local") == "http://127.0.0.1:11434/v1"
        assert local_servers.probe_url("lmstudio-local") == "http://127.0.0.1:1234/v1/models"
        assert local_servers.base_url("lmstudio-local") == "http://127.0.0.1:1234/v1"
    # Ollama and LM Studio moved to fake servers; the others' ports are closed
    lmstudio = ThreadingHTTPServer(("127.0.0.1", 0), _LocalServer)
    threading.Thread(target=lmstudio.serve_forever, daemon=True).start()
    try:
        ports = {provider_id: _closed_port() for provider_id in local_servers.LOCAL_SERVERS}
        ports["ollama-local"] = _port(local_server)
        ports["lmstudio-local"] = lmstudio.server_address[1]
        gateway.app.config["LOCAL_PORTS"] = ports
        session = browser_session(gateway)
        token = _token(session, gateway)
        html = session.get(gateway.url + "/providers/catalog/local", headers=HX).text
        ollama = re.search(r'<li data-local="ollama-local">.*?</li>', html, re.S).group(0)
        assert local_server + "/api/tags" in ollama and "Models: 2" in ollama  # /api/tags
        lm = re.search(r'<li data-local="lmstudio-local">.*?</li>', html, re.S).group(0)
        assert f"127.0.0.1:{ports['lmstudio-local']}/v1/models" in lm and "Models: 1" in lm
        assert 'data-local="vllm-local"' not in html
        session.post(
            gateway.url + "/providers/catalog/local/ollama-local/add", data={"csrf_token": token}
        )
        connections = session.get(gateway.url + "/api/providers").json()["data"]
        [ollama_connection] = [c for c in connections if c["provider"] == "ollama-local"]
        assert ollama_connection["baseUrl"] == local_server + "/v1"
    finally:
        lmstudio.shutdown()
        lmstudio.server_close()


def test_pages_detect_local_servers_lazily_on_load(gateway, probes):
    session = browser_session(gateway)
    for path in ("/providers/catalog", "/providers"):
        html = session.get(gateway.url + path).text
        lazy = re.search(r'<div id="local-detect"[^>]*>', html).group(0)
        assert 'hx-get="/providers/catalog/local"' in lazy and 'hx-trigger="load"' in lazy
        assert 'data-local="llamacpp-local"' not in html  # nothing probed while rendering
    fragment = session.get(gateway.url + "/providers/catalog/local", headers=HX).text
    assert "<html" not in fragment and 'data-local="llamacpp-local"' in fragment
    no_js = session.get(gateway.url + "/providers/catalog/local").text
    assert "<html" in no_js and 'data-local="llamacpp-local"' in no_js


def test_delete_a_custom_model(gateway):
    session = browser_session(gateway)
    token = _token(session, gateway, "/providers/groq")
    session.post(
        gateway.url + "/providers/groq/models", data={"csrf_token": token, "modelId": "x1"}
    )
    html = session.get(gateway.url + "/providers/groq").text
    row = re.search(r'<tr data-model="x1".*?</tr>', html, re.S).group(0)
    assert "/providers/groq/models/delete" in row
    catalog_row = re.search(r'<tr data-model="llama-3.3-70b-versatile".*?</tr>', html, re.S)
    assert "/models/delete" not in catalog_row.group(0)  # catalog models are only hidden
    url = gateway.url + "/providers/groq/models/delete"
    response = session.post(url, data={"csrf_token": token, "modelId": "x1"}, headers=HX)
    assert response.status_code == 200 and 'data-model="x1"' not in response.text
    assert session.get(gateway.url + "/api/provider-models?provider=groq").json()["data"] == []
    assert session.post(url, data={"csrf_token": token, "modelId": "x1"}).status_code == 404
    catalog = {"csrf_token": token, "modelId": "llama-3.3-70b-versatile"}
    assert session.post(url, data=catalog).status_code == 400


def test_model_table_shows_the_users_prices(gateway):
    with gateway.admin() as admin:
        for model, price in (("gpt-4o", (1.25, 2.5)), ("my-custom", (0.5, 0.75))):
            body = {"provider": "openai", "model": model, "input": price[0], "output": price[1]}
            assert admin.patch(gateway.url + "/api/pricing", json=body).status_code == 200
        body = {"provider": "openai", "modelId": "my-custom"}
        assert admin.post(gateway.url + "/api/provider-models", json=body).status_code == 201
    html = browser_session(gateway).get(gateway.url + "/providers/openai").text
    prices = dict(re.findall(r'<tr data-model="([^"]+)".*?data-model-price>(.*?)</td>', html, re.S))
    assert prices["gpt-4o"] == "$1.25 / $2.50"  # the user's, not the catalog's $2.50 / $10.00
    assert prices["my-custom"] == "$0.50 / $0.75"
    assert prices["gpt-4o-mini"] == "$0.15 / $0.60"
    assert prices["text-embedding-3-small"] == "$0.02 / $0.00"  # input-only: output $0
