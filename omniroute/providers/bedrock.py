"""Amazon Bedrock: the Converse API, every call signed with AWS Signature Version 4.

POST https://bedrock-runtime.{region}.amazonaws.com/model/{modelId}/converse (or
/converse-stream, answered in AWS event-stream framing: formats/bedrock_converse). The
connection's secret is either AWS credentials, `ACCESS_KEY_ID:SECRET_ACCESS_KEY` or
`ACCESS_KEY_ID:SECRET_ACCESS_KEY:SESSION_TOKEN` (temporary credentials), with which botocore
signs each call (service "bedrock", the connection's region), or an Amazon Bedrock API key,
sent as `Authorization: Bearer <key>` (docs.aws.amazon.com/bedrock/latest/userguide/
api-keys-use.html). The option is `region` (default us-east-1); the connection's own base URL
(a VPC endpoint, a test fake) replaces the regional endpoint and is what gets signed.

Sync models asks the control plane, not the runtime: ListFoundationModels, GET
https://bedrock.{region}.amazonaws.com/foundation-models, signed the same way (docs.aws.amazon.com/
bedrock/latest/APIReference/API_ListFoundationModels.html); it answers `modelSummaries`. A
connection's own base URL replaces that endpoint too. Pure: no I/O — the signature is computed
here, the call is sent by the proxy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..formats.bedrock_converse.wire import EVENT_STREAM
from .cloud import (
    CloudCall,
    CloudPlatform,
    CloudRequest,
    OptionError,
    known_keys,
    text_option,
    without_credentials,
)

if TYPE_CHECKING:
    from botocore.credentials import Credentials

SERVICE = "bedrock"
DEFAULT_REGION = "us-east-1"
OPTION_KEYS = ("region",)
REGION = re.compile(r"[a-z]{2}(-gov)?-[a-z]+-\d")
REGION_RULE = "must be an AWS region such as us-east-1 or eu-central-1"
ACCESS_KEY_ID = re.compile(r"(AKIA|ASIA)[A-Z0-9]{12,124}")
CREDENTIAL_HEADERS = frozenset({"authorization", "x-amz-date", "x-amz-security-token"})
SECRET_RULE = (
    "must be AWS credentials ACCESS_KEY_ID:SECRET_ACCESS_KEY[:SESSION_TOKEN] "
    "or an Amazon Bedrock API key"
)


LIST_PATH = "/foundation-models"


def endpoint(region: str) -> str:
    return f"https://bedrock-runtime.{region}.amazonaws.com"


def control_endpoint(region: str) -> str:
    return f"https://bedrock.{region}.amazonaws.com"


def check_options(options: Mapping[str, Any], base_url: str | None) -> dict[str, Any]:
    known_keys(options, OPTION_KEYS)
    return {"region": text_option(options, "region", REGION, REGION_RULE, default=DEFAULT_REGION)}


def aws_credentials(secret: str) -> Credentials | None:
    """The AWS credentials a secret holds; None for an Amazon Bedrock API key."""
    pieces = secret.split(":")
    if len(pieces) not in (2, 3) or not ACCESS_KEY_ID.fullmatch(pieces[0]):
        return None
    # botocore costs ~0.2 s and ~15 MB to import: loaded by the first signed Bedrock call only
    from botocore.credentials import Credentials

    return Credentials(pieces[0], pieces[1], pieces[2] if len(pieces) == 3 else None)


def check_secret(secret: str) -> str:
    secret = (secret or "").strip()
    if not secret or any(ch.isspace() for ch in secret):
        raise OptionError("apiKey", SECRET_RULE)
    if ":" in secret and (aws_credentials(secret) is None or "" in secret.split(":")):
        raise OptionError("apiKey", SECRET_RULE)
    return secret


def _region(request: CloudRequest) -> str:
    return request.options.get("region") or DEFAULT_REGION


def shape(request: CloudRequest) -> CloudCall:
    region = _region(request)
    root = (request.base_url or endpoint(region)).rstrip("/")
    url = root + request.path + (f"?{request.query}" if request.query else "")
    headers = without_credentials(request.headers, CREDENTIAL_HEADERS)
    headers["Content-Type"] = "application/json"
    headers["Accept"] = EVENT_STREAM if request.path.endswith("-stream") else "application/json"
    signed = authorized(request.secret, "POST", url, headers, request.body, region)
    return CloudCall(url, signed, request.model)


def model_list(request: CloudRequest) -> CloudCall:
    """ListFoundationModels, signed (see the module docstring)."""
    region = _region(request)
    url = (request.base_url or control_endpoint(region)).rstrip("/") + LIST_PATH
    headers = without_credentials(request.headers, CREDENTIAL_HEADERS | {"content-type"})
    headers["Accept"] = "application/json"
    return CloudCall(
        url, authorized(request.secret, "GET", url, headers, None, region), request.model
    )


def authorized(
    secret: str, method: str, url: str, headers: dict[str, str], body: bytes | None, region: str
) -> dict[str, str]:
    """`headers` with the secret's auth: a Bedrock API key as Bearer, else SigV4."""
    credentials = aws_credentials(secret)
    if credentials is None:
        return {**headers, "Authorization": f"Bearer {secret}"}
    return signed_headers(method, url, headers, body, credentials, region)


def signed_headers(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    credentials: Credentials,
    region: str,
) -> dict[str, str]:
    """`headers` with SigV4's X-Amz-Date, X-Amz-Security-Token (temporary credentials) and
    Authorization, signed by botocore over the method, URL, headers and body."""
    from botocore.auth import SigV4Auth  # deferred with Credentials (see aws_credentials)
    from botocore.awsrequest import AWSRequest

    aws_request = AWSRequest(method=method, url=url, data=body or b"", headers=dict(headers))
    SigV4Auth(credentials, SERVICE, region).add_auth(aws_request)
    return dict(aws_request.headers.items())


BEDROCK = CloudPlatform(
    check_options=check_options, shape=shape, check_secret=check_secret, model_list=model_list
)
