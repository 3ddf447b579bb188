"""Provider registry: look providers up by id or by their model-id prefix."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlparse

from ..formats.registry import PROVIDER_FORMATS, Registry
from .catalog import CATALOG
from .spec import ModelSpec, ProviderSpec

__all__ = ["ModelSpec", "ProviderSpec", "PROVIDERS", "provider_for_prefix", "normalize_base_url"]

PROVIDERS: dict[str, ProviderSpec] = {spec.id: spec for spec in CATALOG}
_BY_PREFIX: dict[str, ProviderSpec] = {}
for _spec in CATALOG:
    _BY_PREFIX[_spec.prefix] = _spec
    _BY_PREFIX.setdefault(_spec.id, _spec)


def provider_for_prefix(prefix: str) -> ProviderSpec | None:
    """The provider a model-id prefix names (its short alias or its id), if any."""
    return _BY_PREFIX.get(prefix)


MEDIA_ENDPOINT_PATHS = {
    "deepgram": "/listen",
    "assemblyai": "/transcript",
    "elevenlabs": "/text-to-speech",
    "cartesia": "/tts/bytes",
    "stability": "/v2beta/stable-image/generate",
    "bfl": "/get_result",
}


def endpoint_paths(formats: Registry = PROVIDER_FORMATS) -> dict[str, str]:
    """The endpoint path of each wire format (what `normalize_base_url` strips): each chat
    format's own, and the speech-to-text APIs'."""
    return {**{name: wire.endpoint_path for name, wire in formats.items()}, **MEDIA_ENDPOINT_PATHS}


ENDPOINT_PATHS = endpoint_paths()


def normalize_base_url(
    url: str, wire_format: str = "openai", paths: Mapping[str, str] = ENDPOINT_PATHS
) -> str:
    """Accept `…/v1`, `…/v1/` or the full endpoint URL (`…/chat/completions`, `…/messages`,
    `…/responses`); return the base the gateway appends endpoint paths to.

    Raises ValueError for anything that is not an http(s) URL with a host.
    """
    url = (url or "").strip()
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    if parsed.query or parsed.fragment:
        raise ValueError("must not carry a query string or fragment")
    url = url.rstrip("/")
    path = paths[wire_format]
    if url.endswith(path):
        url = url[: -len(path)].rstrip("/")
    return url
