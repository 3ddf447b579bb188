"""Requests waitress cannot parse get a JSON error in the caller's shape on /v1 and /api, not
waitress's text/plain page (a control character in a header value, a bad request line)."""

from __future__ import annotations

import json
import socket

import pytest


def raw_exchange(url: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def request_with_header(path: str, value: bytes) -> bytes:
    body = b'{"model": "x", "messages": []}'
    return (
        b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"X-Odd: " + value + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n"
        b"Connection: close\r\n\r\n" + body
    )


@pytest.mark.parametrize(
    ("path", "shape"),
    [
        ("/v1/chat/completions", "openai"),
        ("/v1/messages", "anthropic"),
        ("/v1beta/models/m:generateContent", "gemini"),
        ("/api/combos", "openai"),
    ],
)
def test_a_control_character_in_a_header_is_a_json_400_in_the_callers_shape(gateway, path, shape):
    status, headers, body = raw_exchange(gateway.url, request_with_header(path, b"a\x01b"))
    assert status == 400
    assert headers["content-type"].startswith("application/json")
    error = json.loads(body)
    if shape == "anthropic":
        assert error["type"] == "error" and error["error"]["type"] == "invalid_request_error"
    elif shape == "gemini":
        assert error["error"]["code"] == 400 and error["error"]["status"] == "INVALID_ARGUMENT"
    else:
        assert error["error"]["type"] == "invalid_request_error"
    message = error["error"]["message"]
    assert "header" in message.lower()


def test_a_malformed_request_line_is_a_json_400(gateway):
    status, headers, body = raw_exchange(gateway.url, b"POST\r\nHost: x\r\n\r\n")
    assert status == 400
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body)["error"]["message"]


def test_a_dashboard_page_keeps_waitress_text_answer(gateway):
    status, headers, _ = raw_exchange(gateway.url, request_with_header("/login", b"a\x01b"))
    assert status == 400
    assert headers["content-type"].startswith("text/plain")
