"""The AI-models admin's form: Name, Model variant, API URL, API key, Active.

The API URL may be the base (`…/v1`) or the full chat endpoint (`…/v1/chat/completions`); the
base is kept. `catalog_provider_for` finds the catalog provider an OpenAI-compatible URL belongs
to (same scheme, host and port; `localhost` and `127.0.0.1` are one host), so that adding
`https://api.openai.com/v1` makes an OpenAI account as the Providers page would.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlparse

from flask_babel import lazy_gettext as _l

from ...providers import PROVIDERS, ProviderSpec, normalize_base_url, provider_for_prefix
from ...providers.catalog import CATALOG
from ..models.api import checked_model_id
from ..providers.connection_form import MAX_NAME, FieldError
from ..providers.node_form import PREFIX_PATTERN

FIELDS = ("name", "variant", "apiUrl", "apiKey")
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class ModelInput:
    name: str
    variant: str
    api_url: str  # the base URL, endpoint path stripped
    api_key: str  # "" when the field was left empty
    is_active: bool


def parse_model_form(form: Mapping[str, str]) -> ModelInput:
    """Check the posted fields; a bad one raises FieldError naming it."""
    name = (form.get("name") or "").strip()
    if not name or len(name) > MAX_NAME:
        raise FieldError("name", _l("must be 1 to %(n)d characters", n=MAX_NAME))
    variant = checked_model_id(form.get("variant"), "variant")
    try:
        api_url = normalize_base_url(form.get("apiUrl") or "")
    except ValueError:
        raise FieldError(
            "apiUrl", _l("must be an http:// or https:// URL with a host, without a query")
        ) from None
    api_key = (form.get("apiKey") or "").strip()
    if any(ch.isspace() for ch in api_key):
        raise FieldError("apiKey", _l("must not contain spaces"))
    return ModelInput(name, variant, api_url, api_key, form.get("isActive") == "on")


def _origin(url: str) -> tuple[str, str, int | None]:
    parsed = urlparse(url)
    host = (parsed.hostname or "").lower()
    host = "127.0.0.1" if host in LOOPBACK_HOSTS else host
    return parsed.scheme, host, parsed.port or (443 if parsed.scheme == "https" else 80)


def catalog_provider_for(api_url: str) -> ProviderSpec | None:
    """The API-key provider of the catalog serving `api_url`, if any (never a subscription,
    one that needs a sign-in flow or a discontinued one)."""
    origin = _origin(api_url)
    for spec in CATALOG:
        usable = spec.tier != "subscription" and not spec.needs_sign_in and not spec.discontinued
        if usable and _origin(spec.base_url) == origin:
            return spec
    return None


def base_url_override(spec: ProviderSpec, api_url: str) -> str | None:
    """What the connection stores: None when `api_url` is the provider's own base URL."""
    return None if api_url.rstrip("/") == spec.base_url.rstrip("/") else api_url


def node_prefix_for(name: str, taken) -> str:
    """A free provider-node prefix made from the model's name (`GPT-4 Omni` → `gpt-4-omni`);
    `taken(prefix)` tells whether a node already has one."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-._")[:56] or "model"
    candidate, number = slug, 1
    while (
        not PREFIX_PATTERN.fullmatch(candidate)
        or candidate in PROVIDERS
        or provider_for_prefix(candidate) is not None
        or taken(candidate)
    ):
        number += 1
        candidate = f"{slug}-{number}"
    return candidate
