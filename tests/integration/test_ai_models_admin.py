"""The AI-models admin (/admin/ai_models, the second seed guide): one table of every configured
model, backed by the Providers page's accounts, provider nodes and custom models.

Plain-HTTP form tests (like a browser without JavaScript, plus the htmx fragments); the same
page in chromium: tests/e2e/test_ai_models_browser.py.
"""

from __future__ import annotations

import re
import socket

import requests

from omniroute.proxy import connection_test
from tests.dashboard_user import browser_session, csrf_from
from tests.fake_upstream import Behavior

HX = {"HX-Request": "true"}
PAGE = "/admin/ai_models"
OLD_KEY = "sk-old-key-1111AAAA"
NEW_KEY = "sk-new-key-2222BBBB"


def _session(gateway):
    session = browser_session(gateway)
    session.token = csrf_from(session.get(gateway.url + PAGE).text)
    return session


def _add(session, gateway, *, headers=None, **fields):
    data = {"csrf_token": session.token, "isActive": "on", **fields}
    return session.post(gateway.url + PAGE, data=data, headers=headers or {}, allow_redirects=False)


def _post(session, gateway, path, headers=None, **fields):
    data = {"csrf_token": session.token, **fields}
    return session.post(
        gateway.url + PAGE + path, data=data, headers=headers or {}, allow_redirects=False
    )


def _rows(html: str) -> dict[str, str]:
    """Each model's <tbody> by its id (`model-connection-1`, `model-node-2`)."""
    return dict(re.findall(r'<tbody id="(model-[a-z]+-\d+)"(.*?)</tbody>', html, re.S))


def _chat(gateway, model: str) -> requests.Response:
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 5}
    return requests.post(gateway.v1 + "/chat/completions", json=body, timeout=30)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_list_shows_what_providers_has(gateway, upstream):
    admin = gateway.admin()
    connection = gateway.add_connection(upstream.url, name="GPT-4 Omni", apiKey=OLD_KEY)
    admin.put(gateway.url + f"/api/providers/{connection['id']}", json={"testModel": "gpt-4o"})
    node = gateway.add_node("mylocal", upstream.url, "openai", api_key=NEW_KEY)
    response = admin.post(
        gateway.url + "/api/provider-models",
        json={"provider": "mylocal", "modelId": "llama3", "modelName": "Llama 3"},
    )
    assert response.status_code == 201, response.text

    session = _session(gateway)
    html = session.get(gateway.url + PAGE).text
    rows = _rows(html)
    assert set(rows) == {f"model-connection-{connection['id']}", f"model-node-{node['id']}"}
    openai = rows[f"model-connection-{connection['id']}"]
    assert "GPT-4 Omni" in openai and "<code>gpt-4o</code>" in openai
    assert "<code>openai/gpt-4o</code>" in openai  # what a client calls it
    assert f"<code>{upstream.url}</code>" in openai and "••••AAAA" in openai
    assert 'data-status aria-pressed="true"' in openai and ">Active<" in openai
    local = rows[f"model-node-{node['id']}"]
    assert "node mylocal" in local and "<code>llama3</code>" in local
    assert "<code>mylocal/llama3</code>" in local and "••••BBBB" in local
    for label in ("Add new model", "Test connection", "Edit", "Delete", "Troubleshooting"):
        assert label in html
    assert OLD_KEY not in html and NEW_KEY not in html


