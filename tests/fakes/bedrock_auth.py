"""What the Bedrock fake checks before anything else: the caller's credentials, as AWS does.

A SigV4 request (`Authorization: AWS4-HMAC-SHA256 Credential=AKID/date/region/service/
aws4_request, SignedHeaders=…, Signature=…`) is verified by recomputing its signature with
botocore from the secret the fake holds for that access key, over the method, the path as
received, the signed headers and the body; a temporary credential's X-Amz-Security-Token must
match. An Amazon Bedrock API key comes as `Authorization: Bearer <key>`. A refusal is
(status, x-amzn-ErrorType, body) in Bedrock's shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check "
    "your AWS Secret Access Key and signing method. Consult the service documentation for "
    "details."
)
BAD_TOKEN = "The security token included in the request is invalid."
MISSING_AUTH = "Missing Authentication Token"
_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), "
    r"Signature=(?P<signature>[0-9a-f]{64})"
)
Refusal = tuple[int, str, dict]


def _refusal(status: int, kind: str, message: str) -> Refusal:
    return status, kind, {"message": message}


@dataclass
class AwsKey:
    secret: str
    session_token: str | None = None


@dataclass
class BedrockAuth:
    """The credentials the fake accepts, for one region."""

    region: str
    keys: dict[str, AwsKey] = field(default_factory=dict)
    api_keys: set[str] = field(default_factory=set)
    service: str = "bedrock"

    def refusal(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> Refusal | None:
        authorization = headers.get("authorization", "")
        if authorization.startswith("Bearer "):
            if authorization[7:] in self.api_keys:
                return None
            return _refusal(403, "UnrecognizedClientException", BAD_TOKEN)
        match = _AUTHORIZATION.fullmatch(authorization)
        if match is None:
            return _refusal(403, "MissingAuthenticationTokenException", MISSING_AUTH)
        key = self.keys.get(match["key"])
        if key is None:
            return _refusal(403, "UnrecognizedClientException", BAD_TOKEN)
        if (
            key.session_token is not None
            and headers.get("x-amz-security-token") != key.session_token
        ):
            return _refusal(403, "UnrecognizedClientException", BAD_TOKEN)
        scope_ok = (match["region"], match["service"]) == (self.region, self.service)
        date = headers.get("x-amz-date", "")
        signed = match["signed"].split(";")
        if (
            not scope_ok
            or not date.startswith(match["date"])
            or not {"host", "x-amz-date"} <= set(signed)
        ):
            return _refusal(403, "InvalidSignatureException", SIGNATURE_MISMATCH)
        if any(name not in headers for name in signed):
            return _refusal(403, "InvalidSignatureException", SIGNATURE_MISMATCH)
        wanted = self._signature(
            method, path, {n: headers[n] for n in signed}, body, match["key"], key, date
        )
        if wanted != match["signature"]:
            return _refusal(403, "InvalidSignatureException", SIGNATURE_MISMATCH)
        return None

    def _signature(
        self,
        method: str,
        path: str,
        signed: dict[str, str],
        body: bytes,
        key_id: str,
        key: AwsKey,
        date: str,
    ) -> str:
        request = AWSRequest(
            method=method, url=f"http://{signed['host']}{path}", data=body, headers=signed
        )
        request.context["timestamp"] = date
        auth = SigV4Auth(
            Credentials(key_id, key.secret, key.session_token), self.service, self.region
        )
        string_to_sign = auth.string_to_sign(request, auth.canonical_request(request))
        return auth.signature(string_to_sign, request)
