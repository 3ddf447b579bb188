"""Snowflake Cortex: the account in the host, a programmatic access token as Bearer.

POST https://{account}.snowflakecomputing.com/api/v2/cortex/v1/chat/completions, OpenAI's
Chat Completions for every Cortex model, with `Authorization: Bearer <PAT>` (docs.snowflake.com/
user-guide/snowflake-cortex/cortex-rest-api, "Chat Completions API"; the OpenAI SDK takes that
base URL and the PAT as its API key: docs.snowflake.com/user-guide/snowflake-cortex/open_ai_sdk).
The connection's option is `account`, the account identifier (`myorg-myaccount`, or a locator
such as `xy12345.us-east-1`); its own base URL (a private-link host, a test fake) replaces
`https://{account}.snowflakecomputing.com`, and then the account may be left out. Cortex
publishes no model list endpoint: its models are the catalog's. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .cloud import (
    CloudCall,
    CloudPlatform,
    CloudRequest,
    OptionError,
    known_keys,
    text_option,
    without_credentials,
)

CORTEX_PATH = "/api/v2/cortex/v1"
OPTION_KEYS = ("account",)
ACCOUNT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,254}")
ACCOUNT_RULE = "must be the Snowflake account identifier, e.g. myorg-myaccount"
CREDENTIAL_HEADERS = frozenset({"authorization"})


def check_options(options: Mapping[str, Any], base_url: str | None) -> dict[str, Any]:
    known_keys(options, OPTION_KEYS)
    account = text_option(options, "account", ACCOUNT, ACCOUNT_RULE)
    if account is None and not base_url:
        raise OptionError("options.account", f"is required: {ACCOUNT_RULE}")
    return {} if account is None else {"account": account}


def account_root(request: CloudRequest) -> str:
    """The account's host (or the connection's own base URL), without the Cortex path."""
    if request.base_url:
        return request.base_url.rstrip("/").removesuffix(CORTEX_PATH)
    return f"https://{request.options['account']}.snowflakecomputing.com"


def shape(request: CloudRequest) -> CloudCall:
    url = f"{account_root(request)}{CORTEX_PATH}{request.path}"
    if request.query:
        url += f"?{request.query}"
    headers = without_credentials(request.headers, CREDENTIAL_HEADERS)
    headers["Authorization"] = f"Bearer {request.secret}"
    return CloudCall(url, headers, request.model)


SNOWFLAKE_CORTEX = CloudPlatform(check_options=check_options, shape=shape)
