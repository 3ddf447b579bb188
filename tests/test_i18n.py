"""Translations: the dashboard speaks Indonesian when asked; the catalogs are complete and fresh.

The page tests drive a real gateway with requests; the catalog tests read translations/ the way
`make translations` writes it (extract → update → compile) and fail when a step was skipped.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
import requests
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from omniroute import ROOT
from tests.gateway_harness import ADMIN_PASSWORD

TRANSLATIONS = os.path.join(ROOT, "translations")
POT_PATH = os.path.join(TRANSLATIONS, "messages.pot")
PO_PATH = os.path.join(TRANSLATIONS, "id", "LC_MESSAGES", "messages.po")
MO_PATH = os.path.join(TRANSLATIONS, "id", "LC_MESSAGES", "messages.mo")
RUN_MAKE = "run `make translations` (extract, update, compile) and commit translations/"

# %(name)s, %(n)d, %.0f, %% … — what Python's % operator reads in a python-format message.
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")


# ---------------------------------------------------------------------------- pages


class _Page(HTMLParser):
    """Collects <html lang>, the csrf_token hidden input and the visible text of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.lang: str | None = None
        self.csrf_token: str | None = None
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
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
        ("fr", "en", ["Log in", "Password"], ["Masuk"]),  # no catalog: the source language
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


# ---------------------------------------------------------------------------- catalogs


def _read_po(path: str, locale: str | None = None):
    with open(path, "rb") as handle:
        return read_po(handle, locale=locale)


def _msgids(catalog) -> set:
    return {message.id for message in catalog if message.id}


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_every_message_has_an_indonesian_translation():
    template = _read_po(POT_PATH)
    catalog = _read_po(PO_PATH, locale="id")
    assert not catalog.fuzzy, "the Indonesian catalog header is fuzzy: pybabel will not compile it"

    problems = []
    for msgid in sorted(_msgids(template), key=str):
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"missing from messages.po: {msgid!r}")
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {msgid!r}")
        if message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
    obsolete = _msgids(catalog) - _msgids(template)
    problems += [f"not in messages.pot (obsolete?): {msgid!r}" for msgid in sorted(obsolete)]
    assert not problems, "\n".join(problems)


def test_placeholders_match_between_english_and_indonesian():
    catalog = _read_po(PO_PATH, locale="id")
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.python_format or any(PLACEHOLDER.search(i) for i in ids):
            expected = _placeholders(ids[0])
            for string in strings:
                if _placeholders(string) != expected:
                    problems.append(f"{message.id!r} → {string!r}: {_placeholders(string)}")
        problems += [f"{message.id!r}: {error}" for error in message.check(catalog)]
    assert not problems, "placeholders differ:\n" + "\n".join(problems)


def _mo_messages(catalog) -> dict:
    return {message.id: message.string for message in catalog if message.id}


def test_compiled_catalog_matches_the_po_file():
    catalog = _read_po(PO_PATH, locale="id")
    fresh = io.BytesIO()
    write_mo(fresh, catalog)
    fresh.seek(0)
    assert os.path.exists(MO_PATH), f"{MO_PATH} is missing: {RUN_MAKE}"
    with open(MO_PATH, "rb") as handle:
        committed = read_mo(handle)
    assert _mo_messages(read_mo(fresh)) == _mo_messages(committed), (
        f"messages.mo is older than messages.po: {RUN_MAKE}"
    )


def test_message_template_is_up_to_date_with_the_source(tmp_path):
    extracted = tmp_path / "messages.pot"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "--quiet",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(extracted),
            ".",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    in_source = _msgids(_read_po(str(extracted)))
    committed = _msgids(_read_po(POT_PATH))
    new = sorted(in_source - committed, key=str)
    gone = sorted(committed - in_source, key=str)
    assert not new and not gone, (
        f"translations/messages.pot is out of date with the source: {RUN_MAKE}, "
        "then translate the new strings in translations/id/LC_MESSAGES/messages.po.\n"
        + "".join(f"  new in the source: {msgid!r}\n" for msgid in new)
        + "".join(f"  no longer in the source: {msgid!r}\n" for msgid in gone)
    )
