"""Reading a JWT's claims without verifying it: the gateway only learns from tokens the provider
just handed it over TLS (an id_token's e-mail and plan, an access token's `exp`), so no
signature check is needed. Anything malformed reads as no claims at all."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any


def jwt_claims(token: str | None) -> dict[str, Any]:
    """The payload of a `header.payload.signature` token as a dict; {} when it is not one."""
    parts = (token or "").split(".")
    if len(parts) != 3 or not parts[1]:
        return {}
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def jwt_expiry(token: str | None) -> float | None:
    """The token's `exp` (unix seconds), or None when it has none."""
    expiry = jwt_claims(token).get("exp")
    if isinstance(expiry, bool) or not isinstance(expiry, int | float):
        return None
    return float(expiry)
