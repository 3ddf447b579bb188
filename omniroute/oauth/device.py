"""Device-code sign-in: the user enters a short code on the provider's page while the gateway
polls. Three protocols (the declaration's `device_protocol`):

    rfc8628            GitHub: form bodies; `authorization_pending`, `slow_down` (+5 s),
                       `expired_token`, `access_denied`; then the login from endpoints["user"]
    openai-deviceauth  Codex: JSON usercode/token, 403/404 while pending; success hands an
                       authorization code + verifier, exchanged at token_url with
                       endpoints["device_redirect"]
    aws-oidc           Kiro (AWS Builder ID): register a client, ask for a device code, poll the
                       token endpoint (camelCase JSON, `…Exception` error names); the client
                       registration and region are kept in SignedIn.extra for refreshing

Polling is one non-blocking step, `poll_once(...) -> Pending | SignedIn`, so the web layer polls
from its status request without a thread per sign-in. What polling needs (device code, client
registration, interval) is the `device` mapping kept with the sign-in on the server; only
`user_code` and the verification URLs are ever shown.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Optional

from .authorization import exchange_code, signed_in_from_answer
from .grants import SignedIn
from .provider import OAuthProvider
from .token_endpoint import TIMEOUT, TokenEndpointError, post_token_request

if TYPE_CHECKING:  # imported by the calls that need it: a worker may never make one
    import requests

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_INTERVAL = 5.0
DEFAULT_EXPIRES_IN = 900.0
SLOW_DOWN_STEP = 5.0  # RFC 8628 §3.5
REGION_PATTERN = re.compile(r"^[a-z]{2}-[a-z]+-\d{1,2}$")
AWS_CLIENT_NAME = "omniroute"
Session = Optional["requests.Session"]
Clock = Callable[[], float]

PENDING_CODES = {"authorization_pending", "AuthorizationPendingException"}
SLOW_DOWN_CODES = {"slow_down", "SlowDownException"}
REFUSAL_MESSAGES = {
    "expired_token": "the device code expired before it was entered: start again",
    "ExpiredTokenException": "the device code expired before it was entered: start again",
    "access_denied": "the sign-in was refused on the provider's page",
    "AccessDeniedException": "the sign-in was refused on the provider's page",
}


class DeviceFlowError(Exception):
    """The device sign-in cannot go on (expired, refused, an answer it cannot read)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class DeviceStart:
    user_code: str
    verification_url: str
    verification_url_complete: str
    interval: float
    expires_in: float
    device: Mapping[str, Any] = field(default_factory=dict)  # kept on the server, for polling


@dataclass(frozen=True)
class Pending:
    interval: float  # seconds to wait before the next poll


def check_region(region: str) -> str:
    """An AWS region safe to put in a URL (ValueError otherwise)."""
    if not REGION_PATTERN.match(region or ""):
        raise ValueError(f"not an AWS region: {region!r} (like us-east-1)")
    return region


def start_device(
    provider: OAuthProvider, *, region: str | None = None, session: requests.Session | None = None
) -> DeviceStart:
    """Ask the provider for a device code (TokenEndpointError or DeviceFlowError on refusal)."""
    if provider.device_protocol == "rfc8628":
        return _start_rfc8628(provider, session)
    if provider.device_protocol == "openai-deviceauth":
        return _start_openai(provider, session)
    if provider.device_protocol == "aws-oidc":
        return _start_aws(provider, region or provider.endpoints.get("region", ""), session)
    raise ValueError(f"{provider.id} declares no device-code protocol")


def poll_once(
    provider: OAuthProvider,
    device: Mapping[str, Any],
    *,
    session: requests.Session | None = None,
    clock: Callable[[], float] = time.time,
) -> Pending | SignedIn:
    """Ask once whether the user has entered the code: Pending(interval) or the tokens."""
    interval = float(device.get("interval") or DEFAULT_INTERVAL)
    try:
        if provider.device_protocol == "rfc8628":
            return _poll_rfc8628(provider, device, session, clock)
        if provider.device_protocol == "openai-deviceauth":
            return _poll_openai(provider, device, interval, session, clock)
        if provider.device_protocol == "aws-oidc":
            return _poll_aws(provider, device, session, clock)
    except TokenEndpointError as error:
        return _pending_or_raise(error, interval)
    raise ValueError(f"{provider.id} declares no device-code protocol")


def _pending_or_raise(error: TokenEndpointError, interval: float) -> Pending:
    if error.code in PENDING_CODES:
        return Pending(interval)
    if error.code in SLOW_DOWN_CODES:
        return Pending(interval + SLOW_DOWN_STEP)
    if error.code in REFUSAL_MESSAGES:
        raise DeviceFlowError(error.code, REFUSAL_MESSAGES[error.code]) from None
    if error.status == 429 or error.status >= 500 or error.status == 0:
        return Pending(max(interval, error.retry_after or 0.0))  # transient: poll again later
    raise DeviceFlowError(error.code, f"the provider refused the device sign-in: {error}") from None


# -- RFC 8628 (GitHub) ---------------------------------------------------------------------
def _start_rfc8628(provider: OAuthProvider, session: requests.Session | None) -> DeviceStart:
    fields = {"client_id": provider.client_id, "scope": " ".join(provider.scopes)}
    answer = post_token_request(provider, provider.device_code_url, fields, session=session)
    return _device_start(
        answer,
        user_code=_required(answer, "user_code"),
        verification_url=str(answer.get("verification_uri") or provider.verification_url),
        device={"device_code": _required(answer, "device_code")},
    )


