"""Accounts the gateway calls providers with, as routing and the proxy hold them in memory.

A connection is a user's account or API key for a catalog provider; a provider node is a
user-defined OpenAI- or Anthropic-compatible endpoint with its own prefix, and is its own single
account. Both are loaded (keys decrypted) by the store into the routing table; `account_key` is
how breakers, cooldowns, rate limits and the routing strategies tell accounts apart.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

OAUTH_ACCOUNT = "oauth"  # ActiveConnection.auth_kind of a signed-in subscription account


@dataclass(frozen=True)
class ActiveConnection:
    """What the proxy needs to call a provider with this account; lives only in memory.
    `id` is None for a provider node, which is its own account."""

    id: int | None
    provider: str
    name: str
    api_key: str
    base_url: str | None
    priority: int
    # OAUTH_ACCOUNT: a signed-in subscription account, whose credentials come from the token
    # source (oauth/grants.py) at call time instead of `api_key`
    auth_kind: str = "api_key"
    # a cloud platform's settings (providers/cloud.py): Azure's deployments, Vertex's project…
    options: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ActiveNode:
    """An active provider node with its decrypted key ("" when it has none)."""

    id: int
    name: str
    prefix: str
    base_url: str
    api_type: str
    api_key: str


def account_key(connection: ActiveConnection) -> Hashable:
    """A stored connection is known by its id; a provider node by its prefix."""
    return connection.id if connection.id is not None else f"node:{connection.provider}"
