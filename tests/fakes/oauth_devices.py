"""The fake OAuth server's device-code side, one protocol per provider:

- GitHub (RFC 8628): form bodies; while the user has not entered the code the token endpoint
  answers 200 with `{"error": "authorization_pending"}`; `slow_down` raises the interval by 5 s;
  `expired_token`, `access_denied`.
- Codex (OpenAI deviceauth): JSON; the poll answers 403 (or 404) while pending, then hands an
  authorization code and its verifier, to be exchanged at the token endpoint with the device
  redirect.
- Kiro (AWS SSO-OIDC): camelCase JSON under /kiro/{region}/: a client registration, a device
  authorization, then the token endpoint (device grant or refresh) answering 400 with
  AuthorizationPendingException, SlowDownException, ExpiredTokenException, AccessDeniedException
  or InvalidGrantException — `{"error": "authorization_pending"}` with the name in
  x-amzn-ErrorType, or `{"__type": "AuthorizationPendingException"}` (aws_error_style "type").
"""

from __future__ import annotations

import secrets
import string
from typing import TYPE_CHECKING

from tests.fakes.oauth_tokens import (
    CLIENT_IDS,
    Answer,
    DeviceAuth,
    FakeRequest,
    IssuedCode,
    mint,
    new_token,
    oauth_error,
    rotate,
    s256,
)

if TYPE_CHECKING:
    from tests.fakes.oauth_server import OAuthFake

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
GITHUB_INTERVAL, CODEX_INTERVAL, AWS_INTERVAL = 5, 5, 1
AWS_ERRORS = {  # snake_case `error` → the exception AWS names in x-amzn-ErrorType / __type
    "authorization_pending": "AuthorizationPendingException",
    "slow_down": "SlowDownException",
    "expired_token": "ExpiredTokenException",
    "access_denied": "AccessDeniedException",
    "invalid_grant": "InvalidGrantException",
    "invalid_client": "InvalidClientException",
    "invalid_request": "InvalidRequestException",
}


