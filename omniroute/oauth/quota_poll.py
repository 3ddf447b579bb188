"""Read a signed-in account's quota windows from its provider's usage endpoint, on demand (the
dashboard's "Update quota", POST /api/providers/<id>/quota, once after each sign-in), where
quota_headers.py reads them from every answer.

    poll_quota(provider, grant, session) → QuotaSnapshot     (raises QuotaPollError)

Each call sends only what the endpoint (the declaration's `endpoints["usage"]`) requires:
  claude-code     GET, `Authorization: Bearer <token>` and the declaration's upstream headers
                  (the OAuth beta flag `oauth-2025-04-20` is what admits a subscription token)
  codex           GET, Bearer, `chatgpt-account-id` (the grant's extra) and its headers
  github-copilot  GET, `Authorization: token <GitHub user token>` — not the Copilot token: the
                  token keeper's `usage_grant` hands out the right one — and the editor headers
  kiro            POST `{origin: AI_EDITOR, resourceType: AGENTIC_REQUEST, profileArn?}` as
                  application/x-amz-json-1.0 with `x-amz-target:
                  AmazonCodeWhispererService.GetUsageLimits` and Bearer, in the account's region
The answers are read by quota_poll_answers.py (their shapes are described there).

Refusals, by QuotaPollError.code: rate_limited (429, with its Retry-After in `retry_after`),
refused (401/403: the endpoint does not take this account's token), unavailable (another
status, a network error), invalid_answer (not the JSON it should be), not_offered (the
provider has no usage endpoint). No token is ever part of a message.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .device import check_region
from .grants import AccessGrant
from .provider import OAuthProvider
from .quota import QuotaSnapshot
from .quota_poll_answers import ANSWER_READERS
from .token_endpoint import retry_after_seconds

if TYPE_CHECKING:  # imported by the calls that need it: a worker may never make one
    import requests

TIMEOUT = (5.0, 15.0)  # connect, read: the dashboard waits for the answer
CODEX_ACCOUNT_HEADER, CODEX_ACCOUNT_EXTRA = "chatgpt-account-id", "chatgpt_account_id"
KIRO_TARGET = "AmazonCodeWhispererService.GetUsageLimits"
KIRO_CONTENT_TYPE = "application/x-amz-json-1.0"
KIRO_BODY = {"origin": "AI_EDITOR", "resourceType": "AGENTIC_REQUEST"}
REFUSED_STATUSES = (401, 403)


class QuotaPollError(Exception):
    """The usage endpoint gave no snapshot: `code` says why (see the module docstring),
    `status` is its HTTP status (0: none), `retry_after` seconds when it said how long to wait."""

    def __init__(self, code: str, message: str, status: int = 0, retry_after: float | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class UsageRequest:
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes | None = None


def polls_quota(provider: OAuthProvider) -> bool:
    """Whether the provider's quota can be read from a usage endpoint."""
    return (
        provider.status != "discontinued"
        and provider.id in REQUESTS
        and bool(provider.endpoints.get("usage"))
    )


def poll_quota(
    provider: OAuthProvider,
    grant: AccessGrant,
    session: requests.Session | None = None,
    clock: Callable[[], float] = time.time,
) -> QuotaSnapshot:
    """The account's quota windows as its provider's usage endpoint reports them now."""
    if not polls_quota(provider):
        raise QuotaPollError("not_offered", f"{provider.id} has no usage endpoint")
    request = REQUESTS[provider.id](provider, grant)
    answer = _send(request, session)
    if answer.status_code == 429:
        raise QuotaPollError(
            "rate_limited",
            "the usage endpoint asks to wait before the next poll",
            429,
            retry_after_seconds(answer),
        )
    if answer.status_code in REFUSED_STATUSES:
        raise QuotaPollError(
            "refused",
            f"the usage endpoint refused this account's token (HTTP {answer.status_code})",
            answer.status_code,
        )
    if answer.status_code != 200:
        raise QuotaPollError(
            "unavailable",
            f"the usage endpoint answered HTTP {answer.status_code}",
            answer.status_code,
        )
    try:
        return ANSWER_READERS[provider.id](answer.json(), clock())
    except (ValueError, RecursionError):
        raise QuotaPollError(
            "invalid_answer", "the usage endpoint's answer is not the JSON it should be", 200
        ) from None


def _send(request: UsageRequest, session: requests.Session | None) -> requests.Response:
    import requests

    sender = session or requests
    try:
        return sender.request(
            request.method,
            request.url,
            headers=dict(request.headers),
            data=request.body,
            timeout=TIMEOUT,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        raise QuotaPollError(
            "unavailable", f"the usage endpoint could not be reached ({type(error).__name__})"
        ) from None


def _headers(provider: OAuthProvider, authorization: str) -> dict[str, str]:
    return {
        "Accept": "application/json",
        **provider.upstream_headers,
        "Authorization": authorization,
    }


def _claude(provider: OAuthProvider, grant: AccessGrant) -> UsageRequest:
    headers = _headers(provider, f"Bearer {grant.token}")
    return UsageRequest("GET", provider.endpoints["usage"], headers)


def _codex(provider: OAuthProvider, grant: AccessGrant) -> UsageRequest:
    headers = _headers(provider, f"Bearer {grant.token}")
    account = grant.extra.get(CODEX_ACCOUNT_EXTRA)
    if account:
        headers[CODEX_ACCOUNT_HEADER] = account
    return UsageRequest("GET", provider.endpoints["usage"], headers)


def _copilot(provider: OAuthProvider, grant: AccessGrant) -> UsageRequest:
    headers = _headers(provider, f"token {grant.token}")
    return UsageRequest("GET", provider.endpoints["usage"], headers)


def _kiro(provider: OAuthProvider, grant: AccessGrant) -> UsageRequest:
    try:
        region = check_region(grant.extra.get("region") or provider.endpoints.get("region", ""))
    except ValueError as error:
        raise QuotaPollError(
            "unavailable", f"the account's region is not usable: {error}"
        ) from None
    body = dict(KIRO_BODY)
    if grant.extra.get("profileArn"):
        body["profileArn"] = grant.extra["profileArn"]
    headers = {
        **_headers(provider, f"Bearer {grant.token}"),
        "Content-Type": KIRO_CONTENT_TYPE,
        "x-amz-target": KIRO_TARGET,
    }
    url = provider.endpoints["usage"].replace("{region}", region)
    return UsageRequest("POST", url, headers, json.dumps(body).encode())


REQUESTS: dict[str, Callable[[OAuthProvider, AccessGrant], UsageRequest]] = {
    "claude-code": _claude,
    "codex": _codex,
    "github-copilot": _copilot,
    "kiro": _kiro,
}
