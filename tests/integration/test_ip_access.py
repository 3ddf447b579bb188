"""IP access control: allow/deny lists for /v1 and for the dashboard + /api, on the real client
address (X-Forwarded-For believed only from TRUSTED_PROXY), IPv4 and IPv6, deny wins, a refusal
in each caller's wire format, and no rule that locks the admin out."""

from __future__ import annotations

import requests

HELLO = [{"role": "user", "content": "hi"}]
IP_ACCESS = "/api/settings/ip-access"


def put_rules(gateway, body: dict) -> requests.Response:
    return gateway.admin().put(gateway.url + IP_ACCESS, json=body)


def models_status(gateway, **headers) -> int:
    return requests.get(gateway.v1 + "/models", headers=headers, timeout=10).status_code


def test_the_rules_round_trip_and_a_bad_entry_is_a_400_naming_it(gateway):
    assert gateway.admin().get(gateway.url + IP_ACCESS).json() == {
        "v1": {"allow": [], "deny": []},
        "dashboard": {"allow": [], "deny": []},
    }
    saved = put_rules(gateway, {"v1": {"allow": ["10.0.0.0/8", "2001:db8::1"], "deny": []}})
    assert saved.status_code == 200, saved.text
    assert saved.json()["v1"]["allow"] == ["10.0.0.0/8", "2001:db8::1/128"]
    bad = put_rules(gateway, {"v1": {"allow": ["10.0.0.0/8", "10.0.0.300"]}})
    assert bad.status_code == 400
    assert bad.json()["error"]["param"] == "v1.allow[1]"
    assert "10.0.0.300" in bad.json()["error"]["message"]
    for body, param in (
        ({"v2": {}}, "v2"),
        ({"dashboard": {"allow": "10.0.0.1"}}, "dashboard.allow"),
        ({"dashboard": {"block": []}}, "dashboard.block"),
        ([1], "body"),
    ):
        refused = put_rules(gateway, body)
        assert refused.status_code == 400 and refused.json()["error"]["param"] == param
    assert gateway.admin().get(gateway.url + IP_ACCESS).json()["v1"]["allow"] == [
        "10.0.0.0/8",
        "2001:db8::1/128",
    ]
    assert models_status(gateway) == 403  # 127.0.0.1 is not on the /v1 allow list


def test_a_refused_caller_gets_a_403_in_every_wire_format(connected):
    gateway = connected
    assert put_rules(gateway, {"v1": {"deny": ["127.0.0.0/8"]}}).status_code == 200
    chat = requests.post(
        gateway.v1 + "/chat/completions", json={"model": "x", "messages": HELLO}, timeout=10
    )
    assert chat.status_code == 403
    assert chat.json()["error"]["code"] == "ip_not_allowed"
    assert "127.0.0.1" in chat.json()["error"]["message"]
    unprefixed = requests.post(
        gateway.url + "/chat/completions", json={"model": "x", "messages": HELLO}, timeout=10
    )
    assert unprefixed.status_code == 403 and unprefixed.json()["error"]["code"] == "ip_not_allowed"
    messages = requests.post(
        gateway.v1 + "/messages",
        json={"model": "x", "max_tokens": 5, "messages": HELLO},
        timeout=10,
    )
    assert messages.status_code == 403
    assert messages.json()["type"] == "error"
    assert messages.json()["error"]["type"] == "permission_error"
    responses = requests.post(gateway.v1 + "/responses", json={"model": "x", "input": "hi"})
    assert responses.status_code == 403
    assert responses.json()["error"]["code"] == "ip_not_allowed"
    gemini = requests.post(
        gateway.url + "/v1beta/models/gemini-2.5-flash:generateContent",
        json={"contents": [{"role": "user", "parts": [{"text": "hi"}]}]},
        timeout=10,
    )
    assert gemini.status_code == 403
    assert gemini.json()["error"]["code"] == 403
    assert gemini.json()["error"]["status"] == "PERMISSION_DENIED"
    assert models_status(gateway) == 403
    assert gateway.admin().get(gateway.url + "/api/providers").status_code == 200  # not /v1


def test_deny_wins_over_allow_and_an_empty_allow_list_allows_everyone(gateway):
    assert put_rules(gateway, {"v1": {"allow": [], "deny": ["192.0.2.0/24"]}}).status_code == 200
    assert models_status(gateway) == 200
    both = {"v1": {"allow": ["127.0.0.1"], "deny": ["127.0.0.0/8"]}}
    assert put_rules(gateway, both).status_code == 200
    assert models_status(gateway) == 403
    assert put_rules(gateway, {"v1": {"allow": ["127.0.0.1"], "deny": []}}).status_code == 200
    assert models_status(gateway) == 200
    assert put_rules(gateway, {"v1": {"allow": [], "deny": []}}).status_code == 200
    assert models_status(gateway) == 200


