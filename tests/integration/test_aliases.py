"""Model aliases: pure resolution rules, routing through an alias, and /api/models/alias."""

from __future__ import annotations

import pytest
import requests

CHAT = {"messages": [{"role": "user", "content": "hi"}]}
ALIAS_URL = "/api/models/alias"


# --- through a real gateway -------------------------------------------------------------------


def put(gateway, **body):
    with gateway.admin() as admin:
        return admin.put(gateway.url + ALIAS_URL, json=body)


def chat(gateway, model):
    return requests.post(gateway.v1 + "/chat/completions", json={**CHAT, "model": model})


def test_alias_routes_to_its_target_and_stops_when_deleted(connected, upstream):
    created = put(connected, pattern="fast", target="openai/gpt-4o-mini")
    assert created.status_code == 200
    assert created.json() == {"pattern": "fast", "target": "openai/gpt-4o-mini"}

    assert chat(connected, "fast").status_code == 200
    assert upstream.requests_for("openai")[-1].model == "gpt-4o-mini"

    with connected.admin() as admin:
        url = connected.url + ALIAS_URL
        assert admin.delete(url, params={"pattern": "fast"}).status_code == 204
        assert admin.delete(url, params={"pattern": "fast"}).status_code == 404
        assert admin.get(url).json() == {"data": []}
    # with one provider a bare name goes to it unchanged: no longer rewritten to the target
    assert chat(connected, "fast").status_code == 200
    assert upstream.requests_for("openai")[-1].model == "fast"


def test_wildcard_alias_routes_and_put_replaces(connected, upstream):
    assert put(connected, pattern="gpt-4o*", target="openai/gpt-4o-mini").status_code == 200
    assert chat(connected, "gpt-4o-2024-08-06").status_code == 200
    assert upstream.requests_for("openai")[-1].model == "gpt-4o-mini"

    replaced = put(connected, pattern="gpt-4o*", target="openai/gpt-4.1")
    assert replaced.status_code == 200 and replaced.json()["target"] == "openai/gpt-4.1"
    assert chat(connected, "gpt-4o").status_code == 200
    assert upstream.requests_for("openai")[-1].model == "gpt-4.1"

    put(connected, pattern="claude-sonnet-*", target="cc/claude-sonnet-4-5-20250929")
    with connected.admin() as admin:
        listing = admin.get(connected.url + ALIAS_URL).json()["data"]
    assert listing == [
        {"pattern": "claude-sonnet-*", "target": "cc/claude-sonnet-4-5-20250929"},
        {"pattern": "gpt-4o*", "target": "openai/gpt-4.1"},
    ]


@pytest.mark.parametrize(
    "body, param",
    [
        ({"target": "openai/gpt-4o"}, "pattern"),
        ({"pattern": "", "target": "openai/gpt-4o"}, "pattern"),
        ({"pattern": "x" * 201, "target": "openai/gpt-4o"}, "pattern"),
        ({"pattern": "gpt 4o", "target": "openai/gpt-4o"}, "pattern"),
        ({"pattern": "gpt-[4]", "target": "openai/gpt-4o"}, "pattern"),
        ({"pattern": 7, "target": "openai/gpt-4o"}, "pattern"),
        ({"pattern": "fast"}, "target"),
        ({"pattern": "fast", "target": ""}, "target"),
        ({"pattern": "fast", "target": "y" * 201}, "target"),
    ],
)
def test_validation_names_the_field(gateway, body, param):
    response = put(gateway, **body)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == param
    with gateway.admin() as admin:
        assert admin.get(gateway.url + ALIAS_URL).json() == {"data": []}


def test_delete_without_pattern_is_a_field_error(gateway):
    with gateway.admin() as admin:
        response = admin.delete(gateway.url + ALIAS_URL)
    assert response.status_code == 400 and response.json()["error"]["param"] == "pattern"


def test_anonymous_callers_get_401(gateway):
    url = gateway.url + ALIAS_URL
    for method in ("get", "put", "delete"):
        response = requests.request(method, url, json={"pattern": "a", "target": "b/c"})
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
