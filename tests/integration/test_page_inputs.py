"""Odd numbers and names typed into dashboard forms and query strings are refused or ignored,
never a 500: Unicode digits such as '²' pass str.isdigit() but not int()."""

from __future__ import annotations

from omniroute.resilience.rate_limits import RateLimiter


def test_health_refresh_with_a_superscript_digit_falls_back_to_the_default(gateway):
    with gateway.admin() as session:
        response = session.get(gateway.url + "/dashboard/health", params={"refresh": "²"})
    assert response.status_code == 200
    assert 'hx-trigger="every 10s"' in response.text


def test_a_combo_editor_action_with_a_superscript_position_is_ignored(gateway):
    with gateway.admin() as session:
        created = session.post(
            gateway.url + "/api/combos", json={"name": "pair", "models": ["openai/a", "openai/b"]}
        )
        assert created.status_code == 201, created.text
        combo_id = created.json()["id"]
        response = session.post(
            f"{gateway.url}/combos/{combo_id}",
            data={
                "name": "pair",
                "strategy": "priority",
                "action": "up:²",
                "model": ["openai/a", "openai/b"],
                "weight": ["1", "1"],
            },
        )
    assert response.status_code == 200
    assert "openai/a" in response.text and "openai/b" in response.text


def test_a_routing_setting_with_a_superscript_number_is_a_form_error(gateway):
    with gateway.admin() as session:
        response = session.post(
            gateway.url + "/settings/routing", data={"stickyRoundRobinLimit": "²"}
        )
    assert response.status_code == 400
    assert "whole number" in response.text


def test_a_node_prefix_ending_in_a_newline_is_refused(gateway):
    body = {"name": "n", "prefix": "abc\n", "baseUrl": "http://127.0.0.1:9/v1", "apiType": "openai"}
    with gateway.admin() as session:
        response = session.post(gateway.url + "/api/provider-nodes", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "prefix"


def test_a_provider_limit_header_in_superscript_digits_is_ignored():
    limiter = RateLimiter()
    limiter.learn("account", {"x-ratelimit-limit-requests": "²"})
    limiter.learn("account", {"x-ratelimit-limit-requests": "7"})
    assert limiter.snapshot()["account"]["learnedRpm"] == 7
