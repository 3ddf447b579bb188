"""GigaChat (Sber): an authorization key exchanged for a 30-minute access token, and a
certificate chain under the Russian Trusted Root CA.

1. POST https://ngw.devices.sberbank.ru:9443/api/v2/oauth with `Authorization: Basic <key>`
   (the key is base64 of Client ID:Client Secret, as the project page gives it), `RqUID: <a
   fresh uuid4>` and the form `scope=GIGACHAT_API_PERS` (B2B, CORP for companies) →
   {"access_token", "expires_at" in milliseconds} (developers.sber.ru/docs/ru/gigachat/api/
   reference/rest/post-token); the token is kept until shortly before it expires
   (providers/exchanged_tokens.py).
2. Chat at https://gigachat.devices.sberbank.ru/api/v1/chat/completions, OpenAI-compatible,
   with `Authorization: Bearer <token>` (developers.sber.ru/docs/ru/gigachat/api/
   compatible-openai); its models at /models, with the same token (Sync models).

Both hosts' certificates chain to the Russian Trusted Root CA (НУЦ Минцифры), which is in no
default trust store: the `caBundle` option is the path of a PEM file holding it (from
gosuslugi.ru/crt), trusted — together with nothing else — for the token exchange and every
call. Verification is never turned off. Options: `scope` (default GIGACHAT_API_PERS),
`authUrl` (the OAuth endpoint), `caBundle`. The connection's own base URL replaces the API's.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from typing import Any

from .cloud import (
    CloudAuthError,
    CloudCall,
    CloudPlatform,
    CloudRequest,
    OptionError,
    known_keys,
    without_credentials,
)
from .exchanged_tokens import ExchangedTokens, Token, post_form
from .watsonx import checked_url

API_ROOT = "https://gigachat.devices.sberbank.ru/api/v1"
AUTH_URL = "https://ngw.devices.sberbank.ru:9443/api/v2/oauth"
SCOPES = ("GIGACHAT_API_PERS", "GIGACHAT_API_B2B", "GIGACHAT_API_CORP")
OPTION_KEYS = ("scope", "authUrl", "caBundle")
CA_RULE = "must be the absolute path of a readable PEM file (the Russian Trusted Root CA)"
CREDENTIAL_HEADERS = frozenset({"authorization"})

TOKENS = ExchangedTokens()


def check_options(options: Mapping[str, Any], base_url: str | None) -> dict[str, Any]:
    known_keys(options, OPTION_KEYS)
    scope = options.get("scope") or SCOPES[0]
    if scope not in SCOPES:
        raise OptionError("options.scope", f"must be one of {', '.join(SCOPES)}")
    checked: dict[str, Any] = {"scope": scope}
    if options.get("authUrl"):
        checked["authUrl"] = checked_url(options["authUrl"], "options.authUrl")
    bundle = options.get("caBundle")
    if bundle:
        if not isinstance(bundle, str) or not os.path.isabs(bundle.strip()):
            raise OptionError("options.caBundle", CA_RULE)
        if not os.path.isfile(bundle.strip()) or not os.access(bundle.strip(), os.R_OK):
            raise OptionError("options.caBundle", CA_RULE)
        checked["caBundle"] = bundle.strip()
    return checked


def _exchange(request: CloudRequest) -> Token:
    options = request.options
    answer = post_form(
        options.get("authUrl") or AUTH_URL,
        {"scope": options.get("scope") or SCOPES[0]},
        {
            "Authorization": f"Basic {request.secret}",
            "RqUID": str(uuid.uuid4()),
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        who="GigaChat's OAuth",
        ca_bundle=options.get("caBundle"),
    )
    token, expires_at = answer.get("access_token"), answer.get("expires_at")
    if not isinstance(token, str) or not token or not isinstance(expires_at, int | float):
        raise CloudAuthError("GigaChat's OAuth answered without an access token")
    return Token(token, float(expires_at) / 1000.0)


def shape(request: CloudRequest, tokens: ExchangedTokens | None = None) -> CloudCall:
    options = request.options
    identity = f"{options.get('authUrl') or AUTH_URL}\n{options.get('scope')}\n{request.secret}"
    token = (tokens or TOKENS).token(request.account, identity, lambda: _exchange(request))
    headers = without_credentials(request.headers, CREDENTIAL_HEADERS)
    headers["Authorization"] = f"Bearer {token}"
    url = (request.base_url or API_ROOT).rstrip("/") + request.path
    if request.query:
        url += f"?{request.query}"
    return CloudCall(url, headers, request.model, ca_bundle=options.get("caBundle"))


GIGACHAT = CloudPlatform(check_options=check_options, shape=shape)
