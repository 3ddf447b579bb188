"""AES-256-GCM encryption of secrets (provider keys, OAuth tokens) before they reach the database.

Stored form: ``v1:`` + urlsafe-base64(nonce(12) ‖ ciphertext ‖ tag). The key comes from
STORAGE_ENCRYPTION_KEY (64 hex characters, base64 of 32 bytes, or a passphrase stretched once at
start with scrypt) or from DATA_DIR/storage.key, which is generated on first run with mode 0600.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .secret_files import read_or_create_secret

PREFIX = "v1:"
_PASSPHRASE_SALT = b"omniroute-storage-key-v1"


class SecretBoxError(ValueError):
    """A stored secret could not be decrypted (wrong key or damaged value)."""


def key_from_text(text: str) -> bytes:
    """Turn STORAGE_ENCRYPTION_KEY (hex, base64 or passphrase) into 32 key bytes."""
    text = text.strip()
    try:
        raw = bytes.fromhex(text)
        if len(raw) == 32:
            return raw
    except ValueError:
        pass
    try:
        raw = base64.b64decode(text, validate=True)
        if len(raw) == 32:
            return raw
    except (binascii.Error, ValueError):
        pass
    return hashlib.scrypt(text.encode("utf-8"), salt=_PASSPHRASE_SALT, n=2**14, r=8, p=1, dklen=32)


class SecretBox:
    """Encrypts and decrypts short secrets with one AES-256-GCM key."""

    def __init__(self, key: bytes):
        if len(key) != 32:
            raise ValueError("AES-256 needs a 32-byte key")
        self._aead = AESGCM(key)

    @classmethod
    def from_settings(cls, configured_key: str | None, data_dir: str) -> SecretBox:
        text = configured_key or read_or_create_secret(data_dir, "storage.key")
        return cls(key_from_text(text))

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), None)
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, stored: str) -> str:
        if not stored.startswith(PREFIX):
            raise SecretBoxError("unknown secret format")
        try:
            blob = base64.urlsafe_b64decode(stored[len(PREFIX) :])
            return self._aead.decrypt(blob[:12], blob[12:], None).decode("utf-8")
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise SecretBoxError(
                "cannot decrypt a stored secret: "
                "is STORAGE_ENCRYPTION_KEY the key it was saved with?"
            ) from exc