def _poll_rfc8628(
    provider: OAuthProvider, device: Mapping[str, Any], session: Session, clock: Clock
) -> SignedIn:
    fields = {
        "client_id": provider.client_id,
        "device_code": device["device_code"],
        "grant_type": DEVICE_GRANT,
    }
    url = provider.device_token_url or provider.token_url
    answer = post_token_request(provider, url, fields, session=session)
    signed_in = signed_in_from_answer(provider, answer, clock)
    login = _user_login(provider, signed_in.access_token, session)
    return replace(signed_in, account=login or signed_in.account)


def _user_login(provider: OAuthProvider, token: str, session: requests.Session | None) -> str:
    """The account's login from endpoints["user"] (GitHub's /user), "" when it cannot be read."""
    import requests

    url = provider.endpoints.get("user")
    if not url:
        return ""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    try:
        answer = (session or requests).get(url, headers=headers, timeout=TIMEOUT)
        user = answer.json() if answer.status_code == 200 else {}
    except (requests.RequestException, ValueError):
        return ""
    return str(user.get("login") or "") if isinstance(user, dict) else ""


# -- OpenAI deviceauth (Codex) -------------------------------------------------------------
def _start_openai(provider: OAuthProvider, session: requests.Session | None) -> DeviceStart:
    fields = {"client_id": provider.client_id}
    answer = post_token_request(
        provider, provider.device_code_url, fields, session=session, body="json"
    )
    user_code = str(answer.get("user_code") or answer.get("usercode") or "")
    if not user_code:
        raise DeviceFlowError("invalid_answer", "the provider's device answer holds no user code")
    return _device_start(
        answer,
        user_code=user_code,
        verification_url=provider.verification_url,
        device={"device_auth_id": _required(answer, "device_auth_id"), "user_code": user_code},
    )


def _poll_openai(
    provider: OAuthProvider,
    device: Mapping[str, Any],
    interval: float,
    session: Session,
    clock: Clock,
) -> Pending | SignedIn:
    fields = {"device_auth_id": device["device_auth_id"], "user_code": device["user_code"]}
    try:
        answer = post_token_request(
            provider, provider.device_token_url, fields, session=session, body="json"
        )
    except TokenEndpointError as error:
        if error.status in (403, 404):  # the user has not entered the code yet
            return Pending(interval)
        raise
    return exchange_code(
        provider,
        code=_required(answer, "authorization_code"),
        verifier=_required(answer, "code_verifier"),
        redirect_uri=provider.endpoints.get("device_redirect", ""),
        session=session,
        clock=clock,
    )


# -- AWS SSO-OIDC (Kiro) -------------------------------------------------------------------
def _start_aws(
    provider: OAuthProvider, region: str, session: requests.Session | None
) -> DeviceStart:
    region = check_region(region)
    start_url = provider.endpoints.get("start_url", "")
    registration = post_token_request(
        provider,
        _in_region(provider.endpoints.get("register", ""), region),
        {
            "clientName": AWS_CLIENT_NAME,
            "clientType": "public",
            "scopes": list(provider.scopes),
            "grantTypes": [DEVICE_GRANT, "refresh_token"],
            "issuerUrl": start_url,
        },
        session=session,
        body="json",
    )
    client = {
        "clientId": _required(registration, "clientId"),
        "clientSecret": _required(registration, "clientSecret"),
    }
    answer = post_token_request(
        provider,
        _in_region(provider.device_code_url, region),
        {**client, "startUrl": start_url},
        session=session,
        body="json",
    )
    return _device_start(
        answer,
        user_code=_required(answer, "userCode"),
        verification_url=str(answer.get("verificationUri") or provider.verification_url),
        complete=str(answer.get("verificationUriComplete") or ""),
        device={**client, "region": region, "deviceCode": _required(answer, "deviceCode")},
    )


def _poll_aws(
    provider: OAuthProvider, device: Mapping[str, Any], session: Session, clock: Clock
) -> SignedIn:
    region = check_region(device["region"])
    client = {"clientId": device["clientId"], "clientSecret": device["clientSecret"]}
    fields = {**client, "deviceCode": device["deviceCode"], "grantType": DEVICE_GRANT}
    url = _in_region(provider.device_token_url or provider.token_url, region)
    answer = post_token_request(provider, url, fields, session=session, body="json")
    return signed_in_from_answer(provider, answer, clock, extra={**client, "region": region})


def _in_region(url: str, region: str) -> str:
    return url.replace("{region}", region)


# -- shared ----------------------------------------------------------------------------------
def _device_start(
    answer: Mapping[str, Any],
    *,
    user_code: str,
    verification_url: str,
    device: Mapping[str, Any],
    complete: str = "",
) -> DeviceStart:
    interval = _seconds(answer.get("interval"), DEFAULT_INTERVAL)
    return DeviceStart(
        user_code=user_code,
        verification_url=verification_url,
        verification_url_complete=complete or str(answer.get("verification_uri_complete") or ""),
        interval=interval,
        expires_in=_seconds(answer.get("expires_in", answer.get("expiresIn")), DEFAULT_EXPIRES_IN),
        device={**device, "interval": interval},
    )


def _required(answer: Mapping[str, Any], name: str) -> str:
    value = answer.get(name)
    if not isinstance(value, str) or not value:
        raise DeviceFlowError("invalid_answer", f"the provider's device answer holds no {name}")
    return value


def _seconds(value: Any, default: float) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return default
    return seconds if seconds > 0 else default