def user_code() -> str:
    letters = "".join(secrets.choice(string.ascii_uppercase) for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


def _new_device(fake: OAuthFake, provider: str, key: str, interval: int, **extra) -> DeviceAuth:
    device = DeviceAuth(provider, key, user_code(), interval, fake.account_of(provider), **extra)
    fake.state.devices[key] = device
    return device


# -- GitHub ------------------------------------------------------------------------------------
def github_device_code(fake: OAuthFake, request: FakeRequest) -> Answer:
    if request.body.get("client_id") != CLIENT_IDS["github-copilot"]:
        return Answer(401, {"error": "incorrect_client_credentials"})
    device = _new_device(fake, "github-copilot", new_token("dc_"), GITHUB_INTERVAL)
    return Answer(
        200,
        {
            "device_code": device.key,
            "user_code": device.user_code,
            "verification_uri": f"{fake.base}/github/login/device",
            "expires_in": 900,
            "interval": device.interval,
        },
    )


def github_token(fake: OAuthFake, request: FakeRequest) -> Answer:
    """GitHub's access_token endpoint: the device grant, and refresh for expiring tokens."""
    body = request.body
    if body.get("client_id") != CLIENT_IDS["github-copilot"]:
        return Answer(200, {"error": "incorrect_client_credentials"})
    if body.get("grant_type") == "refresh_token":
        outcome, answer = rotate(fake, "github-copilot", str(body.get("refresh_token", "")))
        if answer is None:
            return Answer(200, {"error": "bad_refresh_token", "error_description": outcome})
        return Answer(200, answer)
    if body.get("grant_type") != DEVICE_GRANT:
        return Answer(200, {"error": "unsupported_grant_type"})
    device = fake.state.devices.get(str(body.get("device_code", "")))
    if device is None or device.provider != "github-copilot":
        return Answer(200, {"error": "incorrect_device_code"})
    answer = device.next_answer()
    if answer == "ok":
        device.status = "used"
        return Answer(200, mint(fake, "github-copilot", device.account))
    error = {"error": answer, "error_description": answer.replace("_", " ")}
    if answer == "slow_down":
        device.interval += 5
        error["interval"] = device.interval
    return Answer(200, error)  # GitHub answers its device-flow errors with 200


# -- Codex -------------------------------------------------------------------------------------
def codex_usercode(fake: OAuthFake, request: FakeRequest) -> Answer:
    if request.body_style != "json" or request.body.get("client_id") != CLIENT_IDS["codex"]:
        return oauth_error(400, "invalid_request", "a JSON body with the client_id", "codex")
    device = _new_device(fake, "codex", new_token("deviceauth_"), CODEX_INTERVAL)
    answer = {"device_auth_id": device.key, "user_code": device.user_code}
    return Answer(200, {**answer, "interval": str(device.interval)})  # a string, as sent


def codex_poll(fake: OAuthFake, request: FakeRequest) -> Answer:
    body = request.body
    device = fake.state.devices.get(str(body.get("device_auth_id", "")))
    if request.body_style != "json" or device is None or device.user_code != body.get("user_code"):
        return oauth_error(400, "invalid_request", "unknown device authorization", "codex")
    answer = device.next_answer()
    if answer == "authorization_pending":
        return oauth_error(403, "deviceauth_authorization_pending", "not yet approved", "codex")
    if answer == "not_found":
        return oauth_error(404, "deviceauth_not_found", "not yet approved", "codex")
    if answer != "ok":
        status = 429 if answer == "slow_down" else 400
        return oauth_error(status, answer, answer.replace("_", " "), "codex")
    device.status = "used"
    verifier = secrets.token_urlsafe(48)[:64]
    code = new_token("ac_")
    redirect = f"{fake.base}/codex/deviceauth/callback"
    fake.state.codes[code] = IssuedCode("codex", redirect, s256(verifier), "", device.account)
    return Answer(
        200,
        {"authorization_code": code, "code_verifier": verifier, "code_challenge": s256(verifier)},
    )


# -- AWS SSO-OIDC (Kiro) ---------------------------------------------------------------------
def aws_error(fake: OAuthFake, error: str, status: int = 400) -> Answer:
    name = AWS_ERRORS[error]
    if fake.aws_error_style == "type":
        return Answer(status, {"__type": name, "message": error.replace("_", " ")})
    body = {"error": error, "error_description": error.replace("_", " ")}
    return Answer(status, body, {"x-amzn-ErrorType": f"{name}:http://internal.amazon.com/"})


def aws_register(fake: OAuthFake, request: FakeRequest) -> Answer:
    body = request.body
    grants = body.get("grantTypes") or []
    if (
        request.body_style != "json"
        or body.get("clientType") != "public"
        or not body.get("clientName")
        or DEVICE_GRANT not in grants
    ):
        return aws_error(fake, "invalid_request")
    client_id, secret = new_token("cid-"), new_token("csec-")
    fake.state.aws_clients[client_id] = (secret, request.region)
    now = int(fake.clock())
    return Answer(
        200,
        {
            "clientId": client_id,
            "clientSecret": secret,
            "clientIdIssuedAt": now,
            "clientSecretExpiresAt": now + 90 * 86400,
        },
    )


def _aws_client_ok(fake: OAuthFake, request: FakeRequest) -> bool:
    registered = fake.state.aws_clients.get(str(request.body.get("clientId", "")))
    return registered == (request.body.get("clientSecret"), request.region)


def aws_device(fake: OAuthFake, request: FakeRequest) -> Answer:
    if request.body_style != "json" or not _aws_client_ok(fake, request):
        return aws_error(fake, "invalid_client", 401)
    if not request.body.get("startUrl"):
        return aws_error(fake, "invalid_request")
    device = _new_device(
        fake,
        "kiro",
        new_token("dc-"),
        AWS_INTERVAL,
        client_id=str(request.body["clientId"]),
        region=request.region,
    )
    page = f"{fake.base}/kiro/start/#/device"
    return Answer(
        200,
        {
            "deviceCode": device.key,
            "userCode": device.user_code,
            "verificationUri": page,
            "verificationUriComplete": f"{page}?user_code={device.user_code}",
            "expiresIn": 600,
            "interval": device.interval,
        },
    )


def aws_token(fake: OAuthFake, request: FakeRequest) -> Answer:
    body = request.body
    if request.body_style != "json" or not _aws_client_ok(fake, request):
        return aws_error(fake, "invalid_client", 401)
    if body.get("grantType") == "refresh_token":
        _outcome, answer = rotate(fake, "kiro", str(body.get("refreshToken", "")))
        return Answer(200, answer) if answer else aws_error(fake, "invalid_grant")
    if body.get("grantType") != DEVICE_GRANT:
        return aws_error(fake, "invalid_request")
    device = fake.state.devices.get(str(body.get("deviceCode", "")))
    if device is None or device.client_id != body.get("clientId"):
        return aws_error(fake, "invalid_grant")
    answer = device.next_answer()
    if answer != "ok":
        return aws_error(fake, answer)
    device.status = "used"
    return Answer(200, mint(fake, "kiro", device.account))
