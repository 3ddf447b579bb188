"""After logging in, `?next=` leads only to a path of this site, however it is disguised."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import requests

from tests.dashboard_user import csrf_from
from tests.gateway_harness import ADMIN_PASSWORD

# The raw query string after `next=`, as an attacker would write it in a link.
NASTY_NEXT = [
    "/%09/evil.example",  # a tab browsers strip: //evil.example
    "/%0d/x",  # a CR (was a 500)
    "/%0a/evil.example",
    "/%0d%0a/evil.example",
    "%09//evil.example",
    "/%5cevil.example",  # /\evil.example: browsers read the backslash as a slash
    "/%5c%5cevil.example",
    "%5c%5cevil.example",
    "/%255cevil.example",  # percent-decoded once more: /\evil.example
    "/%2F%2Fevil.example",
    "%2F%2Fevil.example",
    "/%252F%252Fevil.example",
    "//evil.example",
    "///evil.example",
    "https://evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "/%E3%80%80/evil.example",  # an ideographic space
    "/%E2%80%A8/evil.example",  # a line separator
    "/%EF%BC%8F%EF%BC%8Fevil.example",  # fullwidth solidi
    "/%00/evil.example",
    "%20//evil.example",
    "evil.example",
]


def login_with_next(gateway, raw_next: str) -> requests.Response:
    session = requests.Session()
    session.trust_env = False
    token = csrf_from(session.get(gateway.url + "/login").text)
    return session.post(
        f"{gateway.url}/login?next={raw_next}",
        data={"csrf_token": token, "password": ADMIN_PASSWORD},
        allow_redirects=False,
    )


def assert_stays_on_site(location: str) -> None:
    """What a browser would follow (after stripping tabs and line breaks, reading `\\` as `/`)
    is a path on this site."""
    followed = re.sub(r"[\t\r\n]", "", location).replace("\\", "/")
    assert followed.startswith("/") and not followed.startswith("//"), location
    parts = urlsplit(followed)
    assert not parts.scheme and not parts.netloc, location


@pytest.mark.parametrize("raw_next", NASTY_NEXT)
def test_login_never_redirects_off_site(gateway, raw_next):
    response = login_with_next(gateway, raw_next)
    assert response.status_code == 302, response.text[:200]
    assert_stays_on_site(response.headers["Location"])


def test_login_keeps_a_plain_next_path_with_its_query(gateway):
    response = login_with_next(gateway, "/usage%3Fmodel%3Dgpt-4o%2520mini")
    assert response.status_code == 302
    assert response.headers["Location"] == "/usage?model=gpt-4o%20mini"


def test_the_anonymous_redirect_round_trips_to_the_page(gateway):
    first = requests.get(gateway.url + "/providers", allow_redirects=False)
    login_path = first.headers["Location"]
    assert login_path == "/login?next=/providers"
    session = requests.Session()
    token = csrf_from(session.get(gateway.url + "/login").text)
    response = session.post(
        gateway.url + login_path,
        data={"csrf_token": token, "password": ADMIN_PASSWORD},
        allow_redirects=False,
    )
    assert response.headers["Location"] == "/providers"


def test_language_switch_never_redirects_off_site(gateway):
    session = requests.Session()
    token = csrf_from(session.get(gateway.url + "/login").text)
    for target in ("/\t/evil.example", "/\\evil.example", "//evil.example", "/%2F%2Fevil.example"):
        response = session.post(
            gateway.url + "/language",
            data={"csrf_token": token, "lang": "id", "next": target},
            allow_redirects=False,
        )
        assert response.status_code == 302
        assert_stays_on_site(response.headers["Location"])
