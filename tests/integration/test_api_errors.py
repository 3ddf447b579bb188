"""/api answers every error in its JSON shape, pages with a styled page; bad input is a 4xx."""

from __future__ import annotations

import json
import logging
import re

import pytest
import requests

from omniroute.web.deferred import built_dashboard
from omniroute.web.request_limits import MAX_ID, MAX_JSON_DEPTH
from tests.dashboard_user import browser_session, csrf_from
from tests.gateway_harness import start_gateway

TOO_BIG_ID = 2**63  # one past what the database stores
ID_ROUTES = {
    "/api/providers": ["GET", "PUT", "DELETE"],
    "/api/combos": ["GET", "PUT", "DELETE"],
    "/api/keys": ["PATCH", "DELETE"],
    "/api/provider-nodes": ["PUT", "DELETE"],
}


def assert_api_error(response: requests.Response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["type"], str) and "code" in error
    if code is not None:
        assert error["code"] == code, error
    return error


def assert_error_page(response: requests.Response, status: int, heading: str) -> None:
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.text
    assert heading in page
    assert re.search(r"/static/css/app\.[0-9a-f]{10}\.css", page)  # the dashboard's stylesheet
    assert '<main id="main">' in page and 'class="skip"' in page  # and layout
    assert "Werkzeug" not in page and "The requested URL" not in page


# --- /api: werkzeug's HTTP errors in the JSON shape ---------------------------------------------


def test_unknown_api_path_is_a_json_404(gateway):
    assert_api_error(requests.get(gateway.url + "/api/no-such-thing"), 404, "not_found")
    assert_api_error(gateway.admin().get(gateway.url + "/api/no-such-thing"), 404, "not_found")


def test_wrong_method_on_an_api_path_is_a_json_405_with_allow(gateway):
    response = gateway.admin().patch(gateway.url + "/api/providers")
    error = assert_api_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]
    assert "PATCH /api/providers" in error["message"]


def test_a_body_over_the_limit_is_a_json_413(tmp_path):
    gateway = start_gateway(str(tmp_path / "data"), MAX_BODY_BYTES=1024)
    try:
        response = gateway.admin().post(
            gateway.url + "/api/combos", json={"name": "x" * 4000, "models": []}
        )
        error = assert_api_error(response, 413, "request_too_large")
        assert "1024" in error["message"]
    finally:
        gateway.stop()


@pytest.mark.parametrize("route", ID_ROUTES)
def test_an_id_past_64_bits_is_a_json_404_not_a_500(gateway, route):
    admin = gateway.admin()
    for method in ID_ROUTES[route]:
        for number in (TOO_BIG_ID, 10**30):
            response = admin.request(method, f"{gateway.url}{route}/{number}", json={})
            assert_api_error(response, 404, "not_found")
        largest = admin.request(method, f"{gateway.url}{route}/{MAX_ID}", json={})
        assert_api_error(largest, 400 if largest.status_code == 400 else 404)  # body or row


def test_an_id_past_64_bits_on_a_page_is_the_styled_404(gateway):
    response = browser_session(gateway).get(f"{gateway.url}/providers/{TOO_BIG_ID}")
    assert_error_page(response, 404, "Page not found")


# --- /api: JSON that cannot be used is a 400 naming the problem ------------------------------


JSON_ROUTES = [
    ("POST", "/api/combos"),
    ("POST", "/api/providers"),
    ("POST", "/api/keys"),
    ("POST", "/api/provider-nodes"),
    ("POST", "/api/translator/translate"),
    ("PATCH", "/api/settings"),
    ("POST", "/api/auth/login"),
]


@pytest.mark.parametrize(("method", "route"), JSON_ROUTES)
def test_json_nested_past_the_recursion_limit_is_a_400(gateway, method, route):
    admin = gateway.admin()
    for body in ("[" * 5000 + "]" * 5000, '{"a":' * 2000 + "1" + "}" * 2000):
        response = admin.request(
            method, gateway.url + route, data=body, headers={"Content-Type": "application/json"}
        )
        error = assert_api_error(response, 400, "json_too_deep")
        assert "nested deeper" in error["message"]


