"""A strict fake OAuth and device-code server on 127.0.0.1 for the subscription providers.

One ThreadingHTTPServer speaks, under a path prefix per provider, what each real sign-in server
does (written from the providers' flows as peers use them, never from the gateway's code):

    claude-code     /claude/oauth/authorize, hosted "copy this code" page, JSON token endpoint
                    (state in the body), rotating single-use refresh tokens (reuse: invalid_grant)
    codex           /codex/oauth/authorize (only its one loopback redirect), form token endpoint
                    (reuse: refresh_token_reused), deviceauth usercode/token (403/404 pending)
    github-copilot  RFC 8628 device code (200 + error while pending), /user, the Copilot token
                    exchange (copilot_internal/v2/token)
    kiro            AWS SSO-OIDC under /kiro/{region}/: client/register, device_authorization,
                    token (camelCase JSON; `…Exception` errors)
    gemini-cli      Google authorize/token (form; refresh tokens do not rotate)
and each provider's usage endpoint (oauth_usage.py: Claude, Codex, Copilot, Kiro).

`overrides(data_dir)` writes DATA_DIR/oauth-providers.json pointing every URL of every
declaration at this server. Knobs: `accounts` (who signs in), `deny_authorize`, `approve` /
`deny` / `expire` / `script_device` for device codes, `revoke`, `fail_token` (429/503 n times,
with Retry-After), `issue_tokens` (a valid token set without a sign-in), `usage` (the percent
used each usage endpoint reports), `copilot_plan`, `fail_usage`, `clock`. Every request is
recorded (`requests`) and counted per endpoint (`count("codex.token")`).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.fakes import oauth_devices as devices
from tests.fakes import oauth_tokens as tokens
from tests.fakes import oauth_usage
from tests.fakes.oauth_tokens import Answer, FakeRequest
from tests.fakes.threaded_server import ThreadedFakeServer

OVERRIDES_FILE = "oauth-providers.json"
DEFAULT_ACCOUNTS = {
    "claude-code": "claude-user@example.com",
    "codex": "codex-user@example.com",
    "github-copilot": "octocat",
    "kiro": "",
    "gemini-cli": "gemini-user@example.com",
}
REGION = r"(?P<region>[a-z]{2}-[a-z]+-\d{1,2})"
Handler = Callable[["OAuthFake", FakeRequest], Answer]
ROUTE_TABLE: list[tuple[str, str, str, Handler]] = [  # method, endpoint name, path, handler
    ("GET", "claude-code.authorize", "/claude/oauth/authorize", tokens.authorize),
    ("GET", "claude-code.hosted_page", "/claude/oauth/code/callback", tokens.hosted_page),
    ("POST", "claude-code.token", "/claude/v1/oauth/token", tokens.token),
    ("GET", "codex.authorize", "/codex/oauth/authorize", tokens.authorize),
    ("POST", "codex.token", "/codex/oauth/token", tokens.token),
    (
        "POST",
        "codex.device_code",
        "/codex/api/accounts/deviceauth/usercode",
        devices.codex_usercode,
    ),
    ("POST", "codex.device_token", "/codex/api/accounts/deviceauth/token", devices.codex_poll),
    ("POST", "github-copilot.device_code", "/github/login/device/code", devices.github_device_code),
    ("POST", "github-copilot.token", "/github/login/oauth/access_token", devices.github_token),
    ("GET", "github-copilot.user", "/github/user", tokens.github_user),
    (
        "GET",
        "github-copilot.copilot_token",
        "/github/copilot_internal/v2/token",
        tokens.copilot_token,
    ),
    ("POST", "kiro.register", f"/kiro/{REGION}/client/register", devices.aws_register),
    (
        "POST",
        "kiro.device_authorization",
        f"/kiro/{REGION}/device_authorization",
        devices.aws_device,
    ),
    ("POST", "kiro.token", f"/kiro/{REGION}/token", devices.aws_token),
    ("GET", "gemini-cli.authorize", "/google/o/oauth2/v2/auth", tokens.authorize),
    ("GET", "gemini-cli.hosted_page", "/google/authcode", tokens.hosted_page),
    ("POST", "gemini-cli.token", "/google/token", tokens.token),
    ("GET", "claude-code.usage", "/claude/api/oauth/usage", oauth_usage.claude_usage),
    ("GET", "codex.usage", "/codex/backend-api/wham/usage", oauth_usage.codex_usage),
    ("GET", "github-copilot.usage", "/github/copilot_internal/user", oauth_usage.copilot_usage),
    ("POST", "kiro.usage", f"/kiro/{REGION}/usage", oauth_usage.kiro_usage),
]
ROUTES = [(method, name, re.compile(path), handler) for method, name, path, handler in ROUTE_TABLE]
TOKEN_ENDPOINTS = {name for _m, name, _p, _h in ROUTES if name.endswith("token")}


@dataclass
class Fault:
    status: int
    times: int
    endpoint: str | None  # None: every token endpoint
    retry_after: float | None


@dataclass
class OAuthFake(ThreadedFakeServer):
    clock: Callable[[], float] = time.time
    accounts: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ACCOUNTS))
    access_lifetime: float = 3600.0
    copilot_lifetime: float = 1800.0
    copilot_api: str = "http://127.0.0.1:9/copilot-api"  # what the Copilot exchange names
    github_expiring_tokens: bool = False  # GitHub App user tokens with a refresh token
    aws_error_style: str = "error"  # "error": {"error": "authorization_pending"}; "type": __type
    deny_authorize: bool = False  # the user refuses on the consent page
    codex_port: int = 0  # the one loopback port the Codex client accepts (free port by default)
    usage: dict[str, dict[str, float]] = field(default_factory=oauth_usage.default_usage)
    copilot_plan: str = "paid"  # or "free": the usage endpoint's other shape
    requests: list[FakeRequest] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    faults: list[Fault] = field(default_factory=list)
    state: tokens.IssuedState = field(default_factory=tokens.IssuedState)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.codex_port = self.codex_port or free_port()

    @property
    def url(self) -> str:
        return self.base

    @property
    def codex_redirect(self) -> str:
        return f"http://localhost:{self.codex_port}/auth/callback"

    # -- what tests point the gateway at --------------------------------------------------
    def provider_overrides(self) -> dict[str, dict[str, Any]]:
        """oauth-providers.json pointing every declared URL at this server."""
        base = self.base
        return {
            "claude-code": {
                "authorize_url": f"{base}/claude/oauth/authorize",
                "token_url": f"{base}/claude/v1/oauth/token",
                "redirect_uri": f"{base}/claude/oauth/code/callback",
                "endpoints": {
                    "usage": f"{base}/claude/api/oauth/usage",
                    "profile": f"{base}/claude/api/oauth/profile",
                },
            },
            "codex": {
                "authorize_url": f"{base}/codex/oauth/authorize",
                "token_url": f"{base}/codex/oauth/token",
                "device_code_url": f"{base}/codex/api/accounts/deviceauth/usercode",
                "device_token_url": f"{base}/codex/api/accounts/deviceauth/token",
                "verification_url": f"{base}/codex/codex/device",
                "loopback_redirect": self.codex_redirect,
                "endpoints": {
                    "device_redirect": f"{base}/codex/deviceauth/callback",
                    "usage": f"{base}/codex/backend-api/wham/usage",
                },
            },
            "github-copilot": {
                "token_url": f"{base}/github/login/oauth/access_token",
                "device_code_url": f"{base}/github/login/device/code",
                "verification_url": f"{base}/github/login/device",
                "endpoints": {
                    "copilot_token": f"{base}/github/copilot_internal/v2/token",
                    "usage": f"{base}/github/copilot_internal/user",
                    "user": f"{base}/github/user",
                },
            },
            "kiro": {
                "device_code_url": f"{base}/kiro/{{region}}/device_authorization",
                "device_token_url": f"{base}/kiro/{{region}}/token",
                "token_url": f"{base}/kiro/{{region}}/token",
                "verification_url": f"{base}/kiro/start/#/device",
                "endpoints": {
                    "register": f"{base}/kiro/{{region}}/client/register",
                    "start_url": f"{base}/kiro/start",
                    "usage": f"{base}/kiro/{{region}}/usage",
                },
            },
            "gemini-cli": {
                "authorize_url": f"{base}/google/o/oauth2/v2/auth",
                "token_url": f"{base}/google/token",
                "redirect_uri": f"{base}/google/authcode",
            },
        }

    def overrides(self, data_dir: str | Path) -> Path:
        """Write DATA_DIR/oauth-providers.json for every provider; its path."""
        path = Path(data_dir) / OVERRIDES_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.provider_overrides(), indent=2), encoding="utf-8")
        return path

    # -- knobs -------------------------------------------------------------------------------
    def fail_token(
        self,
        status: int,
        times: int = 1,
        endpoint: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Answer `status` (429, 503, …) the next `times` calls of a token endpoint."""
        with self._lock:
            self.faults.append(Fault(status, times, endpoint, retry_after))

    def fail_usage(
        self, provider: str, status: int, times: int = 1, retry_after: float | None = None
    ) -> None:
        """Answer `status` (429 with Retry-After, 503, …) the provider's usage endpoint's next
        `times` calls."""
        self.fail_token(status, times, f"{provider}.usage", retry_after)

    def revoke(self, token: str) -> None:
        """Revoke a refresh token (or a GitHub user token): its next use is refused."""
        with self._lock:
            self.state.revoked.add(token)

    def approve(self, user_code: str) -> None:
        """The user entered the code and allowed the sign-in."""
        self._set_device(user_code, "approved")

    def deny(self, user_code: str) -> None:
        self._set_device(user_code, "denied")

    def expire(self, user_code: str) -> None:
        self._set_device(user_code, "expired")

    def script_device(self, user_code: str, *answers: str) -> None:
        """Answers given before the device's status: authorization_pending, slow_down, …"""
        with self._lock:
            self.state.device_by_user_code(user_code).script.extend(answers)

    def _set_device(self, user_code: str, status: str) -> None:
        with self._lock:
            self.state.device_by_user_code(user_code).status = status

    def issue_tokens(self, provider: str, account: str | None = None) -> dict[str, Any]:
        """A valid token answer for `provider`, as its token endpoint would give after a
        sign-in (the refresh token is live and single use)."""
        with self._lock:
            return tokens.mint(self, provider, self.account_of(provider, account))

    def count(self, endpoint: str) -> int:
        """How many requests reached an endpoint (e.g. "claude-code.token")."""
        with self._lock:
            return self.calls[endpoint]

    def account_of(self, provider: str, account: str | None = None) -> str:
        return self.accounts.get(provider, "") if account is None else account

    # -- used by the endpoint handlers ------------------------------------------------------
    def take_fault(self, endpoint: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                applies = fault.endpoint == endpoint or (
                    fault.endpoint is None and endpoint in TOKEN_ENDPOINTS
                )
                if applies and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def dispatch(self, method: str, raw_path: str, headers: dict[str, str], raw: bytes) -> Answer:
        parts = urlsplit(raw_path)
        for route_method, endpoint, pattern, handler in ROUTES:
            match = pattern.fullmatch(parts.path)
            if match and route_method == method:
                request = FakeRequest.read(endpoint, method, raw_path, headers, raw, match)
                with self._lock:
                    self.requests.append(request)
                    self.calls[endpoint] += 1
                fault = self.take_fault(endpoint)
                if fault is not None:
                    return tokens.fault_answer(fault.status, fault.retry_after)
                with self._lock:
                    return handler(self, request)
        return Answer(404, {"error": "not_found", "error_description": f"no route {parts.path}"})


class OAuthHandler(BaseHTTPRequestHandler):
    fake: OAuthFake
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def _answer(self, method: str) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        answer = self.fake.dispatch(method, self.path, headers, raw)
        if isinstance(answer.body, str):
            data, content_type = answer.body.encode(), "text/html; charset=utf-8"
        else:
            data, content_type = json.dumps(answer.body).encode(), "application/json"
        self.send_response(answer.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


OAuthFake.handler_class = OAuthHandler
