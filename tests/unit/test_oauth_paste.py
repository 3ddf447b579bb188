"""Every shape a user can paste after a browser sign-in is read into (code, state); refusals
and pastes without a code are clear errors."""

from __future__ import annotations

import pytest

from omniroute.oauth.paste import parse_pasted

ACCEPTED = [
    # (what was pasted, code, state)
    ("http://localhost:1455/auth/callback?code=ac_1&state=st_1", "ac_1", "st_1"),
    ("https://platform.claude.com/oauth/code/callback?code=ac_1&state=st_1", "ac_1", "st_1"),
    ("http://localhost:1455/auth/callback?state=st_1&code=ac_1&scope=openid", "ac_1", "st_1"),
    ("http://localhost:1455/auth/callback#code=ac_1&state=st_1", "ac_1", "st_1"),
    ("http://localhost:1455/auth/callback?state=st_1#code=ac_1", "ac_1", "st_1"),
    ("?code=ac_1&state=st_1", "ac_1", "st_1"),
    ("code=ac_1&state=st_1", "ac_1", "st_1"),
    ("state=st_1&code=ac_1", "ac_1", "st_1"),
    ("#code=ac_1&state=st_1", "ac_1", "st_1"),
    ("#code=ac_1", "ac_1", None),
    ("?code=ac_1", "ac_1", None),
    ("ac_1#st_1", "ac_1", "st_1"),  # Claude's hosted page
    ("ac_1", "ac_1", None),  # Google's code page: the code alone
    ("  ac_1#st_1\n", "ac_1", "st_1"),
    ('"ac_1#st_1"', "ac_1", "st_1"),
    ("code=ac%2F1%3D&state=st%201", "ac/1=", "st 1"),  # percent-encoding is decoded
    ("http://localhost:1455/auth/callback?code=ac_1&state=", "ac_1", None),
]


@pytest.mark.parametrize(("pasted", "code", "state"), ACCEPTED, ids=[p for p, *_ in ACCEPTED])
def test_each_shape_is_read(pasted, code, state):
    assert parse_pasted(pasted) == (code, state)


REFUSED = [
    # (what was pasted, a part of the message)
    ("", "nothing was pasted"),
    ("   ", "nothing was pasted"),
    ("http://localhost:1455/auth/callback?error=access_denied&state=st_1", "access_denied"),
    ("?error=access_denied", "refused in the browser"),
    ("#error=server_error&error_description=try+later", "server_error (try later)"),
    ("http://localhost:1455/auth/callback?state=st_1", "holds no code"),
    ("http://localhost:1455/auth/callback", "holds no code"),
    ("?state=st_1", "holds no code"),
    ("?foo=bar", "holds no code"),
    ("#st_1", "holds no code"),
    ("code=&state=st_1", "holds no code"),
    ("ac 1#st_1", "contains spaces"),
    ("x" * 9000, "too long"),
]


@pytest.mark.parametrize(("pasted", "message"), REFUSED, ids=[p[:40] for p, _ in REFUSED])
def test_refusals_and_pastes_without_a_code_are_clear_errors(pasted, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_pasted(pasted)
