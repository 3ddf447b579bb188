"""What a form's error names: the field's visible label in the reader's language, never the API's
field name (`baseUrl`). Offered to every template as `field_label(field)`; a field without a label
here falls back to its API name, so an error is never left without a subject."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

FIELD_LABELS = {
    "provider": _l("Provider"),
    "name": _l("Name"),
    "apiKey": _l("API key"),
    "baseUrl": _l("Base URL"),
    "testModel": _l("Test model"),
    "priority": _l("Priority"),
    "prefix": _l("Prefix"),
    "apiType": _l("API type"),
    "apiUrl": _l("API URL"),
    "variant": _l("Model variant"),
    "modelId": _l("Model ID"),
    "model": _l("Model or combo"),
    "message": _l("Message"),
    "format": _l("Client format"),
    "system": _l("System prompt"),
    "options.api": _l("API"),
    "options.apiVersion": _l("API version"),
    "options.deployment": _l("Deployment"),
    "options.deployments": _l("Deployments per model"),
    "options.projectId": _l("Project ID"),
    "options.location": _l("Location"),
    "options.accountId": _l("Account ID"),
    "options.region": _l("Region"),
    "options.account": _l("Account identifier"),
    "options.tenant": _l("Tenant ID"),
    "options.spaceId": _l("Space ID"),
    "options.iamUrl": _l("IAM token URL"),
    "options.scope": _l("Scope"),
    "options.caBundle": _l("CA bundle path"),
    "options.authUrl": _l("OAuth URL"),
    "serviceAccountJson": _l("Service account JSON key"),
}


def field_label(field: str) -> str:
    """The label of `field` (`providers[2]` reads as its list's label, `options.deployments.x`
    as its option's)."""
    base = field.split("[", 1)[0].split(".", 1)[0]
    option = ".".join(field.split(".", 2)[:2])
    label = FIELD_LABELS.get(field) or FIELD_LABELS.get(option) or FIELD_LABELS.get(base)
    return str(label) if label is not None else field


def install_field_labels(app: Flask) -> None:
    app.jinja_env.globals["field_label"] = field_label
