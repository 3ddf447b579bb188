"""The dashboard's fieldsets for Snowflake Cortex, Predibase, IBM watsonx.ai and GigaChat
(providers/snowflake.py, predibase.py, watsonx.py, gigachat.py): their option inputs, and what
an error on each says in the reader's language. cloud_form.py merges them with the others."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from .cloud_inputs import CloudForm, CloudInput

MORE_CLOUD_FORMS: dict[str, CloudForm] = {
    "snowflake-cortex": CloudForm(
        "snowflake-cortex",
        "Snowflake Cortex",
        _l(
            "API key: a programmatic access token (Snowsight → your profile → Programmatic "
            "access tokens). Base URL: leave empty for the account's own host."
        ),
        (
            CloudInput(
                "account",
                _l("Account identifier"),
                _l(
                    "The part before .snowflakecomputing.com in your account URL, e.g. "
                    "myorg-myaccount."
                ),
                placeholder="myorg-myaccount",
            ),
        ),
    ),
    "predibase": CloudForm(
        "predibase",
        "Predibase",
        _l("API key: a Predibase API token (Settings → My profile → Generate API token)."),
        (
            CloudInput(
                "tenant",
                _l("Tenant ID"),
                _l("Settings → My profile → Tenant ID."),
                placeholder="a1b2c3d4",
            ),
            CloudInput(
                "deployment",
                _l("Deployment"),
                _l(
                    "The deployment every model runs on; a model then names one of its "
                    "adapters (repo/version). Empty: each model names its own deployment."
                ),
                placeholder="qwen3-8b",
            ),
        ),
    ),
    "watsonx": CloudForm(
        "watsonx",
        "IBM watsonx.ai",
        _l(
            "API key: an IBM Cloud API key (Manage → Access (IAM) → API keys), exchanged for "
            "an hour-long token. Base URL: leave empty for the region's endpoint."
        ),
        (
            CloudInput(
                "region",
                _l("Region"),
                _l("Where the watsonx.ai runtime runs, e.g. us-south or eu-de. Empty: us-south."),
                placeholder="us-south",
            ),
            CloudInput(
                "projectId",
                _l("Project ID"),
                _l("The project's Manage tab → General → Project ID (or give a space ID)."),
                placeholder="63dc4cf1-252f-424b-b52d-5cdd9814987f",
            ),
            CloudInput(
                "spaceId",
                _l("Space ID"),
                _l("A deployment space's ID, instead of a project ID."),
            ),
            CloudInput(
                "apiVersion",
                _l("API version"),
                _l("The version date every call carries. Empty: 2025-02-11."),
                placeholder="2025-02-11",
            ),
            CloudInput(
                "iamUrl",
                _l("IAM token URL"),
                _l("Empty: https://iam.cloud.ibm.com/identity/token."),
            ),
        ),
    ),
    "gigachat": CloudForm(
        "gigachat",
        "GigaChat",
        _l(
            "API key: the authorization key of your GigaChat API project (Generate new Client "
            "Secret → Authorization key), exchanged for a 30-minute token."
        ),
        (
            CloudInput(
                "scope",
                _l("Scope"),
                _l(
                    "GIGACHAT_API_PERS for individuals, GIGACHAT_API_B2B or GIGACHAT_API_CORP "
                    "for companies (shown in the project). Empty: GIGACHAT_API_PERS."
                ),
                kind="select",
                choices=("", "GIGACHAT_API_PERS", "GIGACHAT_API_B2B", "GIGACHAT_API_CORP"),
            ),
            CloudInput(
                "caBundle",
                _l("CA bundle path"),
                _l(
                    "GigaChat's certificates chain to the Russian Trusted Root CA, which no "
                    "default trust store has: the path, on the gateway's machine, of a PEM file "
                    "holding it (from gosuslugi.ru/crt)."
                ),
                placeholder="/etc/ssl/russian_trusted_root_ca.pem",
            ),
            CloudInput(
                "authUrl",
                _l("OAuth URL"),
                _l("Empty: https://ngw.devices.sberbank.ru:9443/api/v2/oauth."),
            ),
        ),
    ),
}

MORE_FIELD_PROBLEMS: dict[str, dict[str, Any]] = {
    "watsonx": {
        "options.region": _l("Enter a watsonx.ai region such as us-south or eu-de."),
        "options.projectId": _l("Enter the project ID (a GUID), or a space ID instead."),
        "options.spaceId": _l("Enter the space ID (a GUID), or a project ID instead."),
        "options.apiVersion": _l("Enter an API version date such as 2025-02-11."),
        "options.iamUrl": _l("Enter an https:// URL."),
    },
    "snowflake-cortex": {
        "options.account": _l("Enter the account identifier, e.g. myorg-myaccount."),
    },
    "predibase": {
        "options.tenant": _l("Enter the tenant ID: letters, digits, '_' or '-'."),
        "options.deployment": _l("Enter a deployment name: letters, digits, '.', '_' or '-'."),
    },
    "gigachat": {
        "options.scope": _l("Choose GIGACHAT_API_PERS, GIGACHAT_API_B2B or GIGACHAT_API_CORP."),
        "options.caBundle": _l(
            "Enter the absolute path of a readable PEM file holding the Russian Trusted Root CA."
        ),
        "options.authUrl": _l("Enter an https:// URL."),
    },
}
