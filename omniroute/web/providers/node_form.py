"""Validate a provider node's fields (JSON camelCase or the dashboard form) for the store."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from ...providers import PROVIDERS, normalize_base_url, provider_for_prefix
from ...providers.spec import WIRE_FORMATS
from .connection_form import FieldError

PREFIX_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


def parse_node_fields(
    data: Mapping[str, Any], *, partial: bool, current_api_type: str | None = None
) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "name" in data or not partial:
        name = data.get("name")
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 200:
            raise FieldError("name", _l("must be 1 to %(n)d characters", n=200))
        fields["name"] = name.strip()
    if "prefix" in data or not partial:
        fields["prefix"] = _prefix(data.get("prefix"))
    api_type = data.get("apiType", current_api_type or "openai")
    if api_type not in WIRE_FORMATS:
        raise FieldError("apiType", _l("one of %(names)s", names=", ".join(WIRE_FORMATS)))
    if "apiType" in data or not partial:
        fields["api_type"] = api_type
    if "baseUrl" in data or not partial:
        url = data.get("baseUrl")
        try:
            fields["base_url"] = normalize_base_url(url if isinstance(url, str) else "", api_type)
        except ValueError:
            raise FieldError(
                "baseUrl", _l("must be an http:// or https:// URL with a host, without a query")
            ) from None
    if "apiKey" in data:
        key = data.get("apiKey")
        if key is not None and (not isinstance(key, str) or any(ch.isspace() for ch in key)):
            raise FieldError("apiKey", _l("must not contain spaces"))
        fields["api_key"] = key
    if "isActive" in data:
        if not isinstance(data["isActive"], bool):
            raise FieldError("isActive", _l("must be true or false"))
        fields["is_active"] = data["isActive"]
    return fields


def _prefix(value: Any) -> str:
    if not isinstance(value, str) or not PREFIX_PATTERN.fullmatch(value):
        raise FieldError(
            "prefix", _l("lowercase letters, digits, '.', '_' or '-', up to 64 characters")
        )
    if value in PROVIDERS or provider_for_prefix(value) is not None:
        raise FieldError("prefix", _l("is a built-in provider's prefix"))
    return value
