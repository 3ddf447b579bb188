"""Fake token endpoints that exchange a long-lived key for a short-lived bearer token, strict
like the real ones: IBM Cloud IAM (POST /identity/token, form `grant_type=urn:ibm:params:
oauth:grant-type:apikey&apikey=…` → {"access_token", "expires_in", "expiration"}; an unknown
key is IAM's 400 `BXNIM0415E`) and GigaChat's OAuth (POST /api/v2/oauth with `Authorization:
Basic <authorization key>`, a fresh uuid4 in `RqUID` and the form's `scope` → {"access_token",
"expires_at" in milliseconds}; a wrong key is 401, a missing or reused RqUID 400).

Each counts its exchanges and tells the platform fakes whether a token is one it issued and
has not expired (`live`); `expire_all()` ends every token issued so far.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs

from tests.fakes.threaded_server import ThreadedFakeServer

APIKEY_GRANT = "urn:ibm:params:oauth:grant-type:apikey"
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
GIGACHAT_SCOPES = frozenset({"GIGACHAT_API_PERS", "GIGACHAT_API_B2B", "GIGACHAT_API_CORP"})
Answer = tuple[int, dict]


class _Handler(BaseHTTPRequestHandler):
    fake: TokenIssuer

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace")
        form = {key: values[0] for key, values in parse_qs(raw).items()}
        headers = {key.lower(): value for key, value in self.headers.items()}
        status, answer = self.fake.exchange(self.path, headers, form)
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@dataclass
class TokenIssuer(ThreadedFakeServer):
    handler_class = _Handler
    keys: frozenset[str]
    lifetime: int = 3600
    exchanges: int = 0
    _issued: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def exchange(self, path: str, headers: dict[str, str], form: dict[str, str]) -> Answer:
        raise NotImplementedError

    def issue(self) -> tuple[str, float]:
        token, expires_at = secrets.token_urlsafe(24), time.time() + self.lifetime
        with self._lock:
            self.exchanges += 1
            self._issued[token] = expires_at
        return token, expires_at

    def live(self, token: str) -> bool:
        with self._lock:
            return self._issued.get(token, 0.0) > time.time()

    def expire_all(self) -> None:
        with self._lock:
            self._issued = dict.fromkeys(self._issued, 0.0)


@dataclass
class IbmIamFake(TokenIssuer):
    @property
    def url(self) -> str:
        return self.base + "/identity/token"

    def exchange(self, path: str, headers: dict[str, str], form: dict[str, str]) -> Answer:
        if path != "/identity/token":
            return 404, {"errorCode": "BXNIM0100E", "errorMessage": "Not found"}
        if not headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return 400, {"errorCode": "BXNIM0109E", "errorMessage": "Unsupported media type"}
        if form.get("grant_type") != APIKEY_GRANT:
            return 400, {"errorCode": "BXNIM0104E", "errorMessage": "Grant type not supported."}
        if form.get("apikey") not in self.keys:
            return 400, {
                "errorCode": "BXNIM0415E",
                "errorMessage": "Provided API key could not be found.",
            }
        token, expires_at = self.issue()
        return 200, {
            "access_token": token,
            "refresh_token": "not_supported",
            "token_type": "Bearer",
            "expires_in": self.lifetime,
            "expiration": int(expires_at),
            "scope": "ibm openid",
        }


@dataclass
class GigaChatOAuthFake(TokenIssuer):
    scope: str = "GIGACHAT_API_PERS"
    seen_rquids: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        return self.base + "/api/v2/oauth"

    def exchange(self, path: str, headers: dict[str, str], form: dict[str, str]) -> Answer:
        if path != "/api/v2/oauth":
            return 404, {"code": 404, "message": "Not found"}
        rquid = headers.get("rquid", "")
        if not UUID4.fullmatch(rquid) or rquid in self.seen_rquids:
            return 400, {"code": 5, "message": "Invalid RqUID"}
        self.seen_rquids.add(rquid)
        authorization = headers.get("authorization", "")
        if not authorization.startswith("Basic ") or authorization[6:] not in self.keys:
            return 401, {"code": 6, "message": "Credentials doesn't match db data"}
        if form.get("scope") not in GIGACHAT_SCOPES:
            return 400, {"code": 7, "message": "scope is invalid"}
        if form["scope"] != self.scope:
            return 400, {"code": 7, "message": "scope is not available for this client"}
        token, expires_at = self.issue()
        return 200, {"access_token": token, "expires_at": int(expires_at * 1000)}
