"""Every page rendered in each of the thirty languages: no text a reader sees (a text node, or an
aria-label, placeholder, title or alt) is still the English msgid of a string that language's
catalog translates differently, `<html lang>` is the language's tag and `dir` is rtl for Arabic
and Hebrew only. Plain HTTP (no browser) on one filled gateway."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
import requests
from babel.messages.pofile import read_po

from omniroute import ROOT
from omniroute.web.i18n import LANGUAGE_LIST, Language
from tests.e2e.every_page import PAGES, FilledGateway, filled_gateway

PLACEHOLDER = re.compile(r"%\(|%[sd]|\{")
SEEN_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")
UNSEEN_ELEMENTS = {"script", "style", "template", "code", "pre", "kbd", "samp"}


@pytest.fixture(scope="module")
def site(tmp_path_factory, upstream_server) -> Iterator[FilledGateway]:
    with filled_gateway(str(tmp_path_factory.mktemp("translations")), upstream_server.url) as s:
        yield s


def translated_msgids(language: Language) -> set[str]:
    """The msgids (over three characters, without placeholders) the catalog renders otherwise."""
    path = os.path.join(ROOT, "translations", language.locale, "LC_MESSAGES", "messages.po")
    with open(path, "rb") as handle:
        catalog = read_po(handle, locale=language.locale)
    found = set()
    for message in catalog:
        if not message.id or message.fuzzy or message.pluralizable:
            continue
        text, translation = str(message.id), str(message.string or "")
        if len(text) > 3 and not PLACEHOLDER.search(text) and translation not in ("", text):
            found.add(text)
    return found


class SeenText(HTMLParser):
    """The text nodes and labelling attributes of a page, and its <html> attributes. Not text:
    scripts and styles, code (literal by nature) and what is marked translate="no"."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.root: dict[str, str | None] = {}
        self._skipping: str | None = None  # the tag that opened the region being skipped
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.root = dict(attrs)
        if self._skipping is not None:
            self._depth += tag == self._skipping
            return
        if tag in UNSEEN_ELEMENTS or ("translate", "no") in attrs:
            self._skipping, self._depth = tag, 1
            return
        for name, value in attrs:
            if name in SEEN_ATTRIBUTES and value:
                self.texts.append(value.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag == self._skipping:
            self._depth -= 1
            if self._depth == 0:
                self._skipping = None

    def handle_data(self, data: str) -> None:
        if self._skipping is None and data.strip():
            self.texts.append(" ".join(data.split()))


def rendered(session: requests.Session, url: str) -> SeenText:
    response = session.get(url, allow_redirects=False, timeout=30)
    assert response.status_code in (200, 404), (url, response.status_code)
    parser = SeenText()
    parser.feed(response.text)
    return parser


@pytest.mark.parametrize("language", LANGUAGE_LIST[1:], ids=lambda language: language.tag)
def test_every_page_shows_its_language(site: FilledGateway, language: Language):
    msgids = translated_msgids(language)
    signed_in = site.gateway.admin(fresh=True)
    signed_out = requests.Session()
    english, wrong_root = {}, {}
    for page in PAGES:
        session = signed_in if page.signed_in else signed_out
        session.cookies.set("lang", language.tag)
        seen = rendered(session, site.url + site.path(page))
        left = sorted({text for text in seen.texts if text in msgids})
        if left:
            english[page.name] = left
        root = (seen.root.get("lang"), seen.root.get("dir"))
        if root != (language.tag, "rtl" if language.rtl else "ltr"):
            wrong_root[page.name] = root
    assert not english, f"English left on {language.tag} pages: {english}"
    assert not wrong_root, f"<html lang dir> on {language.tag} pages: {wrong_root}"


def test_english_pages_are_english_and_left_to_right(site: FilledGateway):
    session = site.gateway.admin(fresh=True)
    for page in PAGES:
        seen = rendered(
            session if page.signed_in else requests.Session(), site.url + site.path(page)
        )
        assert (seen.root.get("lang"), seen.root.get("dir")) == ("en", "ltr"), page.name
