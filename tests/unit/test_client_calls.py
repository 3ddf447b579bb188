"""Reading a client's body from the WSGI environ: known length, over the limit, and a body of
unknown length that the server marks as terminated (chunked, under servers other than waitress)."""

from __future__ import annotations

import io

import pytest

from omniroute.clientapi.request import query_args, read_request_body
from omniroute.errors import PayloadTooLargeError


def environ(body: bytes, **extra) -> dict:
    return {"wsgi.input": io.BytesIO(body), **extra}


def test_a_body_of_known_length_is_read_whole():
    assert read_request_body(environ(b'{"a":1}xyz', CONTENT_LENGTH="7"), 100) == b'{"a":1}'


def test_a_body_over_the_limit_is_a_413():
    with pytest.raises(PayloadTooLargeError, match="larger than 5 bytes"):
        read_request_body(environ(b"0123456789", CONTENT_LENGTH="10"), 5)


def test_a_terminated_body_of_unknown_length_is_read_to_its_end():
    read = read_request_body(environ(b"chunked body", **{"wsgi.input_terminated": True}), 100)
    assert read == b"chunked body"


def test_a_terminated_body_of_unknown_length_over_the_limit_is_a_413():
    with pytest.raises(PayloadTooLargeError):
        read_request_body(environ(b"x" * 11, **{"wsgi.input_terminated": True}), 10)


def test_without_a_length_or_a_terminated_input_there_is_no_body():
    assert read_request_body(environ(b"never read", CONTENT_LENGTH=""), 100) == b""


def test_query_args_keep_the_first_of_repeated_names():
    assert query_args({"QUERY_STRING": "key=a&key=b&beta=true&empty="}) == {
        "key": "a",
        "beta": "true",
        "empty": "",
    }
