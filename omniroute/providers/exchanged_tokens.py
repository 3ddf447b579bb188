"""Access tokens a platform issues in exchange for a connection's long-lived key (IBM Cloud
IAM for watsonx.ai, Sber's OAuth for GigaChat): one per account, kept until REFRESH_MARGIN
seconds before it expires, exchanged again when the key (or where it is exchanged) changes.

`ExchangedTokens.token(account, identity, exchange)` gives the account's live token, calling
`exchange()` — the platform's own POST, through `post_form` — only when there is none. The
exchange is the only I/O of the cloud platform modules that use it; a refusal, an unreachable
token endpoint or an answer without a token is a CloudAuthError (the account is skipped).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .cloud import CloudAuthError

if TYPE_CHECKING:  # imported by the calls that need it: a worker may never make one
    import requests

REFRESH_MARGIN = 120.0  # seconds before expiry a token is exchanged again
TOKEN_TIMEOUT = 15.0


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: float  # unix seconds


class ExchangedTokens:
    """The live token of each account (see the module docstring); `clock` gives unix seconds."""

    def __init__(self, clock: Callable[[], float] = time.time, margin: float = REFRESH_MARGIN):
        self.clock = clock
        self.margin = margin
        self._tokens: dict[Hashable, tuple[str, Token]] = {}
        self._lock = threading.Lock()

    def token(self, account: Hashable, identity: str, exchange: Callable[[], Token]) -> str:
        """The account's token; `identity` is what it was exchanged for (the key and where)."""
        digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()
        with self._lock:  # one exchange at a time; the others wait for its token
            held = self._tokens.get(account)
            if held is not None and held[0] == digest and not self._expiring(held[1]):
                return held[1].value
            token = exchange()
            self._tokens[account] = (digest, token)
            return token.value

    def _expiring(self, token: Token) -> bool:
        return self.clock() >= token.expires_at - self.margin


_SESSION: list[requests.Session] = []  # made by the first exchange
_SESSION_LOCK = threading.Lock()


def _session() -> requests.Session:
    """The session of the token exchanges; proxies are explicit, never read from the
    environment."""
    with _SESSION_LOCK:
        if not _SESSION:
            import requests

            session = requests.Session()
            session.trust_env = False
            _SESSION.append(session)
        return _SESSION[0]


def post_form(
    url: str,
    form: Mapping[str, str],
    headers: Mapping[str, str],
    *,
    who: str,
    ca_bundle: str | None = None,
) -> dict[str, Any]:
    """POST a form to a token endpoint and return its JSON answer; `who` names the platform
    in the CloudAuthError a failure becomes; `ca_bundle` is the CA file to trust instead of
    the system's (verification is never turned off)."""
    import requests

    verify: bool | str = ca_bundle if ca_bundle else True
    try:
        response = _session().post(
            url, data=dict(form), headers=dict(headers), timeout=TOKEN_TIMEOUT, verify=verify
        )
    except (requests.RequestException, OSError) as error:
        raise CloudAuthError(f"{who} could not be reached: {type(error).__name__}") from None
    if response.status_code != 200:
        raise CloudAuthError(f"{who} refused the key (HTTP {response.status_code})")
    try:
        answer = response.json()
    except ValueError:
        raise CloudAuthError(f"{who} answered without JSON") from None
    if not isinstance(answer, dict):
        raise CloudAuthError(f"{who} answered without a token")
    return answer
