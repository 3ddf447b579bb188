"""Calls of signed-in subscription accounts: each upstream gets what its API needs, no more.

A connection whose `auth_kind` is OAUTH_ACCOUNT holds no API key: its call (built as for any
account by upstream_call.py) gets a fresh token from the TokenSource (oauth/grants.py) and is
reshaped for its provider by CALL_SHAPES, from the provider's declaration (oauth/
declarations.py, overridable by the user):

- Claude Code: `Authorization: Bearer <token>` (never x-api-key), the declaration's headers
  (anthropic-version; anthropic-beta with the OAuth flag, merged with the client's own beta
  values), and `?beta=true` on /messages and /messages/count_tokens;
- Codex: Bearer, `chatgpt-account-id` from the grant, the declaration's headers, and the body
  Codex accepts, always streamed and read before the attempt is chosen (subscription_codex.py);
- GitHub Copilot: Bearer <Copilot token>, the declaration's editor headers, and the account's
  API base from the grant (`api`) unless the connection names its own base URL. Copilot
  serves its `*-codex` models only at `/responses` (its /models lists `supported_endpoints:
  ["/responses"]` for them; /chat/completions refuses them): `served` gives such an attempt
  the Responses format, so the request is built, sent and read back as Responses.
Nothing else is added: no forged client identity, device ids or billing headers.

Every answer to such a call goes through its SubscriptionCheck: the quota windows in its
headers are kept in the QuotaBook, and a refusal is told apart (subscription_refusals.py).
An account that must sign in again, or whose token cannot be renewed right now, raises
AccountUnavailable while its call is built: the pipeline skips it and tries the next one.
Kiro and Gemini CLI speak private wire formats the gateway does not have yet: their accounts
are refused the same way (a plan starting at one is a 501 before this, proxy/provider_scope.py).
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Mapping
from functools import partial
from urllib.parse import urlsplit, urlunsplit

from ..oauth.declarations import OAUTH_PROVIDERS
from ..oauth.grants import AccessGrant, NeedsSignIn, TokenSource, TokenUnavailable
from ..oauth.provider import OAuthProvider
from ..oauth.quota import QuotaBook
from ..oauth.quota_headers import read_snapshot, refusal_snapshot
from ..providers.accounts import OAUTH_ACCOUNT
from ..routing.plan import Attempt
from .callbacks import BuildCall
from .subscription_codex import codex_body, hold_answer
from .subscription_refusals import classify
from .transport import UpstreamResponse
from .upstream_call import AccountUnavailable, Refusal, UpstreamCall, base_url, json_body

Hold = Callable[[UpstreamResponse, float], UpstreamResponse]
CallShape = Callable[
    [Attempt, UpstreamCall, AccessGrant, OAuthProvider], tuple[UpstreamCall, Hold | None]
]
CREDENTIAL_HEADERS = frozenset({"authorization", "x-api-key"})
BETA_HEADER = "anthropic-beta"
BETA_PATHS = ("/messages", "/messages/count_tokens")
CODEX_ACCOUNT_HEADER = "chatgpt-account-id"
RESPONSES_FORMAT = "responses"
# model-id suffixes a provider serves only through its Responses endpoint
RESPONSES_ONLY_MODELS = {"github-copilot": ("-codex",)}
CODEX_ACCOUNT_EXTRA = "chatgpt_account_id"
COPILOT_API_EXTRA = "api"
SIGN_IN_AGAIN = "sign_in_again"  # AccountUnavailable.code of an account that must sign in again
TOKEN_UNAVAILABLE = "token_unavailable"


class SubscriptionCheck:
    """The AnswerCheck of one signed-in account's call (see the module docstring)."""

    def __init__(
        self,
        provider: str,
        connection_id: int,
        quotas: QuotaBook,
        clock: Callable[[], float],
        hold: Hold | None = None,
    ):
        self.provider = provider
        self.connection_id = connection_id
        self.quotas = quotas
        self.clock = clock
        self.hold = hold

    def received(self, response: UpstreamResponse, deadline: float) -> UpstreamResponse:
        snapshot = read_snapshot(self.provider, response.headers, self.clock())
        if snapshot is not None:
            self.quotas.note(self.connection_id, snapshot)
        return response if self.hold is None else self.hold(response, deadline)

    def refusal(
        self, status: int, headers: Mapping[str, str], body: bytes, message: str
    ) -> Refusal | None:
        now = self.clock()
        snapshot = refusal_snapshot(self.provider, headers, body, now)
        if snapshot is not None:
            self.quotas.note(self.connection_id, snapshot)
        return classify(status, headers, message, snapshot, now)


