"""The wire formats by name (FORMATS), so the rest of the gateway never names a format itself.

Adding a format is one sub-package declaring its WireFormat in wire.py and one line below.
Every per-format table of the gateway is derived from a registry by a function that takes it
(defaulting to FORMATS): the providers' wire formats and endpoint paths, a node's auth header,
the upstream URL and headers, the token counters, the stream relay, the translator's labels and
the client API's paths and error shapes.

The first format is the default: its error shape answers a client-API path no format claims.

PROVIDER_ONLY lists the formats only providers speak (Amazon Bedrock Converse): no client route,
node API type or translator pair is made for them. PROVIDER_FORMATS (FORMATS and those) is what
the provider side — upstream calls, answers, streams, errors — looks a provider's format up in.
"""

from __future__ import annotations

from collections.abc import Mapping

from .anthropic.wire import WIRE as ANTHROPIC
from .base import WireFormat
from .bedrock_converse.wire import WIRE as BEDROCK
from .gemini.wire import WIRE as GEMINI
from .openai_chat.wire import WIRE as OPENAI_CHAT
from .responses.wire import WIRE as RESPONSES

Registry = Mapping[str, WireFormat]


def registry_of(*formats: WireFormat) -> dict[str, WireFormat]:
    """The formats by name, in order; two formats with one name or one client path are an
    error (a path must say which format its client speaks)."""
    registry: dict[str, WireFormat] = {}
    owners: dict[str, str] = {}
    for wire in formats:
        if wire.name in registry:
            raise ValueError(f"two wire formats named {wire.name!r}")
        registry[wire.name] = wire
        for path in wire.client_paths + wire.count_paths:
            if path in owners:
                raise ValueError(f"{path} is a client path of {owners[path]!r} and {wire.name!r}")
            owners[path] = wire.name
    return registry


FORMATS: Registry = registry_of(
    OPENAI_CHAT,
    ANTHROPIC,
    RESPONSES,
    GEMINI,
)
PROVIDER_ONLY: Registry = registry_of(BEDROCK)
PROVIDER_FORMATS: Registry = {**FORMATS, **PROVIDER_ONLY}


def format_for_path(path: str, formats: Registry = FORMATS) -> WireFormat:
    """The format whose client calls `path` (served or not), so an error reaches it in its own
    shape: the format whose path_prefix starts the path, else the first whose path_marker the
    path contains, else the first registered format."""
    for wire in formats.values():
        if wire.path_prefix is not None and path.startswith(wire.path_prefix):
            return wire
    for wire in formats.values():
        if wire.path_marker is not None and wire.path_marker in path:
            return wire
    return next(iter(formats.values()))
