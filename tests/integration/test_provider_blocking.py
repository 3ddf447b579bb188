"""Provider blocking: a provider switched off globally keeps its accounts, routing skips it, a
request naming it is a 403 provider_blocked in the caller's shape, and a combo skips it."""

from __future__ import annotations

import requests

from tests.integration.test_fallback_rules import add_combo

HELLO = [{"role": "user", "content": "hi"}]
BLOCKED = "/api/settings/blocked-providers"


def block(gateway, providers: list) -> requests.Response:
    return gateway.admin().put(gateway.url + BLOCKED, json={"providers": providers})


def chat(gateway, model: str) -> requests.Response:
    return requests.post(
        gateway.v1 + "/chat/completions", json={"model": model, "messages": HELLO}, timeout=10
    )


def test_blocking_round_trips_and_an_unknown_provider_is_a_400(gateway):
    assert gateway.admin().get(gateway.url + BLOCKED).json() == {"providers": []}
    assert block(gateway, ["openai", "glm"]).json() == {"providers": ["glm", "openai"]}
    unknown = block(gateway, ["openai", "no-such-provider"])
    assert unknown.status_code == 400
    assert unknown.json()["error"]["param"] == "providers[1]"
    assert "no-such-provider" in unknown.json()["error"]["message"]
    for body in ({"providers": "openai"}, {"blocked": []}, []):
        refused = gateway.admin().put(gateway.url + BLOCKED, json=body)
        assert refused.status_code == 400 and refused.json()["error"]["param"].startswith("prov")
    assert gateway.admin().get(gateway.url + BLOCKED).json() == {"providers": ["glm", "openai"]}


def test_a_blocked_provider_is_refused_by_name_and_keeps_its_accounts(gateway, upstream):
    connection = gateway.add_connection(upstream.url, provider="openai", apiKey="sk-openai")
    assert chat(gateway, "openai/gpt-4o").status_code == 200
    assert block(gateway, ["openai"]).status_code == 200
    refused = chat(gateway, "openai/gpt-4o")
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "provider_blocked"
    assert "Settings → Security" in error["message"]
    messages = requests.post(
        gateway.v1 + "/messages",
        json={"model": "openai/gpt-4o", "max_tokens": 5, "messages": HELLO},
        timeout=10,
    )
    assert messages.status_code == 403 and messages.json()["type"] == "error"
    assert "switched off" in messages.json()["error"]["message"]
    scoped = requests.post(
        gateway.v1 + "/providers/openai/chat/completions",
        json={"model": "gpt-4o", "messages": HELLO},
        timeout=10,
    )
    assert scoped.status_code == 403 and scoped.json()["error"]["code"] == "provider_blocked"
    listed = requests.get(gateway.v1 + "/models", timeout=10).json()["data"]
    assert not any(entry["id"].startswith("openai/") for entry in listed)
    assert len(upstream.requests) == 1  # only the call made before the block
    accounts = gateway.admin().get(gateway.url + "/api/providers").json()
    assert connection["id"] in [account["id"] for account in accounts["data"]]
    assert block(gateway, []).status_code == 200
    assert chat(gateway, "openai/gpt-4o").status_code == 200


def test_a_combo_skips_a_blocked_target(gateway, upstream):
    gateway.add_connection(upstream.url, provider="openai", apiKey="sk-openai")
    gateway.add_connection(upstream.url, provider="glm", apiKey="sk-glm")
    add_combo(gateway, "mixed", ["openai/gpt-4o", "glm/glm-4.7"])
    assert chat(gateway, "mixed").headers["X-OmniRoute-Provider"] == "openai"
    assert block(gateway, ["openai"]).status_code == 200
    answer = chat(gateway, "mixed")
    assert answer.status_code == 200
    assert answer.headers["X-OmniRoute-Provider"] == "glm"
    assert [request.api_key for request in upstream.requests] == ["sk-openai", "sk-glm"]
    assert block(gateway, ["openai", "glm"]).status_code == 200
    none_left = chat(gateway, "mixed")
    assert none_left.status_code == 503 and "switched off" in none_left.json()["error"]["message"]


def test_the_providers_and_combos_pages_show_a_blocked_provider_greyed(gateway, upstream):
    connection = gateway.add_connection(upstream.url, provider="openai", apiKey="sk-openai")
    gateway.add_connection(upstream.url, provider="glm", apiKey="sk-glm")
    add_combo(gateway, "mixed", ["openai/gpt-4o", "glm/glm-4.7"])
    admin = gateway.admin()
    assert "data-blocked" not in admin.get(gateway.url + "/providers").text
    assert block(gateway, ["openai"]).status_code == 200
    providers = admin.get(gateway.url + "/providers").text
    row = providers.split(f'id="conn-{connection["id"]}"', 1)[1].split("</article>", 1)[0]
    assert "data-blocked" in row
    assert providers.count("data-blocked") == 1  # glm's row is not
    combos = admin.get(gateway.url + "/combos").text
    targets = combos.split('data-combo="mixed"', 1)[1].split("</ol>", 1)[0]
    blocked_item = targets.split("openai/gpt-4o", 1)[1].split("</li>", 1)[0]
    assert "data-blocked" in blocked_item
    assert "data-blocked" not in targets.split("glm/glm-4.7", 1)[1]


def test_the_security_tab_section_blocks_without_javascript(gateway):
    admin = gateway.admin()
    token = admin.headers["X-CSRFToken"]
    saved = admin.post(
        gateway.url + "/settings/blocked-providers",
        data={"csrf_token": token, "providers": ["openai", "glm"]},
        allow_redirects=False,
    )
    assert saved.status_code == 302
    assert "saved=provider-blocking" in saved.headers["Location"]
    assert admin.get(gateway.url + BLOCKED).json() == {"providers": ["glm", "openai"]}
    unknown = admin.post(
        gateway.url + "/settings/blocked-providers",
        data={"csrf_token": token, "providers": ["nope"]},
        headers={"HX-Request": "true"},
    )
    assert unknown.status_code == 200 and 'data-error="providers"' in unknown.text
    assert "nope" in unknown.text
    assert admin.get(gateway.url + BLOCKED).json() == {"providers": ["glm", "openai"]}
