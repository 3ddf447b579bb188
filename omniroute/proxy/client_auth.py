"""Who is calling /v1: find the client's API key in its request and check it against the cache.

Keys are accepted wherever the clients put them: `Authorization: Bearer …` (OpenAI SDKs, Cursor,
Cline), `x-api-key` (Anthropic SDKs, Claude Code), `x-goog-api-key` or `?key=` (Gemini); when a
request carries several, any valid one admits it. The check is one HMAC per key and a dictionary
lookup; no database access. When keys are required, an address that keeps presenting wrong keys
is locked out for a while (429 with Retry-After); a request counts once however many it carried.
Whether keys are required is decided once, with its reason, by `key_requirement` (the start-up
line prints both).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..clock import utcnow
from ..errors import AuthenticationError, ForbiddenModelError, RateLimitedError
from ..resilience.lockout import Lockout, api_key_lockout
from ..store.api_keys import KeyGrant, hash_api_key
from ..store.snapshot_cache import SnapshotCache

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def listens_beyond_loopback(hostname: str) -> bool:
    return hostname not in LOOPBACK_HOSTS and not hostname.startswith("127.")


def key_requirement(settings: Mapping[str, Any]) -> tuple[bool, str]:
    """Whether /v1 requires an API key, and why: REQUIRE_API_KEY when set; otherwise required
    when the gateway is reachable from other machines (directly, or through a reverse proxy)."""
    forced = settings["REQUIRE_API_KEY"]
    if forced is not None:
        return forced, f"REQUIRE_API_KEY={'true' if forced else 'false'}"
    if listens_beyond_loopback(settings["HOSTNAME"]):
        return True, f"HOSTNAME={settings['HOSTNAME']} listens beyond loopback"
    if settings["TRUSTED_PROXY"]:
        return True, f"TRUSTED_PROXY={settings['TRUSTED_PROXY']}: clients come through a proxy"
    return False, "only loopback clients can reach it; REQUIRE_API_KEY=true requires keys"


def presented_keys(headers: Mapping[str, str], query: Mapping[str, str]) -> list[str]:
    """Every key the request carries (Bearer first, then x-api-key, x-goog-api-key, ?key=),
    without repeats: a client may send its real key in one place and a placeholder in another."""
    authorization = headers.get("Authorization", "")
    bearer = authorization[7:].strip() if authorization[:7].lower() == "bearer " else None
    found = (bearer, headers.get("x-api-key"), headers.get("x-goog-api-key"), query.get("key"))
    return list(dict.fromkeys(key for key in found if key))


class ClientAuthenticator:
    def __init__(
        self,
        secret: str,
        key_hashes: SnapshotCache[dict[str, KeyGrant]],
        required: bool,
        lockout: Lockout | None = None,
        required_because: str = "",
    ):
        self._secret = secret
        self.key_hashes = key_hashes
        self.required = required
        self.required_because = required_because  # see key_requirement
        self.lockout = lockout or api_key_lockout()

    def identify(
        self, headers: Mapping[str, str], query: Mapping[str, str], address: str = ""
    ) -> KeyGrant | None:
        """The caller's key grant (None when keys are optional and none valid was sent).

        Raises AuthenticationError (401) when keys are required and the key is missing or wrong,
        or when the key presented has expired; RateLimitedError (429) while `address` is locked
        out for wrong keys.
        """
        if self.required and self.lockout.has_locks():
            wait = self.lockout.retry_after(address)
            if wait > 0:
                raise RateLimitedError(
                    "too many wrong API keys from this address; try again later",
                    code="locked_out",
                    headers={"Retry-After": str(int(wait) + 1)},
                )
        keys = presented_keys(headers, query)
        grant, expired = self._valid_grant(keys)
        if grant is None and expired:
            raise AuthenticationError("the API key has expired", code="expired_api_key")
        if grant is None and self.required:
            if not keys:
                raise AuthenticationError(
                    "an API key is required: send 'Authorization: Bearer <key>' with a key from "
                    "the dashboard (API keys)",
                    code="missing_api_key",
                )
            self.lockout.record_failure(address)
            raise AuthenticationError("the API key is not valid or was revoked")
        return grant

    def _valid_grant(self, keys: list[str]) -> tuple[KeyGrant | None, bool]:
        """The grant of the first presented key that is known and unexpired, and whether an
        expired one was seen. Any valid key admits the request; which one was wrong is not said,
        and a request counts as one failure however many wrong keys it carried."""
        if not keys:
            return None, False
        grants = self.key_hashes.snapshot()
        expired = False
        for key in keys:
            grant = grants.get(hash_api_key(self._secret, key))
            if grant is None:
                continue
            if grant.expires_at is not None and grant.expires_at <= utcnow():
                expired = True
                continue
            return grant, expired
        return None, expired

    def check_model(self, grant: KeyGrant | None, model: str) -> None:
        """ForbiddenModelError (403) when the key is limited to other models."""
        if grant is None or not grant.allowed_models:
            return
        if grant.allowed.resolve(model) is None:
            raise ForbiddenModelError(
                f"this API key may not use model '{model}' (allowed: "
                f"{', '.join(grant.allowed_models)})",
                param="model",
            )
