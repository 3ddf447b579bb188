"""The gateway's own API keys: created once, stored as an HMAC, enforced on /v1 when required."""

from __future__ import annotations

import glob

import openai
import pytest
import requests

from omniroute import create_app
from tests.gateway_harness import start_gateway

CHAT = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture
def locked_gateway(tmp_path, upstream):
    gateway = start_gateway(str(tmp_path / "locked"), REQUIRE_API_KEY=True)
    gateway.add_connection(upstream.url)
    yield gateway
    gateway.stop()


def create_key(gateway, name="laptop") -> dict:
    with gateway.admin() as admin:
        response = admin.post(gateway.url + "/api/keys", json={"name": name})
    assert response.status_code == 201, response.text
    return response.json()


def test_key_is_shown_once_and_stored_only_as_hmac(gateway, tmp_path):
    created = create_key(gateway)
    key = created["key"]
    assert key.startswith("sk-omni-") and created["prefix"] == key[:12]
    with gateway.admin() as admin:
        listing = admin.get(gateway.url + "/api/keys")
    assert key not in listing.text and listing.json()["data"][0]["name"] == "laptop"
    gateway.services.database.close_all()
    for path in glob.glob(str(tmp_path / "data" / "omniroute.db*")):
        with open(path, "rb") as handle:
            assert key.encode() not in handle.read()


def test_required_keys_reject_missing_and_wrong_keys(locked_gateway):
    url = locked_gateway.v1 + "/chat/completions"
    missing = requests.post(url, json=CHAT)
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "missing_api_key"
    wrong = requests.post(url, json=CHAT, headers={"Authorization": "Bearer sk-omni-nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_api_key"
    assert requests.get(locked_gateway.v1 + "/models").status_code == 401
    assert requests.get(locked_gateway.url + "/health").status_code == 200


def test_valid_key_works_in_every_header_clients_use(locked_gateway):
    key = create_key(locked_gateway)["key"]
    client = openai.OpenAI(base_url=locked_gateway.v1, api_key=key, max_retries=0)
    assert client.chat.completions.create(**CHAT).choices[0].message.content == "echo: hi"
    for headers in ({"x-api-key": key}, {"x-goog-api-key": key}):
        response = requests.post(
            locked_gateway.v1 + "/chat/completions", json=CHAT, headers=headers
        )
        assert response.status_code == 200, headers


def test_revoked_key_stops_working_at_once(locked_gateway):
    created = create_key(locked_gateway)
    headers = {"Authorization": f"Bearer {created['key']}"}
    url = locked_gateway.v1 + "/chat/completions"
    assert requests.post(url, json=CHAT, headers=headers).status_code == 200
    with locked_gateway.admin() as admin:
        assert admin.delete(f"{locked_gateway.url}/api/keys/{created['id']}").status_code == 204
        assert admin.delete(f"{locked_gateway.url}/api/keys/{created['id']}").status_code == 404
        assert admin.get(locked_gateway.url + "/api/keys").json()["data"][0]["revoked"] is True
    assert requests.post(url, json=CHAT, headers=headers).status_code == 401


def test_requests_are_counted_under_their_key(gateway, upstream):
    gateway.add_connection(upstream.url)
    created = create_key(gateway)
    requests.post(
        gateway.v1 + "/chat/completions",
        json=CHAT,
        headers={"Authorization": f"Bearer {created['key']}"},
    )
    gateway.flush_usage()
    with gateway.admin() as admin:
        listed = admin.get(gateway.url + "/api/keys").json()["data"][0]
        renamed = admin.patch(f"{gateway.url}/api/keys/{created['id']}", json={"name": "new"})
        bad_name = admin.patch(f"{gateway.url}/api/keys/{created['id']}", json={"name": " "})
    assert listed["lastUsedAt"] is not None
    assert renamed.json()["name"] == "new"
    assert bad_name.status_code == 400 and bad_name.json()["error"]["param"] == "name"


def test_keys_are_optional_on_loopback_and_required_beyond_it(tmp_path):
    loopback = create_app(
        {"DATA_DIR": str(tmp_path / "a"), "INITIAL_PASSWORD": "x" * 10}, environ={}
    )
    everywhere = create_app(
        {"DATA_DIR": str(tmp_path / "b"), "INITIAL_PASSWORD": "x" * 10, "HOSTNAME": "0.0.0.0"},
        environ={},
    )
    forced_off = create_app(
        {
            "DATA_DIR": str(tmp_path / "c"),
            "INITIAL_PASSWORD": "x" * 10,
            "HOSTNAME": "0.0.0.0",
            "REQUIRE_API_KEY": False,
        },
        environ={},
    )
    try:
        assert loopback.extensions["omniroute"].client_auth.required is False
        assert everywhere.extensions["omniroute"].client_auth.required is True
        assert forced_off.extensions["omniroute"].client_auth.required is False
    finally:
        for app in (loopback, everywhere, forced_off):
            app.extensions["omniroute"].close()


def test_an_address_sending_wrong_keys_is_locked_out_then_unlocked(locked_gateway):
    key = create_key(locked_gateway)["key"]
    url = locked_gateway.v1 + "/chat/completions"
    wrong = {"Authorization": "Bearer sk-omni-wrong"}
    statuses = [requests.post(url, json=CHAT, headers=wrong).status_code for _ in range(10)]
    assert statuses == [401] * 10
    locked = requests.post(url, json=CHAT, headers={"Authorization": f"Bearer {key}"})
    assert locked.status_code == 429  # even the right key waits while the address is locked
    assert locked.json()["error"]["code"] == "locked_out"
    assert 800 < int(locked.headers["Retry-After"]) <= 901
    anthropic_shape = requests.post(locked_gateway.v1 + "/messages", json=CHAT, headers=wrong)
    assert anthropic_shape.status_code == 429
    assert anthropic_shape.json()["error"]["type"] == "rate_limit_error"
    locked_gateway.services.client_auth.lockout.unlock("127.0.0.1")
    fine = requests.post(url, json=CHAT, headers={"Authorization": f"Bearer {key}"})
    assert fine.status_code == 200


def test_wrong_keys_lock_nobody_out_when_keys_are_optional(connected):
    url = connected.v1 + "/chat/completions"
    for _ in range(12):
        reply = requests.post(url, json=CHAT, headers={"Authorization": "Bearer sk-omni-x"})
        assert reply.status_code == 200
    assert connected.services.client_auth.lockout.locked() == {}
