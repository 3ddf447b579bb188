"""PKCE (RFC 7636) and `state` values for the authorization-code flows: a random code verifier,
its S256 challenge, and an unguessable state that ties a browser's answer to its sign-in."""

from __future__ import annotations

import base64
import hashlib
import secrets

VERIFIER_MIN, VERIFIER_MAX = 43, 128  # RFC 7636 §4.1
UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def new_verifier(length: int = 64) -> str:
    """A random code verifier of `length` unreserved characters (43–128)."""
    if not VERIFIER_MIN <= length <= VERIFIER_MAX:
        raise ValueError(f"a PKCE verifier has {VERIFIER_MIN}–{VERIFIER_MAX} characters")
    # token_urlsafe gives ~1.3 characters per byte from [A-Za-z0-9_-]: all unreserved
    return secrets.token_urlsafe(length)[:length]


def s256_challenge(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding: the `code_challenge` for method S256."""
    if not VERIFIER_MIN <= len(verifier) <= VERIFIER_MAX or not set(verifier) <= UNRESERVED:
        raise ValueError("not a PKCE verifier (43–128 unreserved characters)")
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_state() -> str:
    """An unguessable `state` (256 random bits, URL-safe)."""
    return secrets.token_urlsafe(32)
