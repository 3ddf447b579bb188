"""Client bodies as the /v1 routes read them (`parse_body`): lone surrogates found exactly in raw
JSON text (property tests), and every captured client request within the limits. The same limits
through a real gateway: tests/integration/test_client_edge.py."""

from __future__ import annotations

import glob
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from omniroute.errors import InvalidRequestError
from omniroute.proxy.client_input import parse_body
from tests.formats.client_fixtures import FIXTURES

CLIENT_FIXTURES = str(FIXTURES / "*.json")


JSON_STRING_PIECES = ["a", "ud83d", "\\ud83d", "\\uDE00", "\\ude00", "\\uD800", "\\\\", "\\n"]


def refused(raw: bytes) -> bool:
    try:
        parse_body(raw)
    except InvalidRequestError:
        return True
    return False


def has_no_utf8_form(raw: bytes) -> bool:
    try:
        json.dumps(json.loads(raw), ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


@settings(derandomize=True, max_examples=300, deadline=None, database=None)
@given(pieces=st.lists(st.sampled_from(JSON_STRING_PIECES), max_size=8))
def test_lone_surrogates_are_found_exactly_in_raw_json_text(pieces):
    """The raw-text search agrees with decoding: pairs (any case) pass, lone halves are refused,
    and an escaped backslash before `ud800` is no escape."""
    raw = ('{"text": "' + "".join(pieces) + '"}').encode()
    assert refused(raw) == has_no_utf8_form(raw)


@settings(derandomize=True, max_examples=300, deadline=None, database=None)
@given(text=st.text(st.characters(exclude_categories=())))
def test_lone_surrogates_in_any_text_are_refused_and_only_them(text):
    raw = json.dumps({"text": text}).encode()
    assert refused(raw) == has_no_utf8_form(raw)


def test_every_captured_client_body_is_within_the_limits():
    paths = glob.glob(CLIENT_FIXTURES)
    assert paths, "the captured client requests are in ../shared/fixtures/clients"
    bodies = []
    for path in paths:
        with open(path, encoding="utf-8") as captured:
            bodies += [entry["body"] for entry in json.load(captured) if entry.get("body")]
    assert len(bodies) > 20
    for body in bodies:
        assert parse_body(json.dumps(body, ensure_ascii=False).encode()) == body
        assert parse_body(json.dumps(body).encode()) == body  # \\uXXXX escapes, pairs included
