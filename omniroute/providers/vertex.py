"""Google Vertex AI: a service account's OAuth2 access token, a project and a region.

The connection's secret is the service account's JSON key (type `service_account`,
`client_email`, `private_key`, `token_uri`); its options are `projectId` and `location`
(a region such as `us-central1`, or `global`). Calls go to Vertex's OpenAI-compatible endpoint:

    POST https://{location}-aiplatform.googleapis.com/v1/projects/{projectId}/locations/
         {location}/endpoints/openapi/chat/completions      (global: aiplatform.googleapis.com)

with `Authorization: Bearer <access token>` and model ids such as `google/gemini-2.5-flash`
(cloud.google.com/vertex-ai/generative-ai/docs/migrate/openai/overview). A connection's own
base URL replaces the service endpoint (`https://{host}`), e.g. for a private endpoint.

Sync models reads Google's models in the Model Garden, publishers.models.list: GET
https://{host}/v1beta1/publishers/google/models (cloud.google.com/vertex-ai/docs/reference/rest/
v1beta1/publishers.models/list), one page of LIST_PAGE; it answers `publisherModels` named
`publishers/google/models/{model}`, routed as `google/{model}` (providers/model_lists.py).

The token comes from google-auth (service_account.Credentials with the cloud-platform scope):
it signs the JWT assertion with the key and exchanges it at the JSON's `token_uri`. Tokens are
cached per account and key, and renewed REFRESH_MARGIN seconds before they expire; the
refresh is the only I/O here.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Hashable, Mapping
from datetime import UTC
from typing import TYPE_CHECKING, Any

from .cloud import (
    CloudAuthError,
    CloudCall,
    CloudPlatform,
    CloudRequest,
    OptionError,
    known_keys,
    required,
    text_option,
    without_credentials,
)

if TYPE_CHECKING:
    import requests
    from google.oauth2.service_account import Credentials as ServiceAccountCredentials

SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
OPTION_KEYS = ("projectId", "location")
PROJECT_ID = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]")
PROJECT_RULE = "must be a Google Cloud project id (6–30 lowercase letters, digits and '-')"
LOCATION = re.compile(r"global|[a-z]+(-[a-z0-9]+)+")
LOCATION_RULE = "must be a Vertex AI region such as us-central1, europe-west4, or global"
GLOBAL = "global"
SECRET_FIELDS = ("client_email", "private_key", "token_uri")
REFRESH_MARGIN = 300.0  # seconds before expiry a token is renewed
CREDENTIAL_HEADERS = frozenset({"authorization", "x-goog-api-key"})
TOKEN_TIMEOUT = 15.0
LABEL_LIMIT = 200  # a connection's account label
LIST_PATH = "/v1beta1/publishers/google/models"
LIST_PAGE = 1000


def check_options(options: Mapping[str, Any], base_url: str | None) -> dict[str, Any]:
    known_keys(options, OPTION_KEYS)
    project = text_option(options, "projectId", PROJECT_ID, PROJECT_RULE)
    location = text_option(options, "location", LOCATION, LOCATION_RULE, default=GLOBAL)
    return {"projectId": required(project, "projectId", PROJECT_RULE), "location": location}


def check_secret(secret: str) -> str:
    """The service-account JSON, checked: a key google-auth can sign with."""
    try:
        info = json.loads(secret)
    except ValueError:
        raise OptionError("apiKey", "must be the service account's JSON key") from None
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise OptionError(
            "apiKey", 'must be a service account\'s JSON key ("type": "service_account")'
        )
    for name in SECRET_FIELDS:
        if not isinstance(info.get(name), str) or not info[name].strip():
            raise OptionError("apiKey", f"the service account's JSON has no {name}")
    # google-auth costs ~0.1 s to import: loaded by the first Vertex key or call only
    from google.auth.exceptions import GoogleAuthError
    from google.oauth2 import service_account

    try:
        service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
    except (ValueError, GoogleAuthError):
        raise OptionError("apiKey", "the service account's private_key cannot be read") from None
    return json.dumps(info, separators=(",", ":"))


def client_email_label(secret: str) -> str | None:
    """The checked key's service account, its project masked: `name@…iam.gserviceaccount.com`."""
    try:
        email = json.loads(secret).get("client_email")
    except (ValueError, AttributeError):
        return None
    if not isinstance(email, str) or "@" not in email:
        return None
    name, _, domain = email.partition("@")
    _, dot, service = domain.partition(".")
    return f"{name}@…{service if dot else ''}"[:LABEL_LIMIT]


