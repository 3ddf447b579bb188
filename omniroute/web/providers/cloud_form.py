"""The dashboard's inputs for a cloud platform's connection options (providers/platforms.py):
what each platform asks for, how the posted form becomes the API's `options` and secret, and
what an error on one of those inputs says in the reader's language.

Inputs are named `<provider>.<key>` (e.g. `azure-openai.apiVersion`) so a form without
JavaScript can carry every platform's fieldset at once and only the chosen provider's is read.
Option inputs use the API's camelCase option keys; the credential inputs are the Vertex
service-account JSON (`serviceAccountJson`, posted as the API key) and Bedrock's AWS access keys
(`accessKeyId`, `secretAccessKey`, `sessionToken`, joined as `ID:SECRET[:TOKEN]`). The
fieldsets of the platforms added later (Snowflake Cortex, Predibase, watsonx.ai, GigaChat) are
kept in cloud_forms_more.py; the inputs' shapes in cloud_inputs.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from ...providers.platforms import CLOUD_PLATFORMS
from .cloud_forms_more import MORE_CLOUD_FORMS, MORE_FIELD_PROBLEMS
from .cloud_inputs import CloudForm, CloudInput
from .connection_form import FieldError

SERVICE_ACCOUNT = "serviceAccountJson"
AWS_KEY_PARTS = ("accessKeyId", "secretAccessKey", "sessionToken")


AZURE_INPUTS = (
    CloudInput(
        "api",
        _l("API"),
        _l(
            "deployments: /openai/deployments/…; models: the Azure AI Model Inference API; "
            "v1: the OpenAI v1 API. Empty: the platform's default."
        ),
        kind="select",
        choices=("", "deployments", "models", "v1"),
    ),
    CloudInput(
        "apiVersion",
        _l("API version"),
        _l("The api-version query parameter, e.g. 2024-10-21 (Azure OpenAI REST API reference)."),
        placeholder="2024-10-21",
    ),
    CloudInput(
        "deployment",
        _l("Deployment"),
        _l(
            "The deployment name in Azure AI Foundry → Deployments, used for every model. "
            "Empty: each model's own name."
        ),
        placeholder="prod-gpt4o",
    ),
    CloudInput(
        "deployments",
        _l("Deployments per model"),
        _l("One per line: model = deployment name (Azure AI Foundry → Deployments)."),
        kind="textarea",
        placeholder="gpt-4o = prod-gpt4o",
    ),
)
AZURE_NOTE = _l(
    "Base URL: the resource's endpoint, e.g. https://my-resource.openai.azure.com "
    "(Azure portal → your resource → Keys and Endpoint, where the API key is too)."
)

CLOUD_FORMS: dict[str, CloudForm] = {
    "azure-openai": CloudForm("azure-openai", "Azure OpenAI", AZURE_NOTE, AZURE_INPUTS),
    "azure-ai-foundry": CloudForm("azure-ai-foundry", "Azure AI Foundry", AZURE_NOTE, AZURE_INPUTS),
    "google-vertex": CloudForm(
        "google-vertex",
        "Google Vertex AI",
        _l("Base URL: leave empty for Vertex AI's regional endpoint."),
        (
            CloudInput(
                SERVICE_ACCOUNT,
                _l("Service account JSON key"),
                _l(
                    "Google Cloud console → IAM & Admin → Service accounts → Keys → Add key → "
                    "JSON: paste the whole file."
                ),
                kind="textarea",
                secret=True,
            ),
            CloudInput(
                "projectId",
                _l("Project ID"),
                _l("The project's ID in the Google Cloud console's project picker."),
                placeholder="my-project",
            ),
            CloudInput(
                "location",
                _l("Location"),
                _l("The Vertex AI region, e.g. us-central1 or europe-west4. Empty: global."),
                placeholder="us-central1",
            ),
        ),
        key_input=False,
    ),
    "cloudflare-workers-ai": CloudForm(
        "cloudflare-workers-ai",
        "Cloudflare Workers AI",
        _l("API key: an API token with Workers AI permission (My Profile → API Tokens)."),
        (
            CloudInput(
                "accountId",
                _l("Account ID"),
                _l("32 hexadecimal characters: Cloudflare dashboard → Workers AI → Account ID."),
                placeholder="0123456789abcdef0123456789abcdef",
            ),
        ),
    ),
    "bedrock": CloudForm(
        "bedrock",
        "Amazon Bedrock",
        _l(
            "API key: an Amazon Bedrock API key, or leave it empty and give AWS access keys "
            "below (IAM → Users → Security credentials → Access keys)."
        ),
        (
            CloudInput(
                "region",
                _l("Region"),
                _l("The AWS region of your Bedrock models, e.g. us-east-1. Empty: us-east-1."),
                placeholder="us-east-1",
            ),
            CloudInput(
                "accessKeyId",
                _l("Access key ID"),
                _l("Starts with AKIA (or ASIA for temporary credentials)."),
                secret=True,
            ),
            CloudInput(
                "secretAccessKey",
                _l("Secret access key"),
                _l("Shown once, when the access key is created."),
                kind="password",
                secret=True,
            ),
            CloudInput(
                "sessionToken",
                _l("Session token (optional)"),
                _l("Only for temporary credentials (AWS STS)."),
                kind="password",
                secret=True,
            ),
        ),
    ),
    **MORE_CLOUD_FORMS,
}
CLOUD_FORMS = {
    provider: form for provider, form in CLOUD_FORMS.items() if provider in CLOUD_PLATFORMS
}

AZURE_PROBLEMS = {
    "baseUrl": _l("Enter your resource's endpoint, e.g. https://my-resource.openai.azure.com."),
    "options.api": _l("Choose deployments, models or v1."),
    "options.apiVersion": _l("Enter an API version such as 2024-10-21 or 2025-04-01-preview."),
    "options.deployment": _l("Enter a deployment name: letters, digits, '.', '_' or '-'."),
    "options.deployments": _l(
        "Write one model = deployment per line; deployment names use letters, digits, '.', "
        "'_' or '-'."
    ),
}
FIELD_PROBLEMS: dict[str, dict[str, Any]] = {
    "azure-openai": AZURE_PROBLEMS,
    "azure-ai-foundry": AZURE_PROBLEMS,
    "google-vertex": {
        SERVICE_ACCOUNT: _l(
            'Paste the service account\'s whole JSON key file ("type": "service_account").'
        ),
        "options.projectId": _l("Enter the project ID: 6 to 30 lowercase letters, digits or '-'."),
        "options.location": _l("Enter a Vertex AI region such as us-central1, or global."),
    },
    "cloudflare-workers-ai": {
        "options.accountId": _l("Enter the account ID: 32 hexadecimal characters."),
    },
    "bedrock": {
        "apiKey": _l(
            "Enter an Amazon Bedrock API key, or both the access key ID and the secret access key."
        ),
        "options.region": _l("Enter an AWS region such as us-east-1."),
    },
    **MORE_FIELD_PROBLEMS,
}


def input_name(provider: str, key: str) -> str:
    return f"{provider}.{key}"


def cloud_form_data(provider: str, form: Mapping[str, str]) -> dict[str, Any]:
    """The API's `options` and, when given, `apiKey` from the chosen provider's inputs ({} for
    a provider without a cloud form)."""
    cloud = CLOUD_FORMS.get(provider)
    if cloud is None:
        return {}
    posted = {
        item.key: form.get(input_name(provider, item.key), "").strip() for item in cloud.inputs
    }
    options: dict[str, Any] = {
        item.key: posted[item.key] for item in cloud.inputs if not item.secret and posted[item.key]
    }
    if "deployments" in options:
        options["deployments"] = _deployment_lines(options["deployments"])
    data: dict[str, Any] = {"options": options}
    if posted.get(SERVICE_ACCOUNT):
        data["apiKey"] = posted[SERVICE_ACCOUNT]
    parts = [posted.get(part, "") for part in AWS_KEY_PARTS]
    if any(parts[:2]):
        data["apiKey"] = ":".join(parts if parts[2] else parts[:2])
    return data


def _deployment_lines(text: str) -> dict[str, str]:
    """`model = deployment` lines as the API's object."""
    deployments: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        model, equals, name = line.partition("=")
        if not equals or not model.strip() or not name.strip():
            raise FieldError("options.deployments", AZURE_PROBLEMS["options.deployments"])
        deployments[model.strip()] = name.strip()
    return deployments


