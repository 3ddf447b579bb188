"""Predibase: the tenant and the deployment in the path, the API token as Bearer.

POST https://serving.app.predibase.com/{tenant}/deployments/v2/llms/{deployment}/v1/chat/
completions, OpenAI's Chat Completions, with `Authorization: Bearer <API token>`; the body's
`model` names a LoRA adapter (`<repo>/<version>`), or is empty for the deployment's base model
(docs.predibase.com/user-guide/inference/migrate-openai). The connection's options: `tenant`
(the tenant id, Settings → My profile) and `deployment` (a private or shared deployment's
name); without `deployment` each model names its own deployment. A model that is its
deployment is sent with an empty `model` (the base model); any other is that deployment's
adapter. The connection's own base URL replaces https://serving.app.predibase.com. Predibase
publishes no model list endpoint. Pure: no I/O.
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

SERVING_ROOT = "https://serving.app.predibase.com"
OPTION_KEYS = ("tenant", "deployment")
TENANT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
TENANT_RULE = "must be the Predibase tenant id (letters, digits, '_', '-')"
DEPLOYMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
DEPLOYMENT_RULE = "must be a deployment name (letters, digits, '.', '_', '-')"
CREDENTIAL_HEADERS = frozenset({"authorization"})
BASE_MODEL = ""  # the body's model naming the deployment's own base model


def check_options(options: Mapping[str, Any], base_url: str | None) -> dict[str, Any]:
    known_keys(options, OPTION_KEYS)
    tenant = text_option(options, "tenant", TENANT, TENANT_RULE)
    checked: dict[str, Any] = {"tenant": required(tenant, "tenant", TENANT_RULE)}
    deployment = text_option(options, "deployment", DEPLOYMENT, DEPLOYMENT_RULE)
    if deployment is not None:
        checked["deployment"] = deployment
    return checked


def shape(request: CloudRequest) -> CloudCall:
    options = request.options
    deployment = options.get("deployment") or request.model
    root = (request.base_url or SERVING_ROOT).rstrip("/")
    url = f"{root}/{options['tenant']}/deployments/v2/llms/{deployment}/v1{request.path}"
    if request.query:
        url += f"?{request.query}"
    headers = without_credentials(request.headers, CREDENTIAL_HEADERS)
    headers["Authorization"] = f"Bearer {request.secret}"
    adapter = BASE_MODEL if request.model == deployment else request.model
    return CloudCall(url, headers, adapter)


PREDIBASE = CloudPlatform(check_options=check_options, shape=shape)
