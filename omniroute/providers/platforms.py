"""CLOUD_PLATFORMS: provider id → its cloud platform quirk (providers/cloud.py), and the checks
of a connection's options and secret that the API, the dashboard and bundles share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .azure import AZURE_AI_FOUNDRY, AZURE_OPENAI
from .bedrock import BEDROCK
from .cloud import CloudPlatform, OptionError
from .cloudflare import CLOUDFLARE
from .gigachat import GIGACHAT
from .predibase import PREDIBASE
from .snowflake import SNOWFLAKE_CORTEX
from .vertex import VERTEX
from .watsonx import WATSONX

CLOUD_PLATFORMS: dict[str, CloudPlatform] = {
    "azure-openai": AZURE_OPENAI,
    "azure-ai-foundry": AZURE_AI_FOUNDRY,
    "google-vertex": VERTEX,
    "cloudflare-workers-ai": CLOUDFLARE,
    "bedrock": BEDROCK,
    "snowflake-cortex": SNOWFLAKE_CORTEX,
    "predibase": PREDIBASE,
    "watsonx": WATSONX,
    "gigachat": GIGACHAT,
}


def check_connection_options(provider: str, options: Any, base_url: str | None) -> dict[str, Any]:
    """A connection's options as stored: {} for a provider that takes none (anything else is
    an OptionError naming the field)."""
    if options is not None and not isinstance(options, Mapping):
        raise OptionError("options", "must be an object")
    platform = CLOUD_PLATFORMS.get(provider)
    if platform is None:
        if options:
            raise OptionError("options", "this provider takes no options")
        return {}
    return platform.check_options(options or {}, base_url)


def connection_secret_label(provider: str, secret: str) -> str | None:
    """What shows of a checked secret instead of its last characters (None: those)."""
    platform = CLOUD_PLATFORMS.get(provider)
    return None if platform is None else platform.secret_label(secret)


def check_connection_secret(provider: str, secret: str) -> str:
    """The secret as stored (a platform's own check, e.g. Vertex's service-account JSON)."""
    platform = CLOUD_PLATFORMS.get(provider)
    return secret if platform is None else platform.check_secret(secret)
