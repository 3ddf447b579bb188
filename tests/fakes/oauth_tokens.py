"""The fake OAuth server's authorization-code side: the authorize endpoint, the hosted "copy this
code" pages, the token endpoints (code exchange with PKCE, rotating refresh tokens), GitHub's
/user and the Copilot token exchange — plus the tokens it mints and remembers.

Handlers take (fake, request) and return an Answer; the fake holds its lock around them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

if TYPE_CHECKING:
    from tests.fakes.oauth_server import OAuthFake

CLIENT_IDS = {  # the providers' public client ids
    "claude-code": "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
    "codex": "app_EMoamEEZ73f0CkXaXp7hrann",
    "github-copilot": "Iv1.b507a08c87ecfe98",
    "gemini-cli": "681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com",
}
LOOPBACK = re.compile(r"http://(localhost|127\.0\.0\.1):\d+/[\w/.-]*")
CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
REQUIRED_SCOPE = {"claude-code": "user:inference", "codex": "offline_access"}
BODY_STYLE = {
    "claude-code": "json",
    "codex": "form",
    "gemini-cli": "form",
    "github-copilot": "form",
}
REUSE_ERROR = {"codex": "refresh_token_reused"}  # others answer invalid_grant
ROTATING = {"claude-code", "codex", "kiro", "github-copilot"}  # Google's do not rotate
PROXY_ENDPOINT = "proxy-ep=proxy.individual.githubcopilot.com"
HOSTED_PATHS = {"claude-code": "/claude/oauth/code/callback", "gemini-cli": "/google/authcode"}


@dataclass
class Answer:
    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeRequest:
    endpoint: str  # e.g. "codex.token"
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    query: dict[str, str]
    body: dict[str, Any]
    body_style: str  # json | form | "" (none) | invalid
    region: str = ""

    @property
    def provider(self) -> str:
        return self.endpoint.split(".", 1)[0]

    @property
    def bearer(self) -> str:
        """The token of `Authorization: Bearer x` or `Authorization: token x`."""
        scheme, _, token = self.headers.get("authorization", "").partition(" ")
        return token.strip() if scheme.lower() in ("bearer", "token") else ""

    @classmethod
    def read(cls, endpoint, method, raw_path, headers, raw: bytes, match) -> FakeRequest:
        content_type = headers.get("content-type", "")
        body: Any = {}
        style = ""
        if raw and "json" in content_type:
            try:
                body, style = json.loads(raw), "json"
            except ValueError:
                style = "invalid"
        elif raw:
            body, style = dict(parse_qsl(raw.decode(), keep_blank_values=True)), "form"
        if not isinstance(body, dict):
            body, style = {}, "invalid"
        parts = urlsplit(raw_path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        region = match.groupdict().get("region") or ""
        return cls(endpoint, method, parts.path, headers, query, body, style, region)


@dataclass
class IssuedCode:
    provider: str
    redirect_uri: str
    challenge: str
    state: str
    account: str
    used: bool = False


@dataclass
class RefreshGrant:
    provider: str
    account: str
    used: bool = False


@dataclass
class DeviceAuth:
    provider: str
    key: str  # device_code / device_auth_id / deviceCode
    user_code: str
    interval: int
    account: str
    client_id: str = ""
    region: str = ""
    status: str = "pending"  # pending | approved | denied | expired | used
    script: list[str] = field(default_factory=list)

    def next_answer(self) -> str:
        """What the next poll gets: a scripted answer, else the status's answer ("ok": tokens)."""
        if self.script:
            return self.script.pop(0)
        return {
            "pending": "authorization_pending",
            "approved": "ok",
            "denied": "access_denied",
            "expired": "expired_token",
        }.get(self.status, "expired_token")


@dataclass
class IssuedState:
    codes: dict[str, IssuedCode] = field(default_factory=dict)
    refresh: dict[str, RefreshGrant] = field(default_factory=dict)
    access: dict[str, tuple[str, str]] = field(default_factory=dict)  # token → (provider, account)
    copilot: dict[str, str] = field(default_factory=dict)  # Copilot token → GitHub user token
    revoked: set[str] = field(default_factory=set)
    devices: dict[str, DeviceAuth] = field(default_factory=dict)
    aws_clients: dict[str, tuple[str, str]] = field(default_factory=dict)  # id → (secret, region)

    def device_by_user_code(self, user_code: str) -> DeviceAuth:
        for device in self.devices.values():
            if device.user_code == user_code:
                return device
        raise KeyError(f"no device code was issued with user code {user_code}")


# -- answers -------------------------------------------------------------------------------
def oauth_error(status: int, code: str, description: str, provider: str = "") -> Answer:
    """A token-endpoint refusal in the provider's shape (OpenAI nests it; RFC 6749 does not)."""
    if provider == "codex":
        error = {"message": description, "type": "invalid_request_error", "code": code}
        return Answer(status, {"error": error})
    return Answer(status, {"error": code, "error_description": description})