def test_a_rule_locking_the_admin_out_is_refused_and_nothing_is_saved(gateway):
    for dashboard in ({"deny": ["127.0.0.1"]}, {"allow": ["10.0.0.0/8"]}):
        refused = put_rules(gateway, {"dashboard": dashboard, "v1": {"deny": ["10.1.1.1"]}})
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["code"] == "admin_lockout" and "127.0.0.1" in error["message"]
    assert gateway.admin().get(gateway.url + IP_ACCESS).json()["v1"]["deny"] == []
    kept = put_rules(gateway, {"dashboard": {"allow": ["127.0.0.1", "10.0.0.0/8"]}})
    assert kept.status_code == 200
    assert gateway.admin().get(gateway.url + "/providers").status_code == 200


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(start):
    gateway = start()  # no TRUSTED_PROXY: the tests' 127.0.0.1 is the client
    assert put_rules(gateway, {"v1": {"allow": ["203.0.113.9"]}}).status_code == 200
    assert models_status(gateway, **{"X-Forwarded-For": "203.0.113.9"}) == 403
    assert put_rules(gateway, {"v1": {"allow": [], "deny": ["127.0.0.1"]}}).status_code == 200
    assert models_status(gateway, **{"X-Forwarded-For": "203.0.113.9"}) == 403
    page = requests.get(
        gateway.url + "/login", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10
    )
    assert page.status_code == 200  # the dashboard has no rule


def test_behind_the_trusted_proxy_the_forwarded_client_is_judged(start):
    gateway = start(TRUSTED_PROXY="127.0.0.1", REQUIRE_API_KEY=False)
    rules = {"v1": {"deny": ["203.0.113.5"]}, "dashboard": {"allow": ["127.0.0.1"]}}
    assert put_rules(gateway, rules).status_code == 200
    assert models_status(gateway, **{"X-Forwarded-For": "203.0.113.5"}) == 403
    assert models_status(gateway, **{"X-Forwarded-For": "203.0.113.9"}) == 200
    assert models_status(gateway) == 200
    outsider = {"X-Forwarded-For": "198.51.100.7"}
    page = requests.get(gateway.url + "/login", headers=outsider, timeout=10)
    assert page.status_code == 403
    assert "text/html" in page.headers["Content-Type"] and "198.51.100.7" in page.text
    api = gateway.admin().get(gateway.url + "/api/providers", headers=outsider)
    assert api.status_code == 403 and api.json()["error"]["code"] == "ip_not_allowed"
    login = requests.post(
        gateway.url + "/api/auth/login", json={"password": "x"}, headers=outsider, timeout=10
    )
    assert login.status_code == 403
    style = requests.get(gateway.url + "/static/css/app.css", headers=outsider, timeout=10)
    assert style.status_code == 200  # the 403 page keeps its style
    assert gateway.admin().get(gateway.url + "/api/providers").status_code == 200


def test_ipv6_rules_on_a_gateway_listening_on_ipv6_loopback(start):
    gateway = start(HOSTNAME="::1")
    assert gateway.url.startswith("http://[::1]:")
    assert put_rules(gateway, {"v1": {"deny": ["127.0.0.1", "10.0.0.0/8"]}}).status_code == 200
    assert models_status(gateway) == 200  # IPv4 rules do not touch ::1
    assert put_rules(gateway, {"v1": {"deny": ["::1"]}}).status_code == 200
    assert models_status(gateway) == 403
    assert put_rules(gateway, {"v1": {"deny": [], "allow": ["::/0"]}}).status_code == 200
    assert models_status(gateway) == 200
    locked = put_rules(gateway, {"dashboard": {"allow": ["2001:db8::/32"]}})
    assert locked.status_code == 409 and "::1" in locked.json()["error"]["message"]
    assert put_rules(gateway, {"dashboard": {"allow": ["::1/128"]}}).status_code == 200
    assert gateway.admin().get(gateway.url + "/api/providers").status_code == 200


def test_the_security_tab_section_saves_without_javascript_and_shows_errors(gateway):
    admin = gateway.admin()
    form = {
        "csrf_token": admin.headers["X-CSRFToken"],
        "v1.allow": "",
        "v1.deny": "10.9.9.9, 2001:db8::/32",
        "dashboard.allow": "",
        "dashboard.deny": "",
    }
    saved = admin.post(gateway.url + "/settings/ip-access", data=form, allow_redirects=False)
    assert saved.status_code == 302 and "saved=ip-access" in saved.headers["Location"]
    assert admin.get(gateway.url + IP_ACCESS).json()["v1"]["deny"] == [
        "10.9.9.9/32",
        "2001:db8::/32",
    ]
    page = admin.get(gateway.url + saved.headers["Location"]).text
    assert "2001:db8::/32" in page and "data-saved" in page
    bad = admin.post(gateway.url + "/settings/ip-access", data={**form, "v1.allow": "nonsense"})
    assert bad.status_code == 400 and 'data-error="v1.allow"' in bad.text
    locked = admin.post(
        gateway.url + "/settings/ip-access",
        data={**form, "dashboard.allow": "10.0.0.0/8"},
        headers={"HX-Request": "true"},
    )
    assert locked.status_code == 200 and 'data-error="lockout"' in locked.text
    assert "127.0.0.1" in locked.text
    assert admin.get(gateway.url + IP_ACCESS).json()["dashboard"]["allow"] == []
