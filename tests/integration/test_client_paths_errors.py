"""Unknown client API paths and wrong methods answer in the caller's own error shape (Anthropic
for /v1/messages…, Gemini for /v1beta/…, OpenAI otherwise), through a real gateway; dashboard
paths keep their HTML pages."""

from __future__ import annotations

import pytest
import requests


def is_json(response: requests.Response) -> bool:
    return response.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", "/v1/messages/batches", 404),
        ("GET", "/v1/messages", 405),
        ("GET", "/messages", 405),
        ("GET", "/v1/messages/count_tokens", 405),
    ],
)
def test_anthropic_paths_answer_in_anthropic_shape(gateway, method, path, status):
    response = requests.request(method, gateway.url + path, json={})
    assert response.status_code == status and is_json(response)
    body = response.json()
    assert body["type"] == "error"
    kind = "not_found_error" if status == 404 else "invalid_request_error"
    assert body["error"]["type"] == kind
    assert f"{method} {path}" in body["error"]["message"]
    if status == 405:
        assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize(
    ("method", "path", "status", "name"),
    [
        ("GET", "/v1beta/files", 404, "NOT_FOUND"),
        ("GET", "/v1beta/models/gemini-2.5-flash:generateContent", 405, "INVALID_ARGUMENT"),
    ],
)
def test_gemini_paths_answer_in_gemini_shape(gateway, method, path, status, name):
    response = requests.request(method, gateway.url + path)
    assert response.status_code == status and is_json(response)
    error = response.json()["error"]
    assert (error["code"], error["status"]) == (status, name)
    assert path in error["message"]


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("POST", "/v1/assistants", 404, "unknown_url"),
        ("GET", "/v1/chat/completions", 405, "method_not_allowed"),
        ("GET", "/chat/completions", 405, "method_not_allowed"),
        ("POST", "/v1/models", 405, "method_not_allowed"),
        ("POST", "/models", 405, "method_not_allowed"),
        ("GET", "/responses", 405, "method_not_allowed"),
        ("GET", "/v1/v1/responses", 405, "method_not_allowed"),
    ],
)
def test_other_client_paths_answer_in_openai_shape(gateway, method, path, status, code):
    response = requests.request(method, gateway.url + path, json={})
    assert response.status_code == status and is_json(response)
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("invalid_request_error", code)
    assert f"{method} {path}" in error["message"]


def test_unknown_paths_need_no_key_to_be_told_so(tmp_path):
    from tests.gateway_harness import start_gateway

    locked = start_gateway(str(tmp_path / "locked"), REQUIRE_API_KEY=True)
    try:
        response = requests.post(locked.url + "/v1/messages/batches", json={})
        assert response.status_code == 404 and response.json()["type"] == "error"
    finally:
        locked.stop()


def test_dashboard_paths_keep_their_html_pages(gateway):
    response = requests.get(gateway.url + "/no-such-page")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<title>404" in response.text
    deep = requests.get(gateway.url + "/providers/no/such/page")
    assert deep.status_code == 404 and deep.headers["Content-Type"].startswith("text/html")
