"""The subscription providers' notes (terms-of-service warnings, closures) reach the message
catalog: each is marked for extraction, so the Subscriptions cards show it in the reader's
language once translated."""

from __future__ import annotations

import os

import pytest
from babel.messages.extract import extract_from_file

from omniroute import ROOT
from omniroute.oauth import declarations
from omniroute.oauth.provider import OAuthProvider

DECLARED = [value for value in vars(declarations).values() if isinstance(value, OAuthProvider)]


def extracted_msgids() -> set[str]:
    path = os.path.join(ROOT, "omniroute", "oauth", "declarations.py")
    return {
        str(message) for _line, message, _comments, _context in extract_from_file("python", path)
    }


@pytest.mark.parametrize("provider", DECLARED, ids=lambda provider: provider.id)
def test_every_note_is_in_the_catalog(provider: OAuthProvider):
    notes = [note for note in (provider.tos_note, provider.status_note) if note]
    assert set(notes) <= extracted_msgids()


def test_declarations_have_notes():
    assert sum(bool(p.tos_note) + bool(p.status_note) for p in DECLARED) >= 8
