"""Validate a provider connection's fields, from JSON (camelCase) or from the dashboard form.

Returns the store's field names; a bad value raises FieldError naming the field as the API
spells it, so both the JSON API and the form can point at it. Messages are translatable: the
dashboard shows them in the user's language, the JSON API in the caller's Accept-Language.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from ...providers import PROVIDERS, normalize_base_url
from ...providers.cloud import OptionError
from ...providers.platforms import (
    CLOUD_PLATFORMS,
    check_connection_options,
    check_connection_secret,
    connection_secret_label,
)

MAX_NAME = 200


class FieldError(ValueError):
    def __init__(self, field: str, message):
        super().__init__(field)
        self.field = field
        self.message = str(message)


def parse_connection_fields(
    data: Mapping[str, Any], *, partial: bool, current: Any = None
) -> dict[str, Any]:
    """Check `data` (camelCase keys); `partial` allows leaving out anything (updates), and
    `current` is then the stored connection (its provider and base URL check the options)."""
    fields = _plain_fields(data, partial=partial)
    provider = fields.get("provider") or getattr(current, "provider", None)
    if provider in CLOUD_PLATFORMS:
        _cloud_fields(data, fields, provider, current)
    else:
        if data.get("options"):
            raise FieldError("options", _l("this provider takes no options"))
        if any(ch.isspace() for ch in fields.get("api_key", "")):
            raise FieldError("apiKey", _l("must not contain spaces"))
    return fields


def _cloud_fields(data: Mapping[str, Any], fields: dict[str, Any], provider: str, current: Any):
    """A cloud platform's options (checked with the base URL the connection will have) and its
    secret (providers/cloud.py)."""
    base_url = fields["base_url"] if "base_url" in fields else getattr(current, "base_url", None)
    try:
        if "options" in data or "base_url" in fields or current is None:
            options = (
                data.get("options") if "options" in data else getattr(current, "options", None)
            )
            fields["options"] = check_connection_options(provider, options, base_url)
        if fields.get("api_key"):
            fields["api_key"] = check_connection_secret(provider, fields["api_key"])
            label = connection_secret_label(provider, fields["api_key"])
            if label is not None:
                fields["account_label"] = label  # shown instead of the key's last characters
    except OptionError as error:
        raise FieldError(error.field, error.message) from None


def _plain_fields(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "provider" in data or not partial:
        provider = data.get("provider")
        if not isinstance(provider, str) or provider not in PROVIDERS:
            raise FieldError(
                "provider", _l("unknown provider; one of %(names)s", names=", ".join(PROVIDERS))
            )
        fields["provider"] = provider
    if "name" in data or not partial:
        name = data.get("name")
        name = name.strip() if isinstance(name, str) else ""
        if not name and not partial:
            name = PROVIDERS[fields["provider"]].name
        if not name or len(name) > MAX_NAME:
            raise FieldError("name", _l("must be 1 to %(n)d characters", n=MAX_NAME))
        fields["name"] = name
    api_key = data.get("apiKey")
    if isinstance(api_key, dict):  # a JSON key given as an object (Vertex's service account)
        api_key = json.dumps(api_key)
    if api_key is not None and not isinstance(api_key, str):
        raise FieldError("apiKey", _l("must be a string"))
    api_key = (api_key or "").strip()
    local = not partial and PROVIDERS[fields["provider"]].tier == "local"
    if api_key or (not partial and not local):
        if not api_key:
            raise FieldError("apiKey", _l("is required"))
        fields["api_key"] = api_key
    elif local:
        fields["api_key"] = ""  # a local server needs no key
    if "baseUrl" in data:
        fields["base_url"] = _base_url(data.get("baseUrl"))
    if "testModel" in data:
        model = data.get("testModel")
        if model is not None and not isinstance(model, str):
            raise FieldError("testModel", _l("must be a string"))
        fields["test_model"] = (model or "").strip() or None
    if "isActive" in data:
        fields["is_active"] = _boolean(data.get("isActive"), "isActive")
    if "priority" in data:
        fields["priority"] = _priority(data.get("priority"))
    return fields


def _base_url(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise FieldError("baseUrl", _l("must be a string or null"))
    try:
        return normalize_base_url(value)
    except ValueError:
        raise FieldError(
            "baseUrl", _l("must be an http:// or https:// URL with a host, without a query")
        ) from None


def _boolean(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "on", "1"):
        return True
    if value in ("false", "off", "0"):
        return False
    raise FieldError(field, _l("must be true or false"))


def _priority(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise FieldError("priority", _l("must be a whole number")) from None
    if isinstance(value, bool) or not 0 <= number <= 1_000_000:
        raise FieldError("priority", _l("must be a whole number from 0 to 1000000"))
    return number
