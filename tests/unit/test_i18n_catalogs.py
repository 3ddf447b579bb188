"""The translation catalogs are complete and fresh: read from translations/ the way `make
translations` writes it (extract → update → compile), failing when a step was skipped. The
dashboard speaking each language: tests/integration/test_i18n.py."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from omniroute import ROOT
from omniroute.web.i18n import LANGUAGE_LIST

TRANSLATIONS = os.path.join(ROOT, "translations")
POT_PATH = os.path.join(TRANSLATIONS, "messages.pot")
LOCALES = [language.locale for language in LANGUAGE_LIST if language.tag != "en"]
TAG = re.compile(r"</?(?:a|abbr|b|br|code|em|i|kbd|small|span|strong)\b[^>]*>")
RUN_MAKE = "run `make translations` (extract, update, compile) and commit translations/"

# %(name)s, %(n)d, %.0f, %% … — what Python's % operator reads in a python-format message.
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")


def _read_po(path: str, locale: str | None = None):
    with open(path, "rb") as handle:
        return read_po(handle, locale=locale)


def _msgids(catalog) -> set:
    return {message.id for message in catalog if message.id}


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def _tags(text: str) -> list[str]:
    """The HTML tags of a message (kept as they are, only their text translated)."""
    return sorted(TAG.findall(text))


def _po_path(locale: str) -> str:
    return os.path.join(TRANSLATIONS, locale, "LC_MESSAGES", "messages.po")


def _mo_path(locale: str) -> str:
    return os.path.join(TRANSLATIONS, locale, "LC_MESSAGES", "messages.mo")


def test_every_language_but_english_has_a_catalog_and_nothing_else_does():
    on_disk = {
        name for name in os.listdir(TRANSLATIONS) if os.path.isdir(TRANSLATIONS + "/" + name)
    }
    assert on_disk == set(LOCALES)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated(locale):
    template = _read_po(POT_PATH)
    catalog = _read_po(_po_path(locale), locale=locale)
    assert not catalog.fuzzy, f"the {locale} catalog header is fuzzy: pybabel will not compile it"

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


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_and_markup_match_the_english(locale):
    catalog = _read_po(_po_path(locale), locale=locale)
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
        for string in strings:
            if _tags(string) != _tags(ids[0]):
                problems.append(f"{message.id!r} → {string!r}: tags {_tags(string)}")
        problems += [f"{message.id!r}: {error}" for error in message.check(catalog)]
    assert not problems, "placeholders differ:\n" + "\n".join(problems)


def _hashable(value):
    """A plural message's ids and strings come as lists from some readers: as tuples here."""
    return tuple(value) if isinstance(value, list | tuple) else value


def _mo_messages(catalog) -> dict:
    return {_hashable(message.id): _hashable(message.string) for message in catalog if message.id}


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalog_matches_the_po_file(locale):
    catalog = _read_po(_po_path(locale), locale=locale)
    fresh = io.BytesIO()
    write_mo(fresh, catalog)
    fresh.seek(0)
    mo_path = _mo_path(locale)
    assert os.path.exists(mo_path), f"{mo_path} is missing: {RUN_MAKE}"
    with open(mo_path, "rb") as handle:
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
        "then translate the new strings in every translations/<locale>/LC_MESSAGES/messages.po.\n"
        + "".join(f"  new in the source: {msgid!r}\n" for msgid in new)
        + "".join(f"  no longer in the source: {msgid!r}\n" for msgid in gone)
    )