def test_json_nested_deeper_than_the_limit_is_a_400_even_when_python_could_parse_it(gateway):
    deep = json.loads("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))
    response = gateway.admin().post(
        gateway.url + "/api/translator/translate",
        json={"from": "openai", "to": "anthropic", "body": {"messages": deep}},
    )
    assert_api_error(response, 400, "json_too_deep")


@pytest.mark.parametrize(
    ("method", "route", "body", "param"),
    [
        ("POST", "/api/auth/login", '{"password": "\\ud800"}', "password"),
        ("POST", "/api/keys", '{"name": "a\\udc00b"}', "name"),
        ("POST", "/api/combos", '{"name": "c", "models": ["\\ud800"]}', "models[0]"),
        ("POST", "/api/translator/translate", '{"from": "openai", "\\ud83d": 1}', None),
    ],
)
def test_a_lone_surrogate_in_a_json_string_is_a_400_naming_the_field(
    gateway, method, route, body, param
):
    admin = gateway.admin()
    response = admin.request(
        method, gateway.url + route, data=body, headers={"Content-Type": "application/json"}
    )
    error = assert_api_error(response, 400, "invalid_string")
    assert error.get("param") == param


# --- /api: type confusion in the translator's fields -----------------------------------------


@pytest.mark.parametrize(
    ("route", "body", "param"),
    [
        ("/api/translator/translate", {"from": []}, "from"),
        ("/api/translator/translate", {"from": {}, "to": "openai", "body": {}}, "from"),
        ("/api/translator/translate", {"from": "openai", "to": ["x"], "body": {}}, "to"),
        ("/api/translator/translate", {"from": "openai", "to": "openai", "kind": ["x"]}, "kind"),
        ("/api/translator/send", {"model": "m", "format": ["openai"]}, "format"),
        ("/api/translator/send", {"model": "m", "format": {"a": 1}}, "format"),
        ("/api/translator/send", {"model": "m", "body": {}, "message": 5}, "message"),
        ("/api/translator/send", {"model": "m", "message": "hi", "system": ["x"]}, "system"),
    ],
)
def test_translator_fields_of_the_wrong_type_are_a_400_naming_the_field(
    gateway, route, body, param
):
    response = gateway.admin().post(gateway.url + route, json=body)
    error = assert_api_error(response, 400)
    assert error["param"] == param


DEEP_PASTES = [
    ("request", "[" * 5000 + "]" * 5000),
    ("response", '{"a":' * 3000 + "1" + "}" * 3000),
    ("stream", "data: " + "[" * 5000 + "]" * 5000 + "\n\n"),
]


@pytest.mark.parametrize(("kind", "text"), DEEP_PASTES, ids=[kind for kind, _ in DEEP_PASTES])
def test_pasted_text_nested_too_deeply_is_a_400_on_the_api_and_the_page(gateway, kind, text):
    fields = {"from": "openai", "to": "anthropic", "kind": kind, "body": text}
    response = gateway.admin().post(gateway.url + "/api/translator/translate", json=fields)
    error = assert_api_error(response, 400, "invalid_input")
    assert error["param"] == "body" and "nested too deeply" in error["message"]
    session = browser_session(gateway)
    page = session.get(gateway.url + "/translator").text
    token = csrf_from(page)
    form = session.post(
        gateway.url + "/translator/playground", data={**fields, "csrf_token": token}
    )
    assert form.status_code == 400 and "nested too deeply" in form.text


def test_a_provider_that_is_not_a_string_is_a_400_naming_it(gateway):
    for provider in ([], {"a": 1}):
        response = gateway.admin().post(
            gateway.url + "/api/providers", json={"provider": provider, "apiKey": "sk-x"}
        )
        assert assert_api_error(response, 400)["param"] == "provider"


# --- bugs: a logged 500 in the surface's shape ----------------------------------------------


def _break_view(gateway, endpoint: str) -> None:
    def broken(**_kwargs):
        raise KeyError("a bug")

    built_dashboard(gateway.app).view_functions[endpoint] = broken


def test_a_bug_under_api_is_a_json_500_with_the_traceback_logged(gateway, caplog):
    _break_view(gateway, "api.providers.list_connections")
    with caplog.at_level(logging.ERROR):
        response = gateway.admin().get(gateway.url + "/api/providers")
    error = assert_api_error(response, 500, "internal_error")
    assert error["type"] == "server_error" and "KeyError" in error["message"]
    logged = [record for record in caplog.records if "GET /api/providers" in record.getMessage()]
    assert logged and logged[0].exc_info and logged[0].exc_info[0] is KeyError


def test_a_bug_on_a_page_is_the_styled_500_with_the_traceback_logged(gateway, caplog):
    session = browser_session(gateway)
    _break_view(gateway, "pages.dashboard.home")
    with caplog.at_level(logging.ERROR):
        response = session.get(gateway.url + "/")
    assert_error_page(response, 500, "Something went wrong")
    assert "a bug" not in response.text  # details stay in the log
    assert any(record.exc_info for record in caplog.records if "GET /" in record.getMessage())


# --- pages: styled error pages ----------------------------------------------------------------


def test_pages_get_styled_404_405_and_csrf_400(gateway):
    session = browser_session(gateway)
    assert_error_page(session.get(gateway.url + "/no-such-page"), 404, "Page not found")
    not_allowed = session.get(gateway.url + "/logout")
    assert_error_page(not_allowed, 405, "Not allowed")
    assert "POST" in not_allowed.headers["Allow"]
    no_token = session.post(gateway.url + "/providers", data={"provider": "openai"})
    assert_error_page(no_token, 400, "Bad request")
    assert "Reload the page" in no_token.text
    anonymous = requests.get(gateway.url + "/no-such-page")
    assert_error_page(anonymous, 404, "Page not found")


def test_client_api_paths_keep_their_own_error_shapes(gateway):
    openai_404 = requests.get(gateway.url + "/v1/no-such-endpoint")
    assert openai_404.status_code == 404
    assert openai_404.json()["error"]["code"] == "unknown_url"
    anthropic_405 = requests.get(gateway.url + "/v1/messages")
    assert anthropic_405.status_code == 405
    assert anthropic_405.json()["type"] == "error"  # Anthropic's envelope
