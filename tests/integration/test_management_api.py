"""The management API: login, lockout, CSRF, and provider connections CRUD + test."""

from __future__ import annotations

import socket

import pytest
import requests

from tests.fake_upstream import Behavior
from tests.gateway_harness import ADMIN_PASSWORD

SECRET = "sk-live-SECRETSECRET-abcd"


def new_connection(upstream, **overrides):
    return {
        "provider": "openai",
        "name": "Work",
        "apiKey": SECRET,
        "baseUrl": upstream.url,
        "isActive": True,
        "priority": 1,
        **overrides,
    }


def test_anonymous_calls_get_401_json(gateway):
    for method, path in [
        ("GET", "/api/providers"),
        ("POST", "/api/providers"),
        ("GET", "/api/providers/1"),
        ("POST", "/api/providers/1/test"),
    ]:
        response = requests.request(method, gateway.url + path, allow_redirects=False)
        assert response.status_code == 401, path
        assert response.json()["error"]["type"] == "authentication_error"


def test_login_wrong_password_then_lockout_after_five_failures(gateway):
    url = gateway.url + "/api/auth/login"
    for _ in range(5):
        assert requests.post(url, json={"password": "wrong"}).status_code == 401
    locked = requests.post(url, json={"password": ADMIN_PASSWORD})
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 800
    assert locked.json()["error"]["code"] == "login_locked"


def test_login_needs_json(gateway):
    response = requests.post(gateway.url + "/api/auth/login", data={"password": ADMIN_PASSWORD})
    assert response.status_code == 415


def test_session_calls_need_the_csrf_token(gateway, upstream):
    session = gateway.admin(fresh=True)
    del session.headers["X-CSRFToken"]
    response = session.post(gateway.url + "/api/providers", json=new_connection(upstream))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "csrf_failed"


def test_logout_ends_the_session(gateway):
    session = gateway.admin(fresh=True)
    assert session.get(gateway.url + "/api/providers").status_code == 200
    assert session.post(gateway.url + "/api/auth/logout").status_code == 204
    assert session.get(gateway.url + "/api/providers").status_code == 401


def test_create_list_get_update_delete(gateway, upstream):
    admin = gateway.admin()
    base = gateway.url + "/api/providers"
    created = admin.post(base, json=new_connection(upstream))
    assert created.status_code == 201
    body = created.json()
    assert body["apiKeyHint"] == "abcd" and "apiKey" not in body
    assert body["baseUrl"] == upstream.url and body["isActive"] is True
    listing = admin.get(base)
    assert [c["id"] for c in listing.json()["data"]] == [body["id"]]
    for response in (created, listing, admin.get(f"{base}/{body['id']}")):
        assert SECRET not in response.text and SECRET[:-4] not in response.text
    updated = admin.put(f"{base}/{body['id']}", json={"name": "Renamed", "apiKey": ""})
    assert updated.status_code == 200
    assert updated.json()["name"] == "Renamed" and updated.json()["apiKeyHint"] == "abcd"
    assert admin.delete(f"{base}/{body['id']}").status_code == 204
    assert admin.get(f"{base}/{body['id']}").status_code == 404
    assert admin.delete(f"{base}/{body['id']}").status_code == 404


@pytest.mark.parametrize(
    "change, field",
    [
        ({"provider": "nope"}, "provider"),
        ({"apiKey": ""}, "apiKey"),
        ({"apiKey": "has space"}, "apiKey"),
        ({"baseUrl": "ftp://x"}, "baseUrl"),
        ({"baseUrl": "not a url"}, "baseUrl"),
        ({"priority": "high"}, "priority"),
        ({"isActive": "maybe"}, "isActive"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_validation_errors_name_the_field(gateway, upstream, change, field):
    response = gateway.admin().post(
        gateway.url + "/api/providers", json=new_connection(upstream, **change)
    )
    assert response.status_code == 400
    assert response.json()["error"]["param"] == field


def test_non_object_body_is_400(gateway):
    response = gateway.admin().post(gateway.url + "/api/providers", json=[1])
    assert response.status_code == 400


@pytest.mark.parametrize("suffix", ["", "/", "/chat/completions", "/chat/completions/"])
def test_base_url_forms_all_reach_the_chat_endpoint(gateway, upstream, suffix):
    gateway.add_connection(upstream.url + suffix)
    response = requests.post(
        gateway.v1 + "/chat/completions",
        json={"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert response.status_code == 200
    assert upstream.chat_requests()[-1].path == "/v1/chat/completions"


def test_key_rotation_takes_effect_at_once(gateway, upstream):
    connection = gateway.add_connection(upstream.url, apiKey="sk-old-key-1111")
    chat = {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
    requests.post(gateway.v1 + "/chat/completions", json=chat)
    gateway.admin().put(
        f"{gateway.url}/api/providers/{connection['id']}", json={"apiKey": "sk-new-key-2222"}
    )
    requests.post(gateway.v1 + "/chat/completions", json=chat)
    assert [r.api_key for r in upstream.chat_requests()] == ["sk-old-key-1111", "sk-new-key-2222"]


def test_deactivated_connection_is_not_used(gateway, upstream):
    connection = gateway.add_connection(upstream.url)
    gateway.admin().put(f"{gateway.url}/api/providers/{connection['id']}", json={"isActive": False})
    response = requests.post(
        gateway.v1 + "/chat/completions",
        json={"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert response.status_code == 503
    assert upstream.chat_requests() == []


def test_connection_test_ok(gateway, upstream):
    connection = gateway.add_connection(upstream.url)
    result = gateway.admin().post(f"{gateway.url}/api/providers/{connection['id']}/test").json()
    assert result["ok"] is True and result["latencyMs"] > 0 and result["error"] is None
    sent = upstream.chat_requests()[-1].body
    assert sent["max_tokens"] == 1 and sent["model"] == "gpt-4o-mini"
    stored = gateway.admin().get(f"{gateway.url}/api/providers/{connection['id']}").json()
    assert stored["lastTest"]["ok"] is True


@pytest.mark.parametrize(
    "behavior, hint",
    [
        (Behavior(status=401, error_message="Incorrect API key"), "api_key"),
        (Behavior(status=404, error_message="The model does not exist"), "model"),
        (Behavior(status=429), "quota"),
    ],
)
def test_connection_test_failures_explain_what_to_check(gateway, upstream, behavior, hint):
    connection = gateway.add_connection(upstream.url, testModel="gpt-x")
    upstream.add(behavior)
    result = gateway.admin().post(f"{gateway.url}/api/providers/{connection['id']}/test").json()
    assert result["ok"] is False and result["hintCode"] == hint and result["hint"]
    assert result["error"]
    assert upstream.chat_requests()[-1].body["model"] == "gpt-x"


def test_connection_test_unreachable_points_at_the_url(gateway):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    connection = gateway.add_connection(f"http://127.0.0.1:{port}/v1")
    result = gateway.admin().post(f"{gateway.url}/api/providers/{connection['id']}/test").json()
    assert result["ok"] is False and result["hintCode"] == "base_url"
