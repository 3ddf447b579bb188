"""Cloudflare Workers AI: the account id in the path, an API token as Bearer.

POST https://api.cloudflare.com/client/v4/accounts/{accountId}/ai/v1/chat/completions (and
/embeddings) with `Authorization: Bearer <API token>`, model ids such as
`@cf/meta/llama-3.1-8b-instruct` (developers.cloudflare.com/workers-ai/configuration/
open-ai-compatibility). The connection's option is `accountId`; its own base URL replaces the
API root `https://api.cloudflare.com/client/v4`. Sync models reads the account's models from
Cloudflare's Model Search, GET {root}/accounts/{accountId}/ai/models/search, every entry's
`name` being the model id (developers.cloudflare.com/api/resources/ai/subresources/models/
methods/list), asked for LIST_PAGE models in one page. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .cloud import (
    CloudCall,
    CloudPlatform,
    CloudRequest,
    known_keys,
    required,
    text_option,
    without_credentials,
)

API_ROOT = "https://api.cloudflare.com/client/v4"
OPTION_KEYS = ("accountId",)
ACCOUNT_ID = re.compile(r"[0-9a-f]{32}")
ACCOUNT_RULE = "must be the Cloudflare account id (32 hexadecimal characters)"
CREDENTIAL_HEADERS = frozenset({"authorization"})
LIST_PAGE = 1000  # Workers AI has about a hundred models


def check_options(options: Mapping[str, Any], base_url: str | None) -> dict[str, Any]:
    known_keys(options, OPTION_KEYS)
    account = text_option(options, "accountId", ACCOUNT_ID, ACCOUNT_RULE)
    return {"accountId": required(account, "accountId", ACCOUNT_RULE)}


def shape(request: CloudRequest) -> CloudCall:
    url = f"{_account_root(request)}/ai/v1{request.path}"
    if request.query:
        url += f"?{request.query}"
    return CloudCall(url, _bearer_headers(request), request.model)


def model_list(request: CloudRequest) -> CloudCall:
    """The Model Search GET (see the module docstring)."""
    url = f"{_account_root(request)}/ai/models/search?per_page={LIST_PAGE}"
    return CloudCall(url, _bearer_headers(request), request.model)


def _account_root(request: CloudRequest) -> str:
    root = (request.base_url or API_ROOT).rstrip("/")
    return f"{root}/accounts/{request.options['accountId']}"


def _bearer_headers(request: CloudRequest) -> dict[str, str]:
    headers = without_credentials(request.headers, CREDENTIAL_HEADERS)
    headers["Authorization"] = f"Bearer {request.secret}"
    return headers


CLOUDFLARE = CloudPlatform(check_options=check_options, shape=shape, model_list=model_list)
