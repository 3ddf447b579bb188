"""The client API's header view answers every lookup as werkzeug's EnvironHeaders does: present
and missing headers, any spelling, the two headers without an HTTP_ prefix, defaults, types."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import EnvironHeaders

from omniroute.clientapi.request import ClientHeaders

ENVIRON = {
    "REQUEST_METHOD": "POST",
    "CONTENT_TYPE": "application/json",
    "CONTENT_LENGTH": "42",
    "HTTP_AUTHORIZATION": "Bearer sk-test",
    "HTTP_X_SESSION_ID": "",
    "HTTP_IDEMPOTENCY_KEY": "abc",
}
NAMES = [
    "Authorization",
    "authorization",
    "X-Session-Id",
    "x_session_id",
    "Idempotency-Key",
    "Content-Type",
    "content-length",
    "X-Api-Key",
    "Request-Method",
    "",
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("default", [None, "fallback"])
def test_get_answers_as_werkzeug_does(name, default):
    ours, theirs = ClientHeaders(dict(ENVIRON)), EnvironHeaders(dict(ENVIRON))
    assert ours.get(name, default) == theirs.get(name, default)
    assert ours.get(name) == theirs.get(name)


def test_a_converted_lookup_and_the_rest_of_the_view_are_werkzeugs():
    headers = ClientHeaders(dict(ENVIRON))
    assert headers.get("Content-Length", type=int) == 42
    assert headers.get("Authorization", -1, type=int) == -1
    assert headers["Idempotency-Key"] == "abc"
    assert dict(headers.items()) == dict(EnvironHeaders(dict(ENVIRON)).items())


def test_a_key_that_is_not_text_finds_nothing_as_in_werkzeug():
    key = b"Authorization"
    ours, theirs = ClientHeaders(dict(ENVIRON)), EnvironHeaders(dict(ENVIRON))
    assert ours.get(key, "none") == theirs.get(key, "none") == "none"  # type: ignore[call-overload]