def deployment_text(deployments: Any) -> str:
    """The stored deployments as the textarea shows them."""
    if not isinstance(deployments, dict):
        return ""
    return "\n".join(f"{model} = {name}" for model, name in deployments.items())


def form_problem(provider: str, error: FieldError) -> FieldError:
    """The error as the form shows it: on its input (Vertex's key is the JSON textarea), with
    what that input needs in the reader's language when the platform's English message is all
    there is."""
    field = error.field
    if provider == "google-vertex" and field == "apiKey":
        field = SERVICE_ACCOUNT
    if field.startswith("options.deployments."):
        field = "options.deployments"
    problem = FIELD_PROBLEMS.get(provider, {}).get(field)
    return FieldError(field, problem if problem is not None else error.message)


def error_key(error: Any) -> str | None:
    """The cloud input a form's error belongs to (`options.region` → `region`); None when the
    form has no error (a template's undefined one included)."""
    if not isinstance(error, FieldError):
        return None
    return error.field.removeprefix("options.")


def stored_values(provider: str, options: Any) -> dict[str, str]:
    """A connection's stored options as its edit form's inputs show them (never a secret)."""
    cloud = CLOUD_FORMS.get(provider)
    if cloud is None or not isinstance(options, dict):
        return {}
    values: dict[str, str] = {}
    for item in cloud.inputs:
        value = options.get(item.key)
        if item.secret or value is None:
            continue
        text = deployment_text(value) if item.key == "deployments" else str(value)
        values[input_name(provider, item.key)] = text
    return values
