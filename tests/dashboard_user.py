"""The dashboard as its user meets it: logging in the way a browser without JavaScript does
(the HTML login form, the CSRF token every page carries), and the API key typed into its forms."""

from __future__ import annotations

import re

import requests

from tests.gateway_harness import ADMIN_PASSWORD

API_KEY = "sk-browser-test-7f3k9QZ2"


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def browser_session(gateway, password=ADMIN_PASSWORD, next_path="") -> requests.Session:
    """A cookie session logged in through the HTML login form, like a browser without JS; the
    login form's answer is kept as `session.last_login`."""
    session = requests.Session()
    session.trust_env = False
    page = session.get(gateway.url + "/login")
    response = session.post(
        gateway.url + "/login" + next_path,
        allow_redirects=False,
        data={"csrf_token": csrf_from(page.text), "password": password},
    )
    session.last_login = response
    return session
