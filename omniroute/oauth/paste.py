"""What a user pastes after signing in in a browser, read into (code, state).

Every shape a browser can show is accepted:
    https://host/callback?code=C&state=S     a full redirect URL (query)
    https://host/callback#code=C&state=S     … or with the answer in its fragment
    ?code=C&state=S   code=C&state=S          a bare query
    #code=C&state=S                           a fragment
    C#S                                       Claude's hosted page ("copy this code")
    C                                         a bare code (its state is the sign-in's own)
An answer carrying `error=…` (the user refused, the provider failed) and anything without a
code is a ValueError whose message says what went wrong.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

ANSWER_FIELDS = ("code", "state", "error", "error_description")
MAX_PASTE = 8192


class PastedCode(NamedTuple):
    code: str
    state: str | None


def parse_pasted(text: str) -> PastedCode:
    """Read a pasted redirect, query, fragment or `code#state` into (code, state|None)."""
    text = _strip(text)
    if not text:
        raise ValueError("nothing was pasted: paste the address the browser showed, or the code")
    if len(text) > MAX_PASTE:
        raise ValueError("the pasted text is too long to be a sign-in answer")
    fields = _answer_fields(text)
    if fields is None:
        code, _, state = text.partition("#")
        return _checked(code.strip(), state.strip() or None)
    if "error" in fields:
        raise ValueError(_refusal_message(fields))
    return _checked(fields.get("code", ""), fields.get("state") or None)


def _strip(text: str) -> str:
    text = (text or "").strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1].strip()
    return text


def _answer_fields(text: str) -> dict[str, str] | None:
    """The answer's fields when the text is a URL, a query or a fragment; None for `code#state`."""
    if "://" in text:
        parts = urlsplit(text)
        fields = _query_fields(parts.query)
        fields.update(_query_fields(parts.fragment))
        return fields
    fields = _query_fields(text.lstrip("?#"))
    if fields or text[0] in "?#":
        return fields
    return None


def _query_fields(query: str) -> dict[str, str]:
    parsed = parse_qs(query, keep_blank_values=True)
    return {name: parsed[name][0].strip() for name in ANSWER_FIELDS if name in parsed}


def _refusal_message(fields: dict[str, str]) -> str:
    error = fields["error"] or "unknown_error"
    message = f"the provider answered with an error instead of a code: {error}"
    if fields.get("error_description"):
        message += f" ({fields['error_description']})"
    elif error == "access_denied":
        message += " (the sign-in was refused in the browser)"
    return message


def _checked(code: str, state: str | None) -> PastedCode:
    if not code:
        raise ValueError("the pasted text holds no code: paste the whole address from the browser")
    if any(character.isspace() for character in code):
        raise ValueError("the pasted code contains spaces: paste it exactly as shown")
    return PastedCode(code, state)