def service_endpoint(location: str) -> str:
    host = (
        "aiplatform.googleapis.com"
        if location == GLOBAL
        else f"{location}-aiplatform.googleapis.com"
    )
    return f"https://{host}"


class ServiceAccountTokens:
    """Access tokens of service accounts: one set of credentials per account (a new key
    replaces the old one's), renewed before expiry. `clock` gives unix seconds."""

    def __init__(self, clock: Callable[[], float] = time.time, margin: float = REFRESH_MARGIN):
        self.clock = clock
        self.margin = margin
        self._credentials: dict[Hashable, tuple[str, ServiceAccountCredentials]] = {}
        self._lock = threading.Lock()
        self._session: requests.Session | None = None  # made by the first renewal

    def token(self, account: Hashable, secret: str) -> str:
        digest = hashlib.sha256(secret.encode("utf-8")).hexdigest()
        with self._lock:  # one refresh at a time; the others wait for its token
            held = self._credentials.get(account)
            if held is None or held[0] != digest:
                from google.oauth2 import service_account  # deferred (see check_secret)

                credentials = service_account.Credentials.from_service_account_info(
                    json.loads(secret), scopes=SCOPES
                )
                held = self._credentials[account] = (digest, credentials)
            credentials = held[1]
            if self._expiring(credentials):
                self._refresh(credentials)
            return str(credentials.token)

    def _expiring(self, credentials: ServiceAccountCredentials) -> bool:
        if not credentials.token or credentials.expiry is None:
            return True
        expires_at = credentials.expiry.replace(tzinfo=UTC).timestamp()
        return self.clock() >= expires_at - self.margin

    def _refresh(self, credentials: ServiceAccountCredentials) -> None:
        from google.auth.exceptions import GoogleAuthError  # deferred (see check_secret)
        from google.auth.transport.requests import Request as GoogleRequest

        if self._session is None:  # under self._lock, as every renewal is
            import requests

            self._session = requests.Session()
            self._session.trust_env = False
        request = GoogleRequest(self._session)
        try:
            credentials.refresh(_with_timeout(request))
        except GoogleAuthError as error:
            raise CloudAuthError(f"the service account's token was refused: {error}") from None


def _with_timeout(request: Callable[..., Any]) -> Callable[..., Any]:
    def send(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", TOKEN_TIMEOUT)
        return request(*args, **kwargs)

    return send


TOKENS = ServiceAccountTokens()


def _root(request: CloudRequest) -> str:
    return (request.base_url or service_endpoint(request.options["location"])).rstrip("/")


def _token_headers(request: CloudRequest, tokens: ServiceAccountTokens | None) -> dict[str, str]:
    headers = without_credentials(request.headers, CREDENTIAL_HEADERS)
    token = (tokens or TOKENS).token(request.account, request.secret)
    headers["Authorization"] = f"Bearer {token}"
    return headers


def shape(request: CloudRequest, tokens: ServiceAccountTokens | None = None) -> CloudCall:
    options = request.options
    location = options["location"]
    base = f"{_root(request)}/v1/projects/{options['projectId']}/locations/{location}"
    url = f"{base}/endpoints/openapi{request.path}" + (f"?{request.query}" if request.query else "")
    return CloudCall(url, _token_headers(request, tokens), request.model)


def model_list(request: CloudRequest, tokens: ServiceAccountTokens | None = None) -> CloudCall:
    """The publisher models GET (see the module docstring)."""
    url = f"{_root(request)}{LIST_PATH}?pageSize={LIST_PAGE}"
    return CloudCall(url, _token_headers(request, tokens), request.model)


VERTEX = CloudPlatform(
    check_options=check_options,
    shape=shape,
    check_secret=check_secret,
    secret_label=client_email_label,
    model_list=model_list,
)
