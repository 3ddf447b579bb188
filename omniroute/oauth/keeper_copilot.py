"""GitHub Copilot's second token. The account's access token is the long-lived GitHub user token;
Copilot's API wants a Copilot token that lives about 30 minutes, obtained by exchanging the
GitHub token at `endpoints["copilot_token"]` (`Authorization: token <github token>` plus the
headers the declaration's upstream_headers name). The answer `{token, expires_at, refresh_in,
endpoints: {api}}` is kept in the account's extras; the Copilot token is renewed `refresh_in`
seconds after it was issued or within the provider's lead, whichever comes first. The grant
hands out the Copilot token, with the API base the answer named in its extra `api`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..store.oauth_accounts import TokenSet
from .grants import AccessGrant
from .provider import OAuthProvider
from .token_endpoint import TIMEOUT, TokenEndpointError, retry_after_seconds

if TYPE_CHECKING:  # imported by the calls that need it: a worker may never make one
    import requests

COPILOT_TOKEN = "copilot_token"
COPILOT_EXPIRES_AT = "copilot_expires_at"
COPILOT_RENEW_AT = "copilot_renew_at"
API_BASE = "api"  # the grant's extra: the Copilot API base URL for this account
COPILOT_PRIVATE_EXTRAS = frozenset({COPILOT_TOKEN, COPILOT_EXPIRES_AT, COPILOT_RENEW_AT})
# the exchange refuses for good: the GitHub token was revoked, or the account has no Copilot
FINAL_STATUSES = (401, 403, 404)


def exchanges_copilot_token(provider: OAuthProvider) -> bool:
    return bool(provider.endpoints.get("copilot_token"))


def copilot_due(provider: OAuthProvider, tokens: TokenSet, now: float) -> bool:
    extra = tokens.extra
    if not extra.get(COPILOT_TOKEN):
        return True
    renew_at = _seconds(extra.get(COPILOT_RENEW_AT))
    expires_at = _seconds(extra.get(COPILOT_EXPIRES_AT))
    if renew_at is not None and now >= renew_at:
        return True
    return expires_at is not None and now >= expires_at - provider.refresh_lead_seconds


def copilot_usable(tokens: TokenSet, now: float, margin: float) -> bool:
    expires_at = _seconds(tokens.extra.get(COPILOT_EXPIRES_AT))
    return bool(tokens.extra.get(COPILOT_TOKEN)) and (
        expires_at is None or expires_at > now + margin
    )


def copilot_grant(tokens: TokenSet, public_extra: Mapping[str, str]) -> AccessGrant:
    return AccessGrant(token=tokens.extra.get(COPILOT_TOKEN, ""), extra=dict(public_extra))


def exchange_copilot_token(
    provider: OAuthProvider, tokens: TokenSet, now: float, session: requests.Session | None
) -> TokenSet:
    """A Copilot token for the account's GitHub token (raises TokenEndpointError)."""
    import requests

    headers = {
        "Accept": "application/json",
        **provider.upstream_headers,
        "Authorization": f"token {tokens.access_token}",
    }
    try:
        answer = (session or requests).get(
            provider.endpoints["copilot_token"], headers=headers, timeout=TIMEOUT
        )
    except requests.RequestException as error:
        raise TokenEndpointError("network_error", str(error), 0, final=False) from None
    payload = _json(answer)
    token = payload.get("token")
    if answer.status_code >= 400 or not isinstance(token, str) or not token:
        raise _refusal(answer, payload)
    expires_at = _seconds(payload.get("expires_at"))
    refresh_in = _seconds(payload.get("refresh_in"))
    renew_at = now + refresh_in if refresh_in is not None else None
    extra = {**tokens.extra, COPILOT_TOKEN: token}
    for key, value in ((COPILOT_EXPIRES_AT, expires_at), (COPILOT_RENEW_AT, renew_at)):
        if value is None:
            extra.pop(key, None)
        else:
            extra[key] = str(value)
    endpoints = payload.get("endpoints")
    api = endpoints.get("api") if isinstance(endpoints, dict) else None
    if isinstance(api, str) and api:
        extra[API_BASE] = api
    return replace(tokens, extra=extra)


def _refusal(answer: requests.Response, payload: Mapping[str, Any]) -> TokenEndpointError:
    status = answer.status_code
    message = str(payload.get("message") or payload.get("error_details") or "")
    if status < 400:
        return TokenEndpointError("invalid_answer", "no Copilot token in the answer", status, False)
    final = status in FINAL_STATUSES
    return TokenEndpointError(f"http_{status}", message, status, final, retry_after_seconds(answer))


def _json(answer: requests.Response) -> dict:
    try:
        payload = answer.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _seconds(value: Any) -> float | None:
    try:
        return None if value is None or isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        return None
