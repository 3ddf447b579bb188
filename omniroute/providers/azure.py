"""Azure OpenAI and Azure AI Foundry: the key in an `api-key` header, the deployment in the URL.

The connection's base URL is the resource's endpoint (`https://<resource>.openai.azure.com`,
or `https://<resource>.services.ai.azure.com` for Foundry); its options choose the API:

- `api: "deployments"` (Azure OpenAI's default): POST
  `{endpoint}/openai/deployments/{deployment}/chat/completions?api-version={apiVersion}`
  (and `/embeddings`, `/images/generations`, `/audio/transcriptions`), apiVersion defaulting
  to the latest GA data-plane version, 2024-10-21;
- `api: "models"` (Azure AI Foundry's default, the Azure AI Model Inference API): POST
  `{endpoint}/models/chat/completions?api-version={apiVersion}` (default 2024-05-01-preview),
  the deployment named in the body's `model`;
- `api: "v1"`: POST `{endpoint}/openai/v1/chat/completions`, OpenAI's own paths with the
  deployment as the model, no api-version.

The deployment of a model is `deployments[model]`, else `deployment` (one for every model),
else the model id itself (deployments are usually named after their model); it is also the
model the body carries. Sync models lists what the resource can use: Azure OpenAI's Models -
List, GET `{endpoint}/openai/models?api-version={apiVersion}` (learn.microsoft.com/rest/api/
azureopenai/models/list), for the deployments API; the v1 API's GET `{endpoint}/openai/v1/
models` (learn.microsoft.com/rest/api/microsoft-foundry/azureopenai/models) for `v1` and for
`models`, whose inference API has no list of its own. References:
learn.microsoft.com/azure/ai-foundry/openai/reference
(deployments, api-version), learn.microsoft.com/azure/ai-foundry/foundry-models/concepts/
endpoints (the models inference endpoint, routing by deployment name; the OpenAI/v1 API).
Pure: no I/O.
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

APIS = ("deployments", "models", "v1")
DEFAULT_VERSIONS = {"deployments": "2024-10-21", "models": "2024-05-01-preview"}
OPTION_KEYS = ("api", "apiVersion", "deployment", "deployments")
API_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}(-preview)?")
VERSION_RULE = "must be an Azure API version such as 2024-10-21 or 2025-04-01-preview"
DEPLOYMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
DEPLOYMENT_RULE = "must be a deployment name (letters, digits, '.', '_', '-'; up to 64)"
API_KEY_HEADER = "api-key"
CREDENTIAL_HEADERS = frozenset({"authorization", "api-key"})
# what a user may paste as the endpoint beyond the resource's root
ENDPOINT_SUFFIXES = ("/openai/v1", "/openai", "/models")


def options_check(default_api: str):
    """The options check of a platform whose `api` defaults to `default_api`."""

    def check(options: Mapping[str, Any], base_url: str | None) -> dict[str, Any]:
        known_keys(options, OPTION_KEYS)
        if not base_url:
            raise OptionError(
                "baseUrl",
                "is required: the resource's endpoint, https://<resource>.openai.azure.com",
            )
        api = options.get("api") or default_api
        if api not in APIS:
            raise OptionError("options.api", f"must be one of {', '.join(APIS)}")
        checked: dict[str, Any] = {"api": api}
        version = text_option(
            options, "apiVersion", API_VERSION, VERSION_RULE, default=DEFAULT_VERSIONS.get(api)
        )
        if version is not None:
            checked["apiVersion"] = version
        deployment = text_option(options, "deployment", DEPLOYMENT, DEPLOYMENT_RULE)
        if deployment is not None:
            checked["deployment"] = deployment
        deployments = options.get("deployments")
        if deployments not in (None, {}):
            checked["deployments"] = _deployments(deployments)
        return checked

    return check


def _deployments(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise OptionError("options.deployments", "must be an object: model id → deployment name")
    for model, name in value.items():
        if not model or not isinstance(name, str) or not DEPLOYMENT.fullmatch(name):
            raise OptionError(f"options.deployments.{model}", DEPLOYMENT_RULE)
    return dict(value)


def deployment_for(model: str, options: Mapping[str, Any]) -> str:
    return options.get("deployments", {}).get(model) or options.get("deployment") or model


def endpoint_of(base_url: str) -> str:
    endpoint = base_url.rstrip("/")
    for suffix in ENDPOINT_SUFFIXES:
        if endpoint.endswith(suffix):
            return endpoint[: -len(suffix)]
    return endpoint


def shape(request: CloudRequest) -> CloudCall:
    options = request.options
    api = options.get("api", "deployments")
    deployment = deployment_for(request.model, options)
    endpoint = endpoint_of(request.base_url or "")
    if api == "v1":
        url = f"{endpoint}/openai/v1{request.path}"
    else:
        prefix = "/models" if api == "models" else f"/openai/deployments/{deployment}"
        url = f"{endpoint}{prefix}{request.path}?api-version={options['apiVersion']}"
    if request.query:
        url += ("&" if "?" in url else "?") + request.query
    return CloudCall(url, _keyed_headers(request), deployment)


def model_list(request: CloudRequest) -> CloudCall:
    """The GET listing the models the resource can use (see the module docstring)."""
    options = request.options
    endpoint = endpoint_of(request.base_url or "")
    if options.get("api", "deployments") == "deployments":
        url = f"{endpoint}/openai/models?api-version={options['apiVersion']}"
    else:
        url = f"{endpoint}/openai/v1/models"
    return CloudCall(url, _keyed_headers(request), request.model)


def _keyed_headers(request: CloudRequest) -> dict[str, str]:
    headers = without_credentials(request.headers, CREDENTIAL_HEADERS)
    headers[API_KEY_HEADER] = request.secret
    return headers


AZURE_OPENAI = CloudPlatform(
    check_options=options_check("deployments"), shape=shape, model_list=model_list
)
AZURE_AI_FOUNDRY = CloudPlatform(
    check_options=options_check("models"), shape=shape, model_list=model_list
)
