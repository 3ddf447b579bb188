"""Signatures the fake upstream issues, and recognising them: each format vouches only for its own.

A real provider signs what its model produced (Claude's thinking `signature`, Gemini's
`thoughtSignature`, the Responses reasoning item's `encrypted_content`) and refuses, on the next
turn, one it did not issue or one that was altered. The fake does the same: `issue(format,
serial)` makes `fake-<format>-<serial>.<mac>`, where the MAC is an HMAC-SHA256 of format and
serial under a secret drawn once per process, so a signature names its issuer, cannot be
forged by a translation and is never valid for another format. `issued_by(format, value)`
tells whether `value` is one of them.

Gemini also documents dummy signatures a client may send when it has none (the thought
signatures guide, "FAQs": `skip_thought_signature_validator` and `context_engineering_is_the_way
_to_go`); `GEMINI_DUMMY_SIGNATURES` holds them for the Gemini validator.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

_SECRET = secrets.token_bytes(32)
GEMINI_DUMMY_SIGNATURES = frozenset(
    {"skip_thought_signature_validator", "context_engineering_is_the_way_to_go"}
)


def _mac(fmt: str, serial: str) -> str:
    return hmac.new(_SECRET, f"{fmt}:{serial}".encode(), hashlib.sha256).hexdigest()[:24]


def issue(fmt: str, serial: int) -> str:
    """The signature the fake's `fmt` dialect attaches to its answer number `serial`."""
    return f"fake-{fmt}-{serial}.{_mac(fmt, str(serial))}"


def issued_by(fmt: str, value: object) -> bool:
    """True when `value` is a signature the `fmt` dialect issued (unaltered)."""
    if not isinstance(value, str):
        return False
    prefix = f"fake-{fmt}-"
    serial, dot, mac = value.removeprefix(prefix).partition(".")
    if not value.startswith(prefix) or not dot or not serial.isdigit():
        return False
    return hmac.compare_digest(mac, _mac(fmt, serial))
