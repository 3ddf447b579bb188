"""What a signed-in account hands the rest of the gateway: the tokens a sign-in produced
(`SignedIn`), and the credentials an upstream call needs now (`AccessGrant`, always fresh).

`TokenSource` is the one interface the request path uses: given a connection id it returns a
fresh AccessGrant (refreshing first when the token is within its provider's lead time), or
raises NeedsSignIn when only a new sign-in can help, or TokenUnavailable when the token has
expired and its token endpoint cannot renew it right now (try the next account).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class SignedIn:
    """The result of any sign-in flow or import, before it is saved as a connection."""

    provider: str  # OAuthProvider.id
    access_token: str
    refresh_token: str | None
    expires_at: float | None  # unix seconds; None when the provider does not say
    account: str = ""  # what the card shows: an e-mail address or a login
    # provider specifics kept with the tokens: chatgpt_account_id, plan, region, client
    # registration (Kiro), the GitHub user token's Copilot token, …
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AccessGrant:
    """What one upstream call needs from a signed-in account."""

    token: str
    extra: Mapping[str, str] = field(default_factory=dict)  # e.g. chatgpt_account_id


class NeedsSignIn(Exception):
    """Only a new sign-in helps this account (revoked or reused refresh token, …)."""

    def __init__(self, connection_id: int, reason: str):
        super().__init__(f"connection {connection_id} must sign in again: {reason}")
        self.connection_id = connection_id
        self.reason = reason


class TokenUnavailable(Exception):
    """No usable token right now: the token endpoint is rate limited, failing or unreachable
    and the stored token has expired. Transient: fall back to the next account; `retry_after`
    is seconds when known."""

    def __init__(self, connection_id: int, reason: str, retry_after: float | None = None):
        super().__init__(f"connection {connection_id} has no usable token now: {reason}")
        self.connection_id = connection_id
        self.reason = reason
        self.retry_after = retry_after


class TokenSource(Protocol):
    def access(self, connection_id: int) -> AccessGrant:
        """A fresh grant for the connection (raises NeedsSignIn or TokenUnavailable)."""
        ...
