"""Reading a JWT's claims without verifying it; anything malformed reads as no claims."""

from __future__ import annotations

import base64
import json

import pytest

from omniroute.oauth.jwt_claims import jwt_claims, jwt_expiry


def encode(claims: object) -> str:
    def part(value: bytes) -> str:
        return base64.urlsafe_b64encode(value).rstrip(b"=").decode()

    return f"{part(b'{}')}.{part(json.dumps(claims).encode())}.signature"


def test_claims_are_read_from_the_payload():
    auth = {"chatgpt_account_id": "acct-1", "chatgpt_plan_type": "plus"}
    token = encode({"email": "a@example.com", "https://api.openai.com/auth": auth})
    assert jwt_claims(token) == {"email": "a@example.com", "https://api.openai.com/auth": auth}


@pytest.mark.parametrize("padding", ["", "x", "xy"])  # payloads of every length mod 4
def test_unpadded_payloads_of_any_length_decode(padding):
    assert jwt_claims(encode({"sub": padding}))["sub"] == padding


def test_the_expiry_is_the_exp_claim():
    assert jwt_expiry(encode({"exp": 1_900_000_000})) == 1_900_000_000.0
    assert jwt_expiry(encode({"exp": 1.5})) == 1.5


@pytest.mark.parametrize("claims", [{}, {"exp": "soon"}, {"exp": True}, {"exp": None}])
def test_no_usable_exp_is_no_expiry(claims):
    assert jwt_expiry(encode(claims)) is None


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "not-a-jwt",
        "a.b",
        "a..c",
        "a.b.c.d",
        "a.!!!.c",
        "a." + base64.urlsafe_b64encode(b"not json").decode() + ".c",
        encode(["a", "list"]),
        encode("a string"),
        "a." + base64.urlsafe_b64encode(b"\xff\xfe").decode() + ".c",
        "a.é.c",
    ],
)
def test_malformed_tokens_have_no_claims(token):
    assert jwt_claims(token) == {}
    assert jwt_expiry(token) is None