def test_what_is_added_here_is_on_the_providers_page(gateway, upstream):
    session = _session(gateway)
    response = _add(
        session,
        gateway,
        name="Local Llama",
        variant="llama3",
        apiUrl=upstream.url + "/chat/completions",  # the full endpoint: the base is kept
        apiKey=OLD_KEY,
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    nodes = gateway.admin().get(gateway.url + "/api/provider-nodes").json()["data"]
    assert [(n["name"], n["prefix"], n["baseUrl"], n["apiType"]) for n in nodes] == [
        ("Local Llama", "local-llama", upstream.url, "openai")
    ]
    assert nodes[0]["apiKeyHint"] == "AAAA" and nodes[0]["isActive"] is True
    models = gateway.admin().get(gateway.url + "/api/provider-models?provider=local-llama")
    assert [m["modelId"] for m in models.json()["data"]] == ["llama3"]
    providers_page = session.get(gateway.url + "/providers").text
    assert "Local Llama" in providers_page and "local-llama/…" in providers_page
    assert _chat(gateway, "local-llama/llama3").status_code == 200
    assert upstream.chat_requests()[-1].api_key == OLD_KEY
    assert upstream.chat_requests()[-1].body["model"] == "llama3"


def test_adding_a_catalog_providers_url_makes_its_account(gateway):
    session = _session(gateway)
    for name, variant, url, key in (
        ("GPT-4 Omni", "gpt-4o", "https://api.openai.com/v1/chat/completions", OLD_KEY),
        ("Budget AI", "gpt-4o-mini-2024", "https://api.openai.com/v1", NEW_KEY),
        ("DeepSeek Chat", "deepseek-chat", "https://api.deepseek.com", OLD_KEY),
        ("Ollama Llama", "llama3", "http://localhost:11434/v1", ""),
    ):
        response = _add(session, gateway, name=name, variant=variant, apiUrl=url, apiKey=key)
        assert response.status_code == 302, (name, response.text)
    connections = gateway.admin().get(gateway.url + "/api/providers").json()["data"]
    seen = {c["name"]: (c["provider"], c["testModel"], c["baseUrl"]) for c in connections}
    assert seen == {
        "GPT-4 Omni": ("openai", "gpt-4o", None),  # the provider's own URL: no override
        "Budget AI": ("openai", "gpt-4o-mini-2024", None),
        "DeepSeek Chat": ("deepseek", "deepseek-chat", "https://api.deepseek.com"),
        "Ollama Llama": ("ollama-local", "llama3", "http://localhost:11434/v1"),
    }
    assert gateway.admin().get(gateway.url + "/api/provider-nodes").json()["data"] == []
    custom = gateway.admin().get(gateway.url + "/api/provider-models").json()["data"]
    # a variant the catalog lacks becomes a custom model of that provider
    assert {(m["provider"], m["modelId"]) for m in custom} == {
        ("openai", "gpt-4o-mini-2024"),
        ("ollama-local", "llama3"),
    }
    html = session.get(gateway.url + PAGE).text
    assert html.count("<tbody id=") == 4
    assert "https://api.openai.com/v1</code>" in html and "<code>ds/deepseek-chat</code>" in html


def test_bad_input_is_a_400_naming_the_field(gateway):
    session = _session(gateway)
    good = {"name": "GPT", "variant": "gpt-4o", "apiUrl": "https://api.openai.com/v1"}
    for field, value in (
        ("name", ""),
        ("variant", ""),
        ("variant", "gpt 4o"),
        ("apiUrl", "ftp://example.com/v1"),
        ("apiUrl", "not a url"),
        ("apiUrl", "https://api.openai.com/v1?x=1"),
        ("apiKey", ""),  # OpenAI needs a key
        ("apiKey", "sk two words"),
    ):
        fields = {**good, "apiKey": OLD_KEY, field: value}
        response = _add(session, gateway, **fields)
        assert response.status_code == 400, (field, value)
        assert f'data-field="{field}"' in response.text, (field, value)
        assert 'id="add-model"' in response.text and "<nav" in response.text  # the styled page
        assert OLD_KEY not in response.text
    # htmx: the form comes back in place, with the error
    response = _add(session, gateway, headers=HX, **good, apiKey="")
    assert response.status_code == 200 and response.headers["HX-Retarget"] == "#add-model"
    assert 'data-field="apiKey"' in response.text and "<nav" not in response.text
    assert gateway.admin().get(gateway.url + "/api/providers").json()["data"] == []


def test_unknown_ids_and_kinds_are_styled_404s(gateway):
    session = _session(gateway)
    for path in ("/connection/999/edit", "/node/999", "/model/1/edit", "/connection/x/edit"):
        response = session.get(gateway.url + PAGE + path)
        assert response.status_code == 404, path
        assert "Page not found" in response.text, path
    for action in ("/toggle", "/delete", "/test", ""):
        response = _post(session, gateway, "/connection/999" + action, name="x")
        assert response.status_code == 404, action
    response = session.post(gateway.url + PAGE, data={"name": "no token"})
    assert response.status_code == 400  # CSRF


def test_edit_and_key_rotation_take_effect_at_once(gateway, upstream):
    connection = gateway.add_connection(upstream.url, apiKey=OLD_KEY, name="OpenAI main")
    kind_id = f"/connection/{connection['id']}"
    upstream.valid_keys = {OLD_KEY}
    assert _chat(gateway, "openai/gpt-4o").status_code == 200

    upstream.valid_keys = {NEW_KEY}  # the old key is revoked upstream
    assert _chat(gateway, "openai/gpt-4o").status_code != 200
    session = _session(gateway)
    edit = session.get(gateway.url + PAGE + kind_id + "/edit", headers=HX).text
    assert "<html" not in edit and 'name="apiKey"' in edit and "••••AAAA" in edit
    assert OLD_KEY not in edit
    response = _post(
        session,
        gateway,
        kind_id,
        headers=HX,
        name="OpenAI rotated",
        variant="gpt-4o",
        apiUrl=upstream.url,
        apiKey=NEW_KEY,
        isActive="on",
    )
    assert response.status_code == 200 and "OpenAI rotated" in response.text
    assert "••••BBBB" in response.text and NEW_KEY not in response.text
    assert _chat(gateway, "openai/gpt-4o").status_code == 200  # the very next request
    assert upstream.chat_requests()[-1].api_key == NEW_KEY

    # an empty key field keeps the stored key; the variant and name change
    response = _post(
        session,
        gateway,
        kind_id,
        name="OpenAI mini",
        variant="gpt-4o-mini",
        apiUrl=upstream.url + "/chat/completions",
        apiKey="",
        isActive="on",
    )
    assert response.status_code == 302
    saved = gateway.admin().get(gateway.url + f"/api/providers/{connection['id']}").json()
    assert (saved["name"], saved["testModel"], saved["apiKeyHint"]) == (
        "OpenAI mini",
        "gpt-4o-mini",
        "BBBB",
    )
    assert saved["baseUrl"] == upstream.url
    assert _chat(gateway, "openai/gpt-4o-mini").status_code == 200
    assert upstream.chat_requests()[-1].api_key == NEW_KEY

    # a bad edit is a 400 naming the field, and changes nothing
    response = _post(session, gateway, kind_id, name="x", variant="gpt-4o", apiUrl="nope")
    assert response.status_code == 400 and 'data-field="apiUrl"' in response.text
    assert gateway.admin().get(gateway.url + f"/api/providers/{connection['id']}").json()[
        "name"
    ] == ("OpenAI mini")


def test_rotating_a_nodes_key(gateway, upstream):
    session = _session(gateway)
    _add(session, gateway, name="Lab", variant="llama3", apiUrl=upstream.url, apiKey=OLD_KEY)
    node = gateway.admin().get(gateway.url + "/api/provider-nodes").json()["data"][0]
    upstream.valid_keys = {NEW_KEY}
    assert _chat(gateway, "lab/llama3").status_code != 200  # the old key: refused, cooling
    response = _post(
        session,
        gateway,
        f"/node/{node['id']}",
        name="Lab",
        variant="mistral",
        apiUrl=upstream.url,
        apiKey=NEW_KEY,
        isActive="on",
    )
    assert response.status_code == 302
    assert _chat(gateway, "lab/mistral").status_code == 200
    assert upstream.chat_requests()[-1].api_key == NEW_KEY
    models = gateway.admin().get(gateway.url + "/api/provider-models?provider=lab").json()
    assert [m["modelId"] for m in models["data"]] == ["mistral"]


def test_toggle_and_delete(gateway, upstream):
    connection = gateway.add_connection(upstream.url, apiKey=OLD_KEY)
    session = _session(gateway)
    _add(session, gateway, name="Lab", variant="llama3", apiUrl=upstream.url)
    node = gateway.admin().get(gateway.url + "/api/provider-nodes").json()["data"][0]
    assert node["hasApiKey"] is False  # a key is optional for an endpoint of one's own

    response = _post(session, gateway, f"/connection/{connection['id']}/toggle", headers=HX)
    assert response.status_code == 200 and response.text.lstrip().startswith("<tbody")
    assert 'aria-pressed="false"' in response.text and ">Inactive<" in response.text
    saved = gateway.admin().get(gateway.url + f"/api/providers/{connection['id']}").json()
    assert saved["isActive"] is False
    assert _chat(gateway, "openai/gpt-4o").status_code != 200  # no active account
    response = _post(session, gateway, f"/node/{node['id']}/toggle")  # without JavaScript
    assert response.status_code == 302
    assert (
        not gateway.admin().get(gateway.url + "/api/provider-nodes").json()["data"][0]["isActive"]
    )
    assert _post(session, gateway, f"/connection/{connection['id']}/toggle").status_code == 302
    assert _chat(gateway, "openai/gpt-4o").status_code == 200

    response = _post(session, gateway, f"/connection/{connection['id']}/delete", headers=HX)
    assert response.status_code == 200 and response.text == ""
    assert gateway.admin().get(gateway.url + "/api/providers").json()["data"] == []
    assert _post(session, gateway, f"/node/{node['id']}/delete").status_code == 302
    assert gateway.admin().get(gateway.url + "/api/provider-nodes").json()["data"] == []
    assert gateway.admin().get(gateway.url + "/api/provider-models").json()["data"] == []
    assert "no-models" in session.get(gateway.url + PAGE).text


def test_connection_test_ok_and_failed_with_the_hint(gateway, upstream, monkeypatch):
    connection = gateway.add_connection(upstream.url, apiKey=OLD_KEY)
    session = _session(gateway)
    _add(session, gateway, name="Lab", variant="llama3", apiUrl=upstream.url)
    node = gateway.admin().get(gateway.url + "/api/provider-nodes").json()["data"][0]
    conn_test = f"/connection/{connection['id']}/test"

    for path in (conn_test, f"/node/{node['id']}/test"):
        response = _post(session, gateway, path, headers=HX)
        assert response.status_code == 200 and "Connected in" in response.text, path
        assert "data-hint" not in response.text

    upstream.valid_keys = {NEW_KEY}  # 401: the key
    response = _post(session, gateway, conn_test, headers=HX)
    assert 'data-hint="api_key"' in response.text and "expired" in response.text
    upstream.valid_keys = set()

    # the row's variant: the connection has no test model, so the provider's default model
    missing = Behavior(status=404, error_message="The model does not exist")
    upstream.add(missing, model="gpt-4o-mini")
    response = _post(session, gateway, conn_test, headers=HX)
    assert "<code>gpt-4o-mini</code>" in response.text
    assert 'data-hint="model"' in response.text
    assert "gpt-4o vs gpt-4" in response.text and "/chat/completions" in response.text

    monkeypatch.setattr(connection_test, "TEST_TIMEOUT_SECONDS", 0.3)
    upstream.add(Behavior(delay=3), model="llama3")
    response = _post(session, gateway, f"/node/{node['id']}/test", headers=HX)
    assert 'data-hint="network"' in response.text and "firewall or proxy" in response.text

    closed = f"http://127.0.0.1:{_closed_port()}/v1"
    gateway.admin().put(gateway.url + f"/api/provider-nodes/{node['id']}", json={"baseUrl": closed})
    response = _post(session, gateway, f"/node/{node['id']}/test")  # without JavaScript
    assert response.status_code == 200
    assert 'data-hint="base_url"' in response.text and "/v1" in response.text
    assert 'href="/admin/ai_models#troubleshooting"' in response.text


def test_the_key_is_never_shown(gateway, upstream):
    connection = gateway.add_connection(upstream.url, apiKey=OLD_KEY)
    session = _session(gateway)
    _add(session, gateway, name="Lab", variant="llama3", apiUrl=upstream.url, apiKey=NEW_KEY)
    node = gateway.admin().get(gateway.url + "/api/provider-nodes").json()["data"][0]
    pages = [
        session.get(gateway.url + PAGE),
        session.get(gateway.url + PAGE + "/new"),
        session.get(gateway.url + "/providers"),
    ]
    for kind_id in (f"/connection/{connection['id']}", f"/node/{node['id']}"):
        pages += [
            session.get(gateway.url + PAGE + kind_id),
            session.get(gateway.url + PAGE + kind_id + "/edit"),
            session.get(gateway.url + PAGE + kind_id + "/edit", headers=HX),
            _post(session, gateway, kind_id + "/test", headers=HX),
            _post(session, gateway, kind_id + "/toggle", headers=HX),
        ]
    for page in pages:
        assert page.status_code == 200, page.url
        for key in (OLD_KEY, NEW_KEY, OLD_KEY[:-4], NEW_KEY[:-4]):
            assert key not in page.text, page.url
    listing = pages[0].text
    assert "••••AAAA" in listing and "••••BBBB" in listing
