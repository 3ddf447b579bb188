"""Dashboard sessions can be revoked (logout, password change, "Log out all sessions", across
restarts), and the first password obeys the length rule a changed one does."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import requests

from omniroute import ROOT, create_app
from omniroute.settings import MIN_PASSWORD_LENGTH, SettingsError
from tests.dashboard_user import browser_session, csrf_from
from tests.gateway_harness import ADMIN_PASSWORD, start_gateway

NEW_PASSWORD = "another-password-456"


def browser_login(gateway) -> requests.Session:
    """Logged in through the HTML form, like a browser."""
    session = browser_session(gateway)
    assert session.last_login.status_code == 302
    return session


def captured_cookie(session: requests.Session) -> str:
    return session.cookies.get("session")


def page_status(gateway, cookie: str) -> int:
    """The dashboard home as a browser holding only `cookie` sees it (302: sent to /login)."""
    response = requests.get(gateway.url + "/", cookies={"session": cookie}, allow_redirects=False)
    return response.status_code


def api_status(gateway, cookie: str) -> int:
    response = requests.get(gateway.url + "/api/providers", cookies={"session": cookie})
    if response.status_code == 401:
        assert response.json()["error"]["type"] == "authentication_error"
    return response.status_code


def assert_alive(gateway, cookie: str) -> None:
    assert page_status(gateway, cookie) == 200
    assert api_status(gateway, cookie) == 200


def assert_dead(gateway, cookie: str) -> None:
    home = requests.get(gateway.url + "/", cookies={"session": cookie}, allow_redirects=False)
    assert home.status_code == 302 and home.headers["Location"].startswith("/login")
    assert api_status(gateway, cookie) == 401


def test_a_cookie_captured_before_the_logout_form_stops_working(gateway):
    browser = browser_login(gateway)
    stolen = captured_cookie(browser)
    assert_alive(gateway, stolen)
    token = csrf_from(browser.get(gateway.url + "/").text)
    assert browser.post(gateway.url + "/logout", data={"csrf_token": token}).ok
    assert_dead(gateway, stolen)


def test_a_cookie_captured_before_the_api_logout_stops_working(gateway):
    script = gateway.admin(fresh=True)
    stolen = captured_cookie(script)
    other = gateway.admin(fresh=True)
    assert script.post(gateway.url + "/api/auth/logout").status_code == 204
    assert_dead(gateway, stolen)
    assert_alive(gateway, captured_cookie(other))  # logout ends one session only


def test_a_password_change_ends_every_other_session_but_keeps_this_one(gateway):
    browser = browser_login(gateway)
    other_browser, script = browser_login(gateway), gateway.admin(fresh=True)
    url = gateway.url + "/settings/password"
    token = csrf_from(browser.get(url).text)
    changed = browser.post(
        url,
        data={
            "csrf_token": token,
            "current_password": ADMIN_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 200
    assert_dead(gateway, captured_cookie(other_browser))
    assert_dead(gateway, captured_cookie(script))
    assert_alive(gateway, captured_cookie(browser))
    assert browser.get(url).status_code == 200


def test_log_out_all_sessions_button_ends_every_session(gateway):
    browser = browser_login(gateway)
    script = gateway.admin(fresh=True)
    page = browser.get(gateway.url + "/settings/password").text
    form = re.search(r'<form method="post" action="([^"]+)">\s*<input[^>]+value="([^"]+)"', page)
    assert form and form.group(1) == "/settings/sessions/logout-all"
    assert "Log out all sessions" in page
    cookie = captured_cookie(browser)
    refused = browser.post(gateway.url + form.group(1), allow_redirects=False)
    assert refused.status_code == 400  # no CSRF token
    assert_alive(gateway, cookie)
    ended = browser.post(
        gateway.url + form.group(1), data={"csrf_token": form.group(2)}, allow_redirects=False
    )
    assert ended.status_code == 302 and ended.headers["Location"] == "/login"
    assert_dead(gateway, cookie)
    assert_dead(gateway, captured_cookie(script))
    assert page_status(gateway, captured_cookie(browser)) == 302


def test_api_logout_all_ends_every_session_including_the_callers(gateway):
    browser = browser_login(gateway)
    script = gateway.admin(fresh=True)
    cookie = captured_cookie(script)
    response = script.post(gateway.url + "/api/auth/logout-all")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "sessionsEnded": 2}
    assert_dead(gateway, captured_cookie(browser))
    assert_dead(gateway, cookie)
    anonymous = requests.post(gateway.url + "/api/auth/logout-all")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthorized"


def test_a_cookie_signed_without_a_live_session_is_refused(gateway):
    """A cookie that only says "admin" (as sessions did before they were revocable, or as a
    leaked signing secret would allow) is not a login."""
    serializer = gateway.app.session_interface.get_signing_serializer(gateway.app)
    bare = serializer.dumps({"_user_id": "admin", "_fresh": True})
    assert_dead(gateway, bare)
    forged = serializer.dumps({"_user_id": "admin", "live_session": "made-up"})
    assert_dead(gateway, forged)


def test_ended_sessions_stay_ended_after_a_restart(tmp_path):
    data_dir = str(tmp_path / "data")
    first = start_gateway(data_dir)
    try:
        kept, ended = first.admin(), browser_login(first)
        kept_cookie, ended_cookie = captured_cookie(kept), captured_cookie(ended)
        token = csrf_from(ended.get(first.url + "/").text)
        assert ended.post(first.url + "/logout", data={"csrf_token": token}).ok
    finally:
        first.stop()
    second = start_gateway(data_dir)
    try:
        assert_dead(second, ended_cookie)
        assert_alive(second, kept_cookie)
        assert second.admin().post(second.url + "/api/auth/logout-all").ok
    finally:
        second.stop()
    third = start_gateway(data_dir)
    try:
        assert_dead(third, kept_cookie)
    finally:
        third.stop()


def test_a_too_short_initial_password_stops_start_up_naming_the_variable(tmp_path):
    with pytest.raises(SettingsError, match="INITIAL_PASSWORD") as caught:
        create_app({"DATA_DIR": str(tmp_path / "data")}, environ={"INITIAL_PASSWORD": "a"})
    assert f"at least {MIN_PASSWORD_LENGTH} characters" in str(caught.value)
    assert not (tmp_path / "data" / "omniroute.db").exists()  # refused before anything was made
    with pytest.raises(SettingsError, match="INITIAL_PASSWORD"):
        create_app({"DATA_DIR": str(tmp_path / "data"), "INITIAL_PASSWORD": "1234567"})


def test_app_py_refuses_a_too_short_initial_password_with_exit_code_2(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORT", "HOSTNAME"))}
    env.update({"DATA_DIR": str(tmp_path), "INITIAL_PASSWORD": "secret7", "PORT": "0"})
    process = subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert process.returncode == 2, process.stderr
    assert "INITIAL_PASSWORD" in process.stderr and "secret7" not in process.stderr


def test_an_initial_password_of_the_minimum_length_works(tmp_path):
    password = "p" * MIN_PASSWORD_LENGTH
    gateway = start_gateway(str(tmp_path / "data"), INITIAL_PASSWORD=password)
    try:
        login = requests.post(gateway.url + "/api/auth/login", json={"password": password})
        assert login.status_code == 200
    finally:
        gateway.stop()


def test_a_response_overlapping_the_login_does_not_put_the_anonymous_cookie_back(gateway):
    """A browser fetches /favicon.ico (and other assets) after the login page loads. Those
    answers must not rewrite the session cookie: one that arrives after the login's answer
    would replace the logged-in cookie with the anonymous one it was sent with."""
    anonymous = requests.Session()
    anonymous.get(gateway.url + "/login")
    assert captured_cookie(anonymous)  # the CSRF token's session
    for path in ["/favicon.ico", "/no-such-page", "/static/css/app.css", "/login"]:
        response = anonymous.get(gateway.url + path)
        assert "Set-Cookie" not in response.headers, (path, response.headers["Set-Cookie"])
    logged_in = browser_login(gateway)
    cookie = captured_cookie(logged_in)
    for path in ["/favicon.ico", "/no-such-page", "/static/css/app.css", "/"]:
        response = logged_in.get(gateway.url + path)
        assert "Set-Cookie" not in response.headers, (path, response.headers["Set-Cookie"])
    assert_alive(gateway, cookie)
