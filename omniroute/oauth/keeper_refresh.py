"""How a signed-in account's tokens are renewed, read from its provider's declaration.

- The OAuth refresh grant `{grant_type, refresh_token, client_id}` at `token_url`, in the body
  the declaration names (Claude JSON; Codex and GitHub form); Google adds the installed app's
  client secret, read from the variable `client_secret_env` names (never stored).
- AWS SSO-OIDC (`device_protocol` aws-oidc, Kiro): camelCase JSON `{clientId, clientSecret,
  refreshToken, grantType}` with the client registration kept in the account's extras, at the
  token URL of the account's region.
- A declaration with `endpoints["copilot_token"]` (GitHub Copilot) also exchanges the long-lived
  GitHub token for a short-lived Copilot token (keeper_copilot.py).

A renewal is a list of steps, each saved before the next runs, so a rotated refresh token is
never lost when a later step fails. An answer without a refresh token keeps the old one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..store.oauth_accounts import TokenSet
from .authorization import client_secret, signed_in_from_answer
from .device import check_region
from .grants import AccessGrant
from .keeper_copilot import (
    COPILOT_PRIVATE_EXTRAS,
    copilot_due,
    copilot_grant,
    copilot_usable,
    exchange_copilot_token,
    exchanges_copilot_token,
)
from .provider import OAuthProvider
from .token_endpoint import TokenEndpointError, post_token_request

if TYPE_CHECKING:  # imported by the calls that need it: a worker may never make one
    import requests

# a token this close to its expiry is no longer handed out
USABLE_MARGIN_SECONDS = 30.0
# extras that stay with the tokens and never reach an upstream call
PRIVATE_EXTRAS = frozenset({"clientSecret", "client_secret", "id_token"}) | COPILOT_PRIVATE_EXTRAS

Step = Callable[[OAuthProvider, TokenSet, float, "requests.Session | None"], TokenSet]


def renewal_due(provider: OAuthProvider, tokens: TokenSet, now: float) -> bool:
    """Whether the account must be renewed before its token is handed out."""
    return _token_due(provider, tokens, now) or (
        exchanges_copilot_token(provider) and copilot_due(provider, tokens, now)
    )


def usable(provider: OAuthProvider, tokens: TokenSet, now: float) -> bool:
    """Whether the token handed out now would still be accepted (for when renewal fails)."""
    if exchanges_copilot_token(provider):
        return copilot_usable(tokens, now, USABLE_MARGIN_SECONDS)
    return tokens.expires_at is None or tokens.expires_at > now + USABLE_MARGIN_SECONDS


def grant_of(provider: OAuthProvider, tokens: TokenSet) -> AccessGrant:
    extra = {k: v for k, v in tokens.extra.items() if k not in PRIVATE_EXTRAS}
    if exchanges_copilot_token(provider):
        return copilot_grant(tokens, extra)
    return AccessGrant(token=tokens.access_token, extra=extra)


def renewal_steps(
    provider: OAuthProvider, tokens: TokenSet, now: float, *, force: bool = False
) -> list[Step]:
    """What to run, in order, to renew the account now (`force`: refresh even when nothing is
    due; an account without a refresh token then has nothing to refresh)."""
    steps: list[Step] = []
    if _token_due(provider, tokens, now) or (force and tokens.refresh_token):
        steps.append(refresh_grant)
    if exchanges_copilot_token(provider):
        steps.append(exchange_copilot_token)
    return steps


def _token_due(provider: OAuthProvider, tokens: TokenSet, now: float) -> bool:
    """The main token expires within the lead (at expiry itself when it cannot be refreshed)."""
    if tokens.expires_at is None:
        return False
    lead = provider.refresh_lead_seconds if tokens.refresh_token else 0.0
    return now >= tokens.expires_at - lead


def refresh_grant(
    provider: OAuthProvider, tokens: TokenSet, now: float, session: requests.Session | None
) -> TokenSet:
    """Redeem the refresh token at the provider's token endpoint (raises TokenEndpointError)."""
    if not tokens.refresh_token:
        raise TokenEndpointError(
            "no_refresh_token", "the token expired and there is no refresh token", 0, final=True
        )
    if provider.device_protocol == "aws-oidc":
        url, fields = _aws_oidc_request(provider, tokens)
    else:
        url, fields = provider.token_url, _oauth_fields(provider, tokens.refresh_token)
    answer = post_token_request(provider, url, fields, session=session)
    return tokens_from_answer(provider, answer, tokens, now)


def _oauth_fields(provider: OAuthProvider, refresh_token: str) -> dict[str, str]:
    fields = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": provider.client_id,
    }
    if provider.client_secret_env:
        secret = client_secret(provider)
        if not secret:
            raise TokenEndpointError(
                "missing_client_secret",
                f"set {provider.client_secret_env} to this provider's client secret",
                400,
                final=False,
            )
        fields["client_secret"] = secret
    return fields


def _aws_oidc_request(provider: OAuthProvider, tokens: TokenSet) -> tuple[str, dict[str, str]]:
    extra = tokens.extra
    try:
        region = check_region(extra.get("region") or provider.endpoints.get("region", ""))
    except ValueError as error:
        raise TokenEndpointError("invalid_region", str(error), 400, final=True) from None
    fields = {
        "clientId": extra.get("clientId") or extra.get("client_id", ""),
        "clientSecret": extra.get("clientSecret") or extra.get("client_secret", ""),
        "refreshToken": tokens.refresh_token or "",
        "grantType": "refresh_token",
    }
    return provider.token_url.replace("{region}", region), fields


def tokens_from_answer(
    provider: OAuthProvider, answer: Mapping[str, Any], previous: TokenSet, now: float
) -> TokenSet:
    """The token set a refresh answer gives: the old refresh token kept when the answer has
    none, the account's extras kept (a new id_token may add the ChatGPT account claims)."""
    signed_in = signed_in_from_answer(provider, answer, lambda: now, extra=previous.extra)
    return TokenSet(
        access_token=signed_in.access_token,
        refresh_token=signed_in.refresh_token or previous.refresh_token,
        expires_at=signed_in.expires_at,
        extra=dict(signed_in.extra),
    )


def worth_retrying(error: TokenEndpointError) -> bool:
    """429, 5xx and network errors may pass; anything else would only be refused again."""
    return not error.final and (error.status in (0, 429) or error.status >= 500)
