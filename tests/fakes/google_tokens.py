"""A fake Google OAuth2 token endpoint for service accounts, strict like oauth2.googleapis.com.

POST /token with `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`:
the assertion must be an RS256 JWT signed by a service account this fake knows (its public
key, by `client_email` = `iss`, with the JSON's `private_key_id` as `kid`), addressed to Google's
token endpoint (`aud`: GOOGLE_TOKEN_AUDIENCE, as google-auth signs it whatever the JSON's
`token_uri` says), asking for the cloud-platform scope, not expired. The answer is
{"access_token", "expires_in", "token_type": "Bearer"}; a refusal is Google's
{"error": "invalid_grant", "error_description"} with 400.

`service_account_json()` makes a throwaway RSA key and its service-account JSON (token_uri
pointing here); `live(token)` tells the Vertex fake whether a token is one it issued and has
not expired (`expire_all()` ends every token issued so far).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.fakes.threaded_server import ThreadedFakeServer

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@dataclass
class Account:
    email: str
    key_id: str
    public_key: rsa.RSAPublicKey


class TokenRefused(ValueError):
    pass


class _Handler(BaseHTTPRequestHandler):
    fake: GoogleTokenFake

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode())
        try:
            body, status = self.fake.exchange(self.path, form), 200
        except TokenRefused as refused:
            body = {"error": "invalid_grant", "error_description": str(refused)}
            status = 400
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@dataclass
class GoogleTokenFake(ThreadedFakeServer):
    handler_class = _Handler
    expires_in: int = 3600
    accounts: dict[str, Account] = field(default_factory=dict)
    issued: dict[str, float] = field(default_factory=dict)  # token -> unix expiry
    exchanges: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def token_uri(self) -> str:
        return self.base + "/token"

    def service_account_json(self, project: str = "omniroute-test", known: bool = True) -> str:
        """A new service account's JSON key; `known=False`: one this fake has never heard of
        (its tokens are refused)."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        email = f"gateway-{secrets.token_hex(4)}@{project}.iam.gserviceaccount.com"
        key_id = secrets.token_hex(20)
        if known:
            self.accounts[email] = Account(email, key_id, key.public_key())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return json.dumps(
            {
                "type": "service_account",
                "project_id": project,
                "private_key_id": key_id,
                "private_key": pem,
                "client_email": email,
                "client_id": "1234567890",
                "token_uri": self.token_uri,
            }
        )

    def exchange(self, path: str, form: dict[str, list[str]]) -> dict:
        if path != "/token":
            raise TokenRefused(f"no such endpoint {path}")
        if form.get("grant_type") != [JWT_BEARER]:
            raise TokenRefused("grant_type must be the JWT bearer grant")
        claims = self.verified_claims((form.get("assertion") or [""])[0])
        if claims.get("aud") != GOOGLE_TOKEN_AUDIENCE:
            raise TokenRefused("the assertion's aud is not Google's token endpoint")
        if CLOUD_PLATFORM not in str(claims.get("scope", "")).split():
            raise TokenRefused("the assertion does not ask for the cloud-platform scope")
        if not claims.get("exp") or claims["exp"] < time.time():
            raise TokenRefused("the assertion has expired")
        token = "ya29." + secrets.token_urlsafe(24)
        with self._lock:
            self.issued[token] = time.time() + self.expires_in
            self.exchanges += 1
        return {"access_token": token, "expires_in": self.expires_in, "token_type": "Bearer"}

    def verified_claims(self, assertion: str) -> dict:
        try:
            head, payload, signature = assertion.split(".")
            header = json.loads(_b64decode(head))
            claims = json.loads(_b64decode(payload))
        except ValueError:
            raise TokenRefused("the assertion is not a JWT") from None
        account = self.accounts.get(claims.get("iss", ""))
        if header.get("alg") != "RS256" or account is None:
            raise TokenRefused("unknown service account or algorithm")
        if header.get("kid") != account.key_id:
            raise TokenRefused("the key id is not the service account's")
        try:
            account.public_key.verify(
                _b64decode(signature),
                f"{head}.{payload}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature:
            raise TokenRefused("invalid JWT signature") from None
        return claims

    def live(self, token: str) -> bool:
        with self._lock:
            expiry = self.issued.get(token)
        return expiry is not None and expiry > time.time()

    def expire_all(self) -> None:
        with self._lock:
            self.issued = dict.fromkeys(self.issued, 0.0)
