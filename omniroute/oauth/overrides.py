"""A user's changes to the provider declarations: `DATA_DIR/oauth-providers.json`.

    {"claude-code": {"token_url": "https://…", "endpoints": {"usage": "https://…"}}}

Provider constants drift as vendors ship new CLIs; this file lets a user follow them without a
release (and lets tests point every URL at a fake on 127.0.0.1). Each field is checked against
OAuthProvider: its name must exist and its value must have the field's type (a list of strings
for the tuple fields, an object of strings for the mapping fields, which are merged key by key
into the declaration's — a null value removes a key). A bad file is a ValueError naming the
provider and the field, so start-up can show it.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .declarations import OAUTH_PROVIDERS
from .provider import DEVICE_PROTOCOLS, FLOWS, STATUSES, TOKEN_BODIES, OAuthProvider

OVERRIDES_FILE = "oauth-providers.json"
FIXED_FIELDS = ("id",)  # a provider's identity is not overridable
CHOICES: dict[str, tuple[str, ...]] = {
    "token_body": TOKEN_BODIES,
    "status": STATUSES,
    "device_protocol": ("", *DEVICE_PROTOCOLS),
    "tos_risk": ("low", "medium", "high", "very high"),
}


def providers_for(data_dir: str | Path | None) -> dict[str, OAuthProvider]:
    """The declarations with `DATA_DIR/oauth-providers.json` applied (unchanged without it)."""
    if data_dir is None:
        return dict(OAUTH_PROVIDERS)
    return apply_overrides(OAUTH_PROVIDERS, load_overrides(Path(data_dir) / OVERRIDES_FILE))


def load_overrides(path: Path) -> dict[str, dict[str, Any]]:
    """The file's JSON object ({} when the file does not exist); ValueError when unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot be read ({error})") from None
    try:
        overrides = json.loads(text)
    except ValueError as error:
        raise ValueError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(overrides, dict) or not all(isinstance(v, dict) for v in overrides.values()):
        raise ValueError(f"{path}: expected {{provider id: {{field: value}}}}")
    return overrides


def apply_overrides(
    declarations: Mapping[str, OAuthProvider], overrides: Mapping[str, Mapping[str, Any]]
) -> dict[str, OAuthProvider]:
    """Each declaration with its overrides applied; ValueError naming the provider and field."""
    providers = dict(declarations)
    for provider_id, changes in overrides.items():
        if provider_id not in providers:
            known = ", ".join(sorted(providers))
            raise ValueError(f"oauth-providers.json: unknown provider {provider_id!r} ({known})")
        provider = providers[provider_id]
        values = {name: _field_value(provider, name, value) for name, value in changes.items()}
        providers[provider_id] = dataclasses.replace(provider, **values)
    return providers


@functools.cache
def _field_types() -> dict[str, Any]:
    hints = typing.get_type_hints(OAuthProvider)
    return {field.name: hints[field.name] for field in dataclasses.fields(OAuthProvider)}


def _field_value(provider: OAuthProvider, name: str, value: Any) -> Any:
    where = f"oauth-providers.json: {provider.id}.{name}"
    field_type = _field_types().get(name)
    if field_type is None or name in FIXED_FIELDS:
        raise ValueError(f"{where}: no such field can be overridden")
    origin = typing.get_origin(field_type)
    if origin is tuple:
        converted: Any = _string_list(where, value)
        _check_choices(where, converted, FLOWS if name == "flows" else None)
        return converted
    if origin is Mapping:
        return _merged_mapping(where, getattr(provider, name), value)
    if field_type is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{where}: expected true or false")
        return value
    if field_type is float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ValueError(f"{where}: expected a number of seconds (0 or more)")
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"{where}: expected a string")
    _check_choices(where, (value,), CHOICES.get(name))
    return value


def _string_list(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{where}: expected a list of strings")
    return tuple(value)


def _merged_mapping(where: str, current: Mapping[str, str], value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected an object of strings")
    merged = dict(current)
    for key, item in value.items():
        if item is None:
            merged.pop(key, None)
        elif isinstance(item, str):
            merged[key] = item
        else:
            raise ValueError(f"{where}.{key}: expected a string (or null to remove it)")
    return merged


def _check_choices(where: str, values: tuple[str, ...], choices: tuple[str, ...] | None) -> None:
    if choices is None:
        return
    for value in values:
        if value not in choices:
            raise ValueError(f"{where}: {value!r} is not one of {', '.join(map(repr, choices))}")
