"""The playground's input errors in the reader's language: the translator reports each with a
code, its values and the parser's or wire format's own English detail (the JSON API's
message); the page words it itself and shows that detail only as the technical part."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ...translator.source_text import InputError

INPUT_ERROR_TEXT = {
    "invalid_json": _l("Not valid JSON: %(reason)s"),
    "invalid_event_json": _l("Event data is not valid JSON: %(reason)s"),
    "refused_request": _l("The %(format)s format does not accept this request."),
    "refused_response": _l("The %(format)s format does not accept this answer."),
    "unreadable_request": _l("Not a valid %(format)s request."),
    "unreadable_response": _l("Not a valid %(format)s answer."),
}
# What Python's JSON parser says (its message without the position), in the reader's words.
JSON_PROBLEMS = {
    "Expecting value": _l("a value is missing here"),
    "Expecting ',' delimiter": _l("a comma is missing"),
    "Expecting ':' delimiter": _l("a colon is missing after a name"),
    "Expecting property name enclosed in double quotes": _l(
        "a name in double quotes was expected (is there a comma too many?)"
    ),
    "Unterminated string starting at": _l("a text is not closed by its quote"),
    "Invalid control character at": _l("a text holds a line break or a control character"),
    "Extra data": _l("something follows the end of the JSON value"),
}
WITH_DETAIL = ("refused_request", "refused_response", "unreadable_request", "unreadable_response")


def in_readers_language(error: InputError) -> InputError:
    """`error` with its message in the reader's language (as it was when its code is unknown);
    the technical detail stays on `detail` for the errors whose text does not carry it."""
    text = INPUT_ERROR_TEXT.get(error.code)
    if text is None:
        return error
    params = dict(error.params)
    if error.code in ("invalid_json", "invalid_event_json"):
        problem = JSON_PROBLEMS.get(error.detail or "")
        params["reason"] = str(problem) if problem is not None else error.detail or ""
    return InputError(
        str(text) % params,
        error.line,
        error.column,
        error.path,
        code=error.code,
        params=error.params,
        detail=error.detail if error.code in WITH_DETAIL else None,
    )