class SubscriptionCalls:
    """Prepares signed-in accounts' calls; the pipeline's one door to tokens and quotas."""

    def __init__(
        self,
        tokens: TokenSource | None = None,
        quotas: QuotaBook | None = None,
        providers: Mapping[str, OAuthProvider] = OAUTH_PROVIDERS,
        clock: Callable[[], float] = time.time,
    ):
        self.tokens = tokens
        self.quotas = quotas or QuotaBook(clock=clock)
        self.providers = providers
        self.clock = clock

    @staticmethod
    def served(attempt: Attempt) -> Attempt:
        """The attempt in the format its upstream serves its model in (RESPONSES_ONLY_MODELS:
        the Responses format at `/responses`); unchanged for every other attempt."""
        suffixes = RESPONSES_ONLY_MODELS.get(attempt.spec.id, ())
        if attempt.spec.wire_format == RESPONSES_FORMAT or not attempt.model.endswith(suffixes):
            return attempt
        spec = dataclasses.replace(
            attempt.spec, wire_format=RESPONSES_FORMAT, stream_usage_option=False
        )
        return dataclasses.replace(attempt, spec=spec)

    def build(self, build: BuildCall) -> BuildCall:
        """`build` (a pipeline build callback) with signed-in accounts' calls prepared."""

        def prepared(attempt: Attempt) -> UpstreamCall:
            return self.prepare(attempt, build(attempt))

        return prepared

    def prepare(self, attempt: Attempt, call: UpstreamCall) -> UpstreamCall:
        """`call` as the attempt's upstream needs it (unchanged for an API-key account)."""
        connection = attempt.connection
        if connection.auth_kind != OAUTH_ACCOUNT:
            return call
        provider = attempt.spec.id
        shape = CALL_SHAPES.get(provider)
        declaration = self.providers.get(provider)
        if shape is None or declaration is None or connection.id is None:
            raise AccountUnavailable(
                f"{_account(attempt)}: the gateway cannot call {attempt.spec.name} "
                "subscriptions yet"
            )
        grant = self._grant(attempt, connection.id)
        shaped, hold = shape(attempt, call, grant, declaration)
        check = SubscriptionCheck(provider, connection.id, self.quotas, self.clock, hold)
        return dataclasses.replace(shaped, check=check)

    def _grant(self, attempt: Attempt, connection_id: int) -> AccessGrant:
        if self.tokens is None:
            raise AccountUnavailable(f"{_account(attempt)}: no token source is configured")
        try:
            return self.tokens.access(connection_id)
        except NeedsSignIn as error:
            raise AccountUnavailable(
                f"{_account(attempt)} must sign in again ({error.reason}): "
                "Providers → the account's card → Sign in",
                code=SIGN_IN_AGAIN,
            ) from None
        except TokenUnavailable as error:
            wait = error.retry_after
            raise AccountUnavailable(
                f"{_account(attempt)} has no usable token right now ({error.reason})",
                code=TOKEN_UNAVAILABLE,
                headers={"Retry-After": str(max(1, round(wait)))} if wait else None,
            ) from None


def _account(attempt: Attempt) -> str:
    return f"account '{attempt.connection.name}' of {attempt.spec.id}"


def _with_token(
    headers: Mapping[str, str], token: str, declared: Mapping[str, str]
) -> dict[str, str]:
    """The call's headers without its API-key credentials, with the Bearer token and the
    declaration's headers (which win over the call's own)."""
    declared_names = {name.lower() for name in declared}
    kept = {
        name: value
        for name, value in headers.items()
        if name.lower() not in CREDENTIAL_HEADERS | declared_names
    }
    return {**kept, "Authorization": f"Bearer {token}", **declared}


def claude_call(
    attempt: Attempt, call: UpstreamCall, grant: AccessGrant, declaration: OAuthProvider
) -> tuple[UpstreamCall, Hold | None]:
    """Claude Code: Bearer, the OAuth beta flag (with the client's betas) and `?beta=true`."""
    declared = dict(declaration.upstream_headers)
    betas = merged_betas(declared.pop(BETA_HEADER, ""), _header(call.headers, BETA_HEADER))
    headers = _with_token(call.headers, grant.token, declared)
    headers = {k: v for k, v in headers.items() if k.lower() != BETA_HEADER}
    if betas:
        headers[BETA_HEADER] = betas
    return dataclasses.replace(call, url=with_beta_query(call.url), headers=headers), None


def merged_betas(required: str, client: str | None) -> str:
    """The declaration's beta flags first, then the client's own, each once."""
    flags: list[str] = []
    for value in (required, client or ""):
        for flag in (part.strip() for part in value.split(",")):
            if flag and flag not in flags:
                flags.append(flag)
    return ",".join(flags)


def with_beta_query(url: str) -> str:
    """`url` with `beta=true` when it is a Messages or count_tokens call without it."""
    parts = urlsplit(url)
    if not parts.path.endswith(BETA_PATHS) or "beta=" in parts.query:
        return url
    query = f"{parts.query}&beta=true" if parts.query else "beta=true"
    return urlunsplit(parts._replace(query=query))


def codex_call(
    attempt: Attempt, call: UpstreamCall, grant: AccessGrant, declaration: OAuthProvider
) -> tuple[UpstreamCall, Hold | None]:
    """Codex: Bearer, the workspace's account id, the declaration's headers, and (for a
    /responses call) the body Codex accepts with its answer read before it is chosen."""
    headers = _with_token(call.headers, grant.token, declaration.upstream_headers)
    account_id = grant.extra.get(CODEX_ACCOUNT_EXTRA)
    if account_id:
        headers[CODEX_ACCOUNT_HEADER] = account_id
    if not urlsplit(call.url).path.endswith("/responses") or not call.body:
        return dataclasses.replace(call, headers=headers), None
    body, client_stream = codex_body(json.loads(call.body))
    headers["Accept"] = "text/event-stream"
    hold = partial(hold_answer, provider=attempt.spec.id, whole=not client_stream)
    return dataclasses.replace(call, headers=headers, body=json_body(body)), hold


def copilot_call(
    attempt: Attempt, call: UpstreamCall, grant: AccessGrant, declaration: OAuthProvider
) -> tuple[UpstreamCall, Hold | None]:
    """GitHub Copilot: Bearer <Copilot token>, the editor headers, the account's API base."""
    headers = _with_token(call.headers, grant.token, declaration.upstream_headers)
    url = call.url
    api = grant.extra.get(COPILOT_API_EXTRA)
    default_base = base_url(attempt)
    if api and not attempt.connection.base_url and url.startswith(default_base):
        url = api.rstrip("/") + url[len(default_base) :]
    return dataclasses.replace(call, url=url, headers=headers), None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)


CALL_SHAPES: dict[str, CallShape] = {
    "claude-code": claude_call,
    "codex": codex_call,
    "github-copilot": copilot_call,
}
