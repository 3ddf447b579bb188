"""Dashboard pages over plain HTTP: login redirects, CSRF on forms, no-JS form flows, password."""

from __future__ import annotations

import os
import re

import requests

from tests.dashboard_user import browser_session, csrf_from
from tests.fake_upstream import Behavior
from tests.gateway_harness import ADMIN_PASSWORD, start_gateway


def test_anonymous_pages_redirect_to_login(gateway):
    response = requests.get(gateway.url + "/providers", allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login?next=/providers")


def test_login_form_redirects_to_next_but_never_off_site(gateway):
    assert (
        browser_session(gateway, next_path="?next=/providers").last_login.headers["Location"]
        == "/providers"
    )
    assert (
        browser_session(gateway, next_path="?next=//evil.example").last_login.headers["Location"]
        == "/"
    )


def test_login_form_wrong_password_is_401_then_locked(gateway):
    for _ in range(5):
        assert browser_session(gateway, password="nope").last_login.status_code == 401
    locked = browser_session(gateway).last_login
    assert locked.status_code == 429 and "Too many failed attempts" in locked.text


def test_forms_without_the_csrf_token_are_refused(gateway):
    session = browser_session(gateway)
    response = session.post(
        gateway.url + "/providers",
        data={"provider": "openai", "name": "x", "apiKey": "sk-aaaaaaaaaaaa"},
    )
    assert response.status_code == 400
    assert gateway.admin().get(gateway.url + "/api/providers").json()["data"] == []
    assert (
        session.post(gateway.url + "/login", data={"password": ADMIN_PASSWORD}).status_code == 400
    )


def test_no_javascript_flow_add_toggle_delete(gateway, upstream):
    session = browser_session(gateway)
    token = csrf_from(session.get(gateway.url + "/providers").text)
    added = session.post(
        gateway.url + "/providers",
        allow_redirects=False,
        data={
            "csrf_token": token,
            "provider": "groq",
            "name": "Groq key",
            "apiKey": "gsk_abcdefgh1234",
            "baseUrl": upstream.url,
            "priority": "3",
            "isActive": "on",
        },
    )
    assert added.status_code == 302
    [connection] = gateway.admin().get(gateway.url + "/api/providers").json()["data"]
    assert (connection["provider"], connection["priority"], connection["apiKeyHint"]) == (
        "groq",
        3,
        "1234",
    )
    page = session.get(gateway.url + "/providers").text
    assert "Groq key" in page and "gsk_abcdefgh1234" not in page and "••••1234" in page
    base = f"{gateway.url}/providers/{connection['id']}"
    assert (
        session.post(
            base + "/toggle", data={"csrf_token": token}, allow_redirects=False
        ).status_code
        == 302
    )
    assert (
        gateway.admin().get(gateway.url + "/api/providers").json()["data"][0]["isActive"] is False
    )
    assert (
        session.post(
            base + "/delete", data={"csrf_token": token}, allow_redirects=False
        ).status_code
        == 302
    )
    assert gateway.admin().get(gateway.url + "/api/providers").json()["data"] == []


def test_invalid_form_shows_the_field_error_and_keeps_values(gateway):
    session = browser_session(gateway)
    token = csrf_from(session.get(gateway.url + "/providers").text)
    response = session.post(
        gateway.url + "/providers",
        data={
            "csrf_token": token,
            "provider": "openai",
            "name": "Mine",
            "apiKey": "sk-aaaaaaaa9999",
            "baseUrl": "ftp://wrong",
        },
    )
    assert response.status_code == 400
    assert "baseUrl" in response.text and 'value="Mine"' in response.text
    assert "sk-aaaaaaaa9999" not in response.text  # a typed key is never echoed back


def test_htmx_requests_get_fragments(gateway):
    session = browser_session(gateway)
    fragment = session.get(gateway.url + "/providers", headers={"HX-Request": "true"}).text
    page = session.get(gateway.url + "/providers").text
    assert "<html" not in fragment and "<html" in page
    home_fragment = session.get(gateway.url + "/", headers={"HX-Request": "true"}).text
    assert 'data-stat="requests"' in home_fragment and "<html" not in home_fragment


def test_change_password(gateway):
    session = browser_session(gateway)
    url = gateway.url + "/settings/password"
    token = csrf_from(session.get(url).text)

    def change(current, new, confirm):
        return session.post(
            url,
            data={
                "csrf_token": token,
                "current_password": current,
                "new_password": new,
                "confirm_password": confirm,
            },
        )

    assert change("wrong", "brand-new-pass", "brand-new-pass").status_code == 400
    assert change(ADMIN_PASSWORD, "short", "short").status_code == 400
    assert change(ADMIN_PASSWORD, "brand-new-pass", "different-pass").status_code == 400
    assert change(ADMIN_PASSWORD, "brand-new-pass", "brand-new-pass").status_code == 200
    login = requests.post(gateway.url + "/api/auth/login", json={"password": ADMIN_PASSWORD})
    assert login.status_code == 401
    login = requests.post(gateway.url + "/api/auth/login", json={"password": "brand-new-pass"})
    assert login.status_code == 200


def test_changing_a_generated_password_deletes_the_initial_password_file(tmp_path, capsys):
    data_dir = tmp_path / "generated"
    gateway = start_gateway(str(data_dir), INITIAL_PASSWORD=None)
    try:
        password_file = data_dir / "initial-password"
        generated = password_file.read_text().strip()
        capsys.readouterr()  # the password printed once at start
        session = browser_session(gateway, password=generated)
        url = gateway.url + "/settings/password"
        token = csrf_from(session.get(url).text)
        form = {"csrf_token": token, "current_password": generated}
        refused = session.post(
            url, data={**form, "new_password": "a-new-pass", "confirm_password": "x"}
        )
        assert refused.status_code == 400 and password_file.exists()  # nothing changed yet
        changed = session.post(
            url, data={**form, "new_password": "a-new-pass", "confirm_password": "a-new-pass"}
        )
        assert changed.status_code == 200
        assert not password_file.exists()
        assert "initial-password" not in os.listdir(data_dir)
        assert browser_session(gateway, password="a-new-pass").last_login.status_code == 302
    finally:
        gateway.stop()


def test_home_counts_a_failed_request_as_an_error(gateway, upstream):
    gateway.add_connection(upstream.url)
    session = browser_session(gateway)

    def errors_today() -> int:
        page = session.get(gateway.url + "/", headers={"HX-Request": "true"}).text
        return int(re.search(r'data-stat="errors">([0-9,]+)<', page).group(1).replace(",", ""))

    assert errors_today() == 0
    upstream.add(Behavior(status=400, error_message="bad parameter"))
    body = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    assert requests.post(gateway.v1 + "/chat/completions", json=body).status_code == 400
    gateway.flush_usage()
    assert errors_today() == 1


def test_logout_form(gateway):
    session = browser_session(gateway)
    token = csrf_from(session.get(gateway.url + "/").text)
    session.post(gateway.url + "/logout", data={"csrf_token": token})
    assert session.get(gateway.url + "/", allow_redirects=False).status_code == 302


def test_api_keys_page_shows_a_new_key_once(gateway):
    session = browser_session(gateway)
    token = csrf_from(session.get(gateway.url + "/keys").text)
    created = session.post(gateway.url + "/keys", data={"csrf_token": token, "name": "Cursor"})
    key = re.search(r"<code data-new-key>([^<]+)</code>", created.text).group(1)
    assert key.startswith("sk-omni-")
    again = session.get(gateway.url + "/keys").text
    assert "Cursor" in again and key not in again and key[:12] in again
