"""Translations: the dashboard speaks Indonesian when asked, through a real gateway driven with
requests. The catalogs being complete and fresh: tests/unit/test_i18n_catalogs.py.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
import requests

from tests.gateway_harness import ADMIN_PASSWORD

# ---------------------------------------------------------------------------- pages


class _Page(HTMLParser):
    """Collects <html lang>, the csrf_token hidden input and the visible text of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.lang: str | None = None
        self.dir: str | None = None
        self.csrf_token: str | None = None
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
            self.dir = attributes.get("dir")
        elif tag == "input" and attributes.get("name") == "csrf_token" and not self.csrf_token:
            self.csrf_token = attributes.get("value")

    def handle_data(self, data):
        if data.strip():
            self.text.append(data.strip())


def _session(accept_language: str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.headers["Accept-Language"] = accept_language
    return session


def _get(session: requests.Session, url: str) -> _Page:
    response = session.get(url)
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    return _Page(response.text)


def _log_in(session: requests.Session, base_url: str) -> None:
    page = _get(session, base_url + "/login")
    assert page.csrf_token, "the login form has no csrf_token"
    response = session.post(
        base_url + "/login",
        data={"csrf_token": page.csrf_token, "password": ADMIN_PASSWORD},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:300]


@pytest.mark.parametrize(
    ("accept_language", "lang", "expected", "absent"),
    [
        ("id", "id", ["Masuk", "Kata sandi"], ["Log in", "Password"]),
        ("id-ID,id;q=0.9,en;q=0.5", "id", ["Masuk", "Kata sandi"], ["Log in"]),
        ("en", "en", ["Log in", "Password"], ["Masuk", "Kata sandi"]),
        ("sw", "en", ["Log in", "Password"], ["Masuk"]),  # no catalog: the source language
    ],
)
def test_login_page_follows_accept_language(gateway, accept_language, lang, expected, absent):
    with _session(accept_language) as session:
        page = _get(session, gateway.url + "/login")
    assert page.lang == lang
    for text in expected:
        assert text in page.text, f"{text!r} missing for Accept-Language: {accept_language}"
    for text in absent:
        assert text not in page.text, f"{text!r} shown for Accept-Language: {accept_language}"


@pytest.mark.parametrize(
    ("accept_language", "lang", "direction"),
    [
        ("de-AT,de;q=0.9,en;q=0.5", "de", "ltr"),  # a regional variant: its language
        ("sw,fr-CA;q=0.8,en;q=0.5", "fr", "ltr"),  # the first one with a catalog
        ("no", "nb", "ltr"),  # the guide's "no" is Norwegian Bokmål
        ("nn-NO", "nb", "ltr"),
        ("zh-TW,zh;q=0.9", "zh-CN", "ltr"),
        ("pt-PT", "pt", "ltr"),
        ("pt-br", "pt-BR", "ltr"),
        ("ar-EG", "ar", "rtl"),
        ("iw", "he", "rtl"),
        ("fil-PH", "fil", "ltr"),
        ("", "en", "ltr"),
    ],
)
def test_accept_language_picks_the_closest_catalog(gateway, accept_language, lang, direction):
    with _session(accept_language) as session:
        page = _get(session, gateway.url + "/login")
    assert (page.lang, page.dir) == (lang, direction)


def test_wrong_password_message_is_translated(gateway):
    with _session("id") as session:
        page = _get(session, gateway.url + "/login")
        response = session.post(
            gateway.url + "/login", data={"csrf_token": page.csrf_token, "password": "nope-nope"}
        )
    assert response.status_code == 401
    assert "Kata sandi salah." in _Page(response.text).text


def test_language_switcher_sets_cookie_and_wins_over_accept_language(gateway):
    with _session("en") as session:
        _log_in(session, gateway.url)
        home = _get(session, gateway.url + "/")
        assert home.lang == "en"
        assert "Providers" in home.text

        response = session.post(
            gateway.url + "/language",
            data={"csrf_token": home.csrf_token, "lang": "id", "next": "/providers"},
            allow_redirects=False,
        )
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/providers")
        assert response.cookies.get("lang") == "id"
        assert session.cookies.get("lang") == "id"

        pages = [
            ("/providers", "Koneksi Anda"),
            ("/", "Hari ini"),
            ("/keys", "Belum ada kunci API."),
        ]
        for path, heading in pages:
            page = _get(session, gateway.url + path)
            assert page.lang == "id", path
            assert heading in page.text, path
            assert "Penyedia" in page.text, path  # the top navigation
            assert "Providers" not in page.text, path
            assert "Keluar" in page.text, path

        # back to English with the same form, still sending Accept-Language: en
        back = session.post(
            gateway.url + "/language",
            data={"csrf_token": home.csrf_token, "lang": "en", "next": "/providers"},
        )
        assert back.status_code == 200
        assert _Page(back.text).lang == "en"
        assert "Your connections" in _Page(back.text).text


def test_language_switcher_ignores_unknown_languages_and_foreign_targets(gateway):
    with _session("en") as session:
        page = _get(session, gateway.url + "/login")
        response = session.post(
            gateway.url + "/language",
            data={"csrf_token": page.csrf_token, "lang": "xx", "next": "//evil.example/"},
            allow_redirects=False,
        )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]
    assert "lang" not in response.cookies
