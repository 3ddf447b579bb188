"""One call to a provider's OAuth token endpoint (code exchange, device poll or refresh), with
its body as the provider wants it (JSON or form), and its refusals told apart: a final error
(only a new sign-in helps), a pending device authorization, or a transient failure (429, 5xx,
network) worth retrying later."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .provider import OAuthProvider

if TYPE_CHECKING:  # imported by the calls that need it: a worker may never make one
    import requests

TIMEOUT = (10.0, 30.0)
MAX_RETRY_AFTER = 300.0


class TokenEndpointError(Exception):
    """The token endpoint refused. `code` is its OAuth error code (or `http_<status>`);
    `final` means only a new sign-in helps; `retry_after` is seconds, when it said so."""

    def __init__(
        self, code: str, message: str, status: int, final: bool, retry_after: float | None = None
    ):
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.status = status
        self.final = final
        self.retry_after = retry_after


def post_token_request(
    provider: OAuthProvider,
    url: str,
    fields: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
    session: requests.Session | None = None,
    body: str | None = None,
) -> dict:
    """POST `fields` to `url` as `body` (json | form; default the provider's token_body) and
    return the JSON answer; raise TokenEndpointError on any refusal."""
    import requests

    style = body or provider.token_body
    sender = session or requests
    sent_headers = {"Accept": "application/json", **(headers or {})}
    try:
        if style == "json":
            answer = sender.post(url, json=dict(fields), headers=sent_headers, timeout=TIMEOUT)
        else:
            answer = sender.post(url, data=dict(fields), headers=sent_headers, timeout=TIMEOUT)
    except requests.RequestException as error:
        raise TokenEndpointError("network_error", str(error), 0, final=False) from None
    payload = _json(answer)
    if answer.status_code < 400 and "error" not in payload:
        return payload
    raise _refusal(provider, answer, payload)


def _json(answer: requests.Response) -> dict:
    try:
        payload = answer.json()
    except (ValueError, json.JSONDecodeError):
        return {}
    return payload if isinstance(payload, dict) else {}


def _refusal(
    provider: OAuthProvider, answer: requests.Response, payload: dict
) -> TokenEndpointError:
    error = payload.get("error")
    if isinstance(error, dict):  # {"error": {"code"|"type", "message"}}
        code = str(error.get("code") or error.get("type") or "")
        message = str(error.get("message") or "")
    else:
        code = str(error or payload.get("__type", "") or "").rsplit("#", 1)[-1]
        message = str(payload.get("error_description") or payload.get("message") or "")
    code = code or f"http_{answer.status_code}"
    transient = answer.status_code == 429 or answer.status_code >= 500
    final = not transient and code in provider.reauth_errors
    return TokenEndpointError(code, message, answer.status_code, final, retry_after_seconds(answer))


def retry_after_seconds(answer: requests.Response) -> float | None:
    """The answer's Retry-After in seconds (0 to MAX_RETRY_AFTER); None when it has none."""
    value = answer.headers.get("Retry-After")
    try:
        return None if value is None else min(max(float(value), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return None
