"""IBM watsonx.ai: an IBM Cloud API key exchanged at IAM for a bearer token, the region in
the host, the project (or deployment space) in the body.

1. POST https://iam.cloud.ibm.com/identity/token, form `grant_type=urn:ibm:params:oauth:
   grant-type:apikey&apikey=<key>` → {"access_token", "expires_in", "expiration"} (cloud.ibm.com/
   docs/account?topic=account-iamtoken_from_apikey); the token lives an hour and is kept until
   shortly before `expiration` (providers/exchanged_tokens.py).
2. POST https://{region}.ml.cloud.ibm.com/ml/v1/text/chat?version={apiVersion} (streams:
   /ml/v1/text/chat_stream) with `Authorization: Bearer <token>`. The body is OpenAI's chat
   body with `model_id` for `model`, `project_id` (or `space_id`) added, and no `stream` /
   `stream_options` (the endpoint says whether it streams). The answer is OpenAI's shape with
   extra fields (`model_id`, `created_at`, `model_version`, `system.warnings`); a stream's
   events carry `id:` and `event: message` lines and end without `[DONE]` — both read as
   OpenAI's (www.ibm.com/docs/en/watsonx/saas?topic=solutions-chat, "Adding generative chat
   to your apps with the chat API").
3. Sync models: GET /ml/v1/foundation_model_specs?version=…&filters=function_text_chat,
   `{"resources": [{"model_id", "label"}]}`.

Options: `region` (us-south, eu-de, eu-gb, jp-tok, au-syd, ca-tor…; default us-south),
`projectId` or `spaceId` (one is required), `apiVersion` (default DEFAULT_VERSION) and
`iamUrl` (IAM's token endpoint; another for a private or a test IAM). The connection's own base
URL replaces `https://{region}.ml.cloud.ibm.com`. Only chat is reshaped here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ..errors import InvalidRequestError
from .cloud import (
    CloudAuthError,
    CloudCall,
    CloudPlatform,
    CloudRequest,
    OptionError,
    known_keys,
    text_option,
    without_credentials,
)
from .exchanged_tokens import ExchangedTokens, Token, post_form

IAM_URL = "https://iam.cloud.ibm.com/identity/token"
APIKEY_GRANT = "urn:ibm:params:oauth:grant-type:apikey"
DEFAULT_REGION = "us-south"
DEFAULT_VERSION = "2025-02-11"
OPTION_KEYS = ("region", "projectId", "spaceId", "apiVersion", "iamUrl")
REGION = re.compile(r"[a-z]{2}-[a-z]{2,6}")
REGION_RULE = "must be a watsonx.ai region such as us-south, eu-de or jp-tok"
GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
GUID_RULE = "must be the id shown in the project's (or space's) Manage tab: a GUID"
VERSION = re.compile(r"\d{4}-\d{2}-\d{2}")
VERSION_RULE = "must be an API version date such as 2025-02-11"
URL_RULE = "must be an https:// URL (http:// only on this machine)"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
CREDENTIAL_HEADERS = frozenset({"authorization"})
DROPPED_FIELDS = ("model", "stream", "stream_options")
CHAT_PATH = "/chat/completions"
LIST_PATH = "/ml/v1/foundation_model_specs"
LIST_LIMIT = 200

TOKENS = ExchangedTokens()


def check_options(options: Mapping[str, Any], base_url: str | None) -> dict[str, Any]:
    known_keys(options, OPTION_KEYS)
    checked: dict[str, Any] = {
        "region": text_option(options, "region", REGION, REGION_RULE, default=DEFAULT_REGION),
        "apiVersion": text_option(
            options, "apiVersion", VERSION, VERSION_RULE, default=DEFAULT_VERSION
        ),
    }
    project = text_option(options, "projectId", GUID, GUID_RULE)
    space = text_option(options, "spaceId", GUID, GUID_RULE)
    if (project is None) == (space is None):
        raise OptionError("options.projectId", f"give a project id or a space id: {GUID_RULE}")
    checked.update({"projectId": project} if project else {"spaceId": space})
    iam = options.get("iamUrl")
    if iam not in (None, ""):
        checked["iamUrl"] = checked_url(iam, "options.iamUrl")
    return checked


def checked_url(value: Any, field: str) -> str:
    """An endpoint option's URL: https, or http on this machine (a test's or a tunnel's)."""
    parts = urlsplit(value.strip()) if isinstance(value, str) else None
    if parts is None or not parts.hostname:
        raise OptionError(field, URL_RULE)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
        raise OptionError(field, URL_RULE)
    return value.strip()


def _root(request: CloudRequest) -> str:
    region = request.options.get("region") or DEFAULT_REGION
    return (request.base_url or f"https://{region}.ml.cloud.ibm.com").rstrip("/")


def _exchange(iam_url: str, api_key: str) -> Token:
    answer = post_form(
        iam_url,
        {"grant_type": APIKEY_GRANT, "apikey": api_key},
        {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"},
        who="IBM Cloud IAM",
    )
    token, expiration = answer.get("access_token"), answer.get("expiration")
    if not isinstance(token, str) or not token or not isinstance(expiration, int | float):
        raise CloudAuthError("IBM Cloud IAM answered without an access token")
    return Token(token, float(expiration))


def _token_headers(request: CloudRequest, tokens: ExchangedTokens | None) -> dict[str, str]:
    iam_url = request.options.get("iamUrl") or IAM_URL
    token = (tokens or TOKENS).token(
        request.account,
        f"{iam_url}\n{request.secret}",
        lambda: _exchange(iam_url, request.secret),
    )
    headers = without_credentials(request.headers, CREDENTIAL_HEADERS)
    headers["Authorization"] = f"Bearer {token}"
    return headers


def chat_body(body: bytes | None, options: Mapping[str, Any]) -> tuple[bytes, bool]:
    """The text/chat body for OpenAI's chat body, and whether it asks for a stream."""
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise InvalidRequestError("a watsonx.ai chat call needs a JSON object")
    stream = bool(value.get("stream"))
    chat = {"model_id": value.get("model")}
    chat.update({key: item for key, item in value.items() if key not in DROPPED_FIELDS})
    if options.get("projectId"):
        chat["project_id"] = options["projectId"]
    else:
        chat["space_id"] = options["spaceId"]
    return json.dumps(chat, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), stream


def shape(request: CloudRequest, tokens: ExchangedTokens | None = None) -> CloudCall:
    if request.path != CHAT_PATH:
        raise InvalidRequestError(
            "watsonx.ai connections answer chat completions only", param="model"
        )
    body, stream = chat_body(request.body, request.options)
    endpoint = "chat_stream" if stream else "chat"
    url = f"{_root(request)}/ml/v1/text/{endpoint}?version={request.options['apiVersion']}"
    return CloudCall(url, _token_headers(request, tokens), request.model, body)


def model_list(request: CloudRequest, tokens: ExchangedTokens | None = None) -> CloudCall:
    """The chat models' specs (see the module docstring)."""
    query = f"version={request.options['apiVersion']}&filters=function_text_chat"
    url = f"{_root(request)}{LIST_PATH}?{query}&limit={LIST_LIMIT}"
    return CloudCall(url, _token_headers(request, tokens), request.model)


WATSONX = CloudPlatform(check_options=check_options, shape=shape, model_list=model_list)
