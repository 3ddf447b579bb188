"""OAuthProvider: everything the gateway knows about signing in to one subscription provider.

A provider's endpoints, client id, scopes, redirect URIs, refresh lead and the headers its
upstream requires drift as the vendors ship new CLI versions; they live in one declaration per
provider (declarations.py) and a user can change any of them without a new release through
`DATA_DIR/oauth-providers.json` (overrides.py): `{"claude-code": {"token_url": "…"}}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Sign-in flows a provider may offer (the first is the dashboard's default):
#   paste     authorization code + PKCE; the provider shows the code (or the browser lands on a
#             redirect that fails) and the user pastes what the browser showed
#   loopback  authorization code + PKCE with a one-shot listener on `loopback_redirect`
#   device    device code: the user enters a code on the provider's page, the gateway polls
#   import    the provider CLI's own credentials file (`credential_files`)
FLOWS = ("paste", "loopback", "device", "import")
# live: sign-in works; enterprise: only some account types can sign in (say so on the card);
# discontinued: the service or its free tier is gone; nothing is ever sent to it.
STATUSES = ("live", "enterprise", "discontinued")
TOKEN_BODIES = ("json", "form")  # how the token endpoint wants its body
# device-code protocols (device.py): RFC 8628 as GitHub speaks it (form, `authorization_pending`),
# OpenAI's deviceauth (JSON usercode/token, then a code exchange), AWS SSO-OIDC (camelCase JSON
# with a client registration first)
DEVICE_PROTOCOLS = ("rfc8628", "openai-deviceauth", "aws-oidc")


@dataclass(frozen=True)
class OAuthProvider:
    id: str  # the catalog provider id (providers/catalog.py)
    flows: tuple[str, ...]
    client_id: str = ""
    authorize_url: str = ""
    token_url: str = ""
    device_code_url: str = ""  # device flows: where the user code is asked for
    device_token_url: str = ""  # device flows: where the gateway polls (default token_url)
    verification_url: str = ""  # device flows: the page the user opens
    scopes: tuple[str, ...] = ()
    redirect_uri: str = ""  # paste flow: the provider's own "copy this code" page, if any
    loopback_redirect: str = ""  # loopback flow: the only redirect the client accepts
    authorize_params: Mapping[str, str] = field(default_factory=dict)  # extra query fields
    token_body: str = "form"  # one of TOKEN_BODIES
    exchange_sends_state: bool = False  # the code exchange's body carries `state` too
    device_protocol: str = ""  # one of DEVICE_PROTOCOLS when the provider offers "device"
    refresh_lead_seconds: float = 300.0  # refresh this long before the access token expires
    rotating_refresh: bool = True  # a refresh token is single use: save its successor at once
    # token-endpoint error codes after which only a new sign-in helps (never retried)
    reauth_errors: tuple[str, ...] = ("invalid_grant",)
    credential_files: tuple[str, ...] = ()  # the CLI's own files, `~` = the server user's home
    upstream_headers: Mapping[str, str] = field(default_factory=dict)  # what its API requires
    # other URLs and values of its flow: token exchange, usage, profile, device redirect, …
    endpoints: Mapping[str, str] = field(default_factory=dict)
    client_secret_env: str = ""  # an installed-app secret is read from this variable, never kept
    status: str = "live"  # one of STATUSES
    status_note: str = ""  # shown on the card (why enterprise-only, when it closed, …)
    tos_risk: str = "medium"  # low | medium | high | very high: shown before signing in
    tos_note: str = ""

    def offers(self, flow: str) -> bool:
        return flow in self.flows