def fault_answer(status: int, retry_after: float | None) -> Answer:
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
    code = "rate_limit_exceeded" if status == 429 else "server_error"
    return Answer(status, {"error": code, "error_description": "scripted failure"}, headers)


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def unsigned_jwt(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.{secrets.token_urlsafe(16)}"


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(24)


def chatgpt_account_id(account: str) -> str:
    return "acct-" + hashlib.sha256(account.encode()).hexdigest()[:12]


def mint(fake: OAuthFake, provider: str, account: str, with_refresh: bool = True) -> dict:
    """A token answer in the provider's shape; its tokens are remembered as valid."""
    now = fake.clock()
    lifetime = int(fake.access_lifetime)
    answer: dict[str, Any]
    if provider == "claude-code":
        answer = {
            "token_type": "Bearer",
            "access_token": new_token("sk-ant-oat01-"),
            "refresh_token": new_token("sk-ant-ort01-"),
            "expires_in": lifetime,
            "scope": "user:inference user:profile",
            "account": {"uuid": secrets.token_hex(8), "email_address": account},
            "organization": {"uuid": secrets.token_hex(8), "name": "Fake Org"},
        }
    elif provider == "codex":
        auth = {"chatgpt_account_id": chatgpt_account_id(account), "chatgpt_plan_type": "plus"}
        claims = {"exp": int(now) + lifetime, "https://api.openai.com/auth": auth}
        answer = {
            "access_token": unsigned_jwt({**claims, "jti": secrets.token_hex(8)}),
            "refresh_token": new_token("rt_"),
            "id_token": unsigned_jwt({**claims, "email": account}),
            "token_type": "Bearer",
            "expires_in": lifetime,
        }
    elif provider == "github-copilot":
        answer = {"access_token": new_token("ghu_"), "token_type": "bearer", "scope": "read:user"}
        if fake.github_expiring_tokens:
            answer.update(refresh_token=new_token("ghr_"), expires_in=lifetime)
    elif provider == "kiro":
        answer = {
            "accessToken": new_token("aoa"),
            "refreshToken": new_token("aor"),
            "expiresIn": lifetime,
            "tokenType": "Bearer",
        }
    else:  # gemini-cli: Google
        answer = {
            "access_token": new_token("ya29."),
            "refresh_token": new_token("1//"),
            "expires_in": lifetime,
            "token_type": "Bearer",
            "scope": "https://www.googleapis.com/auth/cloud-platform",
            "id_token": unsigned_jwt({"email": account, "exp": int(now) + lifetime}),
        }
    if not with_refresh:
        answer.pop("refresh_token", None)
    access = answer.get("access_token") or answer["accessToken"]
    fake.state.access[access] = (provider, account)
    refresh = answer.get("refresh_token") or answer.get("refreshToken")
    if refresh:
        fake.state.refresh[refresh] = RefreshGrant(provider, account)
    return answer


def rotate(fake: OAuthFake, provider: str, refresh_token: str) -> tuple[str, dict | None]:
    """Spend a refresh token: ("ok", answer) or (unknown | revoked | reused, None)."""
    grant = fake.state.refresh.get(refresh_token)
    if grant is None or grant.provider != provider:
        return "unknown", None
    if refresh_token in fake.state.revoked:
        return "revoked", None
    rotating = provider in ROTATING
    if rotating and grant.used:
        return "reused", None
    grant.used = rotating
    return "ok", mint(fake, provider, grant.account, with_refresh=rotating)


# -- authorize and the hosted pages --------------------------------------------------------
def authorize(fake: OAuthFake, request: FakeRequest) -> Answer:
    provider, query = request.provider, request.query
    problem = _authorize_problem(fake, provider, query)
    if problem:  # RFC 6749 §4.1.2.1: never redirect with a bad client or redirect URI
        return Answer(400, f"<h1>Invalid authorization request</h1><p>{problem}</p>")
    redirect = query["redirect_uri"]
    if fake.deny_authorize:
        answer = {"error": "access_denied", "state": query["state"]}
        return Answer(302, "", {"Location": f"{redirect}?{urlencode(answer)}"})
    code = new_token("ac_")
    fake.state.codes[code] = IssuedCode(
        provider, redirect, query["code_challenge"], query["state"], fake.account_of(provider)
    )
    location = f"{redirect}?{urlencode({'code': code, 'state': query['state']})}"
    return Answer(302, "", {"Location": location})


def _authorize_problem(fake: OAuthFake, provider: str, query: dict[str, str]) -> str:
    if query.get("client_id") != CLIENT_IDS[provider]:
        return "unknown client_id"
    if not _redirect_allowed(fake, provider, query.get("redirect_uri", "")):
        return "redirect_uri is not registered for this client"
    if query.get("response_type") != "code":
        return "response_type must be code"
    if query.get("code_challenge_method") != "S256":
        return "code_challenge_method must be S256"
    if not CHALLENGE.fullmatch(query.get("code_challenge", "")):
        return "code_challenge is missing or not an S256 challenge"
    if not query.get("state"):
        return "state is required"
    scopes = query.get("scope", "").split()
    if not scopes or REQUIRED_SCOPE.get(provider, scopes[0]) not in scopes:
        return "scope is missing a required value"
    if query["redirect_uri"].endswith(HOSTED_PATHS["claude-code"]) and query.get("code") != "true":
        return "the hosted code page needs code=true"
    return ""


def _redirect_allowed(fake: OAuthFake, provider: str, redirect: str) -> bool:
    if provider == "codex":
        return redirect == fake.codex_redirect  # the only redirect its client registers
    hosted = fake.base + HOSTED_PATHS[provider]
    return redirect == hosted or bool(LOOPBACK.fullmatch(redirect))


def hosted_page(fake: OAuthFake, request: FakeRequest) -> Answer:
    """Claude shows `code#state` to copy; Google's authcode page shows the code alone."""
    code, state = request.query.get("code", ""), request.query.get("state", "")
    shown = f"{code}#{state}" if request.provider == "claude-code" else code
    return Answer(
        200, f'<p>Paste this code into your application:</p><code id="code">{shown}</code>'
    )


# -- token endpoints -----------------------------------------------------------------------
def token(fake: OAuthFake, request: FakeRequest) -> Answer:
    provider, body = request.provider, request.body
    style = BODY_STYLE[provider]
    if request.body_style != style:
        return oauth_error(400, "invalid_request", f"the body must be {style}", provider)
    grant_type = body.get("grant_type")
    if grant_type == "authorization_code":
        return exchange(fake, request)
    if grant_type == "refresh_token":
        return refresh(fake, request)
    return oauth_error(400, "unsupported_grant_type", f"grant_type {grant_type!r}", provider)


def exchange(fake: OAuthFake, request: FakeRequest) -> Answer:
    provider, body = request.provider, request.body
    issued = fake.state.codes.get(str(body.get("code", "")))
    if body.get("client_id") != CLIENT_IDS[provider]:
        return oauth_error(401, "invalid_client", "unknown client_id", provider)
    if issued is None or issued.used or issued.provider != provider:
        return oauth_error(400, "invalid_grant", "unknown or used authorization code", provider)
    if body.get("redirect_uri") != issued.redirect_uri:
        return oauth_error(400, "invalid_grant", "redirect_uri does not match", provider)
    if s256(str(body.get("code_verifier", ""))) != issued.challenge:
        return oauth_error(400, "invalid_grant", "code_verifier does not match", provider)
    if provider == "claude-code" and body.get("state") != issued.state:
        return oauth_error(400, "invalid_request", "state does not match", provider)
    issued.used = True
    return Answer(200, mint(fake, provider, issued.account))


def refresh(fake: OAuthFake, request: FakeRequest) -> Answer:
    provider, body = request.provider, request.body
    if body.get("client_id") != CLIENT_IDS[provider]:
        return oauth_error(401, "invalid_client", "unknown client_id", provider)
    outcome, answer = rotate(fake, provider, str(body.get("refresh_token", "")))
    if outcome == "reused":
        code = REUSE_ERROR.get(provider, "invalid_grant")
        status = 401 if provider == "codex" else 400
        return oauth_error(status, code, "the refresh token was already used", provider)
    if answer is None:
        return oauth_error(400, "invalid_grant", f"refresh token {outcome}", provider)
    return Answer(200, answer)


# -- GitHub --------------------------------------------------------------------------------
def _github_token(fake: OAuthFake, request: FakeRequest) -> str:
    token = request.bearer
    known = fake.state.access.get(token)
    if not token or known is None or known[0] != "github-copilot" or token in fake.state.revoked:
        return ""
    return token


def github_user(fake: OAuthFake, request: FakeRequest) -> Answer:
    token = _github_token(fake, request)
    if not token:
        return Answer(401, {"message": "Bad credentials"})
    login = fake.state.access[token][1]
    return Answer(200, {"login": login, "id": 1, "email": f"{login}@users.noreply.github.com"})


def copilot_token(fake: OAuthFake, request: FakeRequest) -> Answer:
    user_token = _github_token(fake, request)
    if not user_token:
        return Answer(401, {"message": "Bad credentials"})
    expires_at = int(fake.clock() + fake.copilot_lifetime)
    token = f"tid={secrets.token_hex(8)};exp={expires_at};sku=copilot_individual;{PROXY_ENDPOINT}"
    fake.state.copilot[token] = user_token
    return Answer(
        200,
        {
            "token": token,
            "expires_at": expires_at,
            "refresh_in": int(fake.copilot_lifetime) - 300,
            "endpoints": {"api": fake.copilot_api},
            "sku": "copilot_individual",
        },
    )
