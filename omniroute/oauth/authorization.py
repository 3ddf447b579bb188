"""The authorization-code flow with PKCE: the authorize URL a browser opens, and the exchange of
the code it brings back for tokens (`SignedIn`).

Both flows that involve a browser use it: `paste` (the provider's own "copy this code" page, or
a redirect that fails on a VPS and whose address the user pastes) and `loopback` (a one-shot
listener on this machine). The token answer is read the same way for every provider: the
access token's lifetime from `expires_in` or its JWT `exp`, the account from the answer
(`account.email_address`) or the id_token's claims (`email`, and ChatGPT's account id and plan).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from .grants import SignedIn
from .jwt_claims import jwt_claims, jwt_expiry
from .provider import OAuthProvider
from .token_endpoint import TokenEndpointError, post_token_request

if TYPE_CHECKING:  # imported by the calls that need it: a worker may never make one
    import requests

OPENAI_AUTH_CLAIM = "https://api.openai.com/auth"
OPENAI_ACCOUNT_CLAIMS = ("chatgpt_account_id", "chatgpt_plan_type")


def redirect_uri_for(provider: OAuthProvider, flow: str, port: int | None = None) -> str:
    """Where the provider sends the browser: for `paste`, its own code page when it has one,
    else its loopback redirect (whose failed page the user copies); for `loopback`, the
    loopback redirect with `{port}` filled."""
    if flow == "paste" and provider.redirect_uri:
        return provider.redirect_uri
    template = provider.loopback_redirect
    if not template:
        raise ValueError(f"{provider.id} declares no redirect for the {flow} flow")
    if "{port}" in template:
        if port is None:
            raise ValueError(f"{provider.id}: the loopback redirect needs a port")
        return template.replace("{port}", str(port))
    return template


def authorize_url(provider: OAuthProvider, *, state: str, challenge: str, redirect_uri: str) -> str:
    """The URL the user opens to sign in (S256 PKCE, `state`, the provider's extra fields)."""
    query = {
        "client_id": provider.client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "scope": " ".join(provider.scopes),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": state,
        **provider.authorize_params,
    }
    separator = "&" if "?" in provider.authorize_url else "?"
    return provider.authorize_url + separator + urlencode(query)


def exchange_code(
    provider: OAuthProvider,
    *,
    code: str,
    verifier: str,
    redirect_uri: str,
    state: str = "",
    session: requests.Session | None = None,
    clock: Callable[[], float] = time.time,
) -> SignedIn:
    """Trade an authorization code for tokens (TokenEndpointError when refused)."""
    fields = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": provider.client_id,
        "code_verifier": verifier,
    }
    if provider.exchange_sends_state and state:
        fields["state"] = state
    secret = client_secret(provider)
    if secret:
        fields["client_secret"] = secret
    answer = post_token_request(provider, provider.token_url, fields, session=session)
    return signed_in_from_answer(provider, answer, clock)


def client_secret(provider: OAuthProvider) -> str:
    """An installed-app client secret, read from the variable the declaration names."""
    return os.environ.get(provider.client_secret_env, "") if provider.client_secret_env else ""


def signed_in_from_answer(
    provider: OAuthProvider,
    answer: Mapping[str, Any],
    clock: Callable[[], float] = time.time,
    extra: Mapping[str, str] | None = None,
) -> SignedIn:
    """A token answer (snake_case or camelCase) as SignedIn."""
    access_token = _text(answer, "access_token", "accessToken")
    if not access_token:
        raise TokenEndpointError("invalid_answer", "the answer holds no access token", 200, False)
    claims = jwt_claims(_text(answer, "id_token", "idToken"))
    return SignedIn(
        provider=provider.id,
        access_token=access_token,
        refresh_token=_text(answer, "refresh_token", "refreshToken") or None,
        expires_at=_expires_at(answer, access_token, clock),
        account=_account(answer, claims),
        extra={**account_claims(claims), **(extra or {})},
    )


def account_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    """ChatGPT's account id and plan from an id_token's claims ({} for other providers)."""
    auth = claims.get(OPENAI_AUTH_CLAIM)
    if not isinstance(auth, dict):
        return {}
    return {name: str(auth[name]) for name in OPENAI_ACCOUNT_CLAIMS if auth.get(name)}


def _account(answer: Mapping[str, Any], claims: Mapping[str, Any]) -> str:
    account = answer.get("account")
    if isinstance(account, dict) and account.get("email_address"):
        return str(account["email_address"])
    return str(claims.get("email") or answer.get("email") or "")


def _expires_at(
    answer: Mapping[str, Any], access_token: str, clock: Callable[[], float]
) -> float | None:
    lifetime = answer.get("expires_in", answer.get("expiresIn"))
    try:
        if lifetime is not None and not isinstance(lifetime, bool):
            return clock() + float(lifetime)
    except (TypeError, ValueError):
        pass
    return jwt_expiry(access_token)


def _text(answer: Mapping[str, Any], *names: str) -> str:
    for name in names:
        value = answer.get(name)
        if isinstance(value, str) and value:
            return value
    return ""
