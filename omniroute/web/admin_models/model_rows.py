"""The rows of the AI-models admin, read from what the Providers page stores.

A row is one account the gateway can call:
- a connection (an account of a catalog provider): its model variant is the connection's test
  model (else the provider's default model), its API URL the connection's base URL (else the
  provider's), its key the connection's;
- a provider node (the user's own OpenAI-compatible endpoint, its own single account): its
  model variant is the node's first custom model, its API URL and key the node's.
Nothing is stored here: editing a row edits the connection or node it shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...providers import PROVIDERS
from ...store import connections as connection_store
from ...store import provider_models as model_store
from ...store import provider_nodes as node_store

CONNECTION = "connection"
NODE = "node"
KINDS = (CONNECTION, NODE)


@dataclass(frozen=True)
class AiModel:
    kind: str  # CONNECTION or NODE
    id: int  # the connection's or the node's id
    name: str
    variant: str | None  # the model id sent upstream
    api_url: str
    key_hint: str  # the key's last 4 characters ("" when too short to show any)
    has_key: bool
    is_active: bool
    provider_name: str
    prefix: str  # clients call `<prefix>/<variant>`
    signed_in: bool = False  # a subscription account: no API key, a signed-in account
    last_test_ok: bool | None = None
    last_test_error: str | None = None

    @property
    def dom_id(self) -> str:
        return f"model-{self.kind}-{self.id}"

    @property
    def client_model(self) -> str | None:
        return f"{self.prefix}/{self.variant}" if self.variant else None


def from_connection(record: connection_store.ConnectionRecord) -> AiModel:
    spec = PROVIDERS.get(record.provider)
    signed_in = record.auth_kind == connection_store.AUTH_OAUTH
    return AiModel(
        kind=CONNECTION,
        id=record.id,
        name=record.name,
        variant=record.test_model or (spec.default_model if spec else None),
        api_url=record.base_url or (spec.base_url if spec else ""),
        key_hint=record.api_key_hint,
        has_key=bool(record.api_key_hint) or (spec is not None and spec.tier != "local"),
        is_active=record.is_active,
        provider_name=spec.name if spec else record.provider,
        prefix=spec.prefix if spec else record.provider,
        signed_in=signed_in,
        last_test_ok=record.last_test_ok,
        last_test_error=record.last_test_error,
    )


def node_variant(prefix: str) -> str | None:
    """A node's model variant: its first custom model that is not hidden."""
    rows = model_store.list_provider_models(prefix)
    return next((row.model_id for row in rows if not row.hidden), None)


def from_node(node: node_store.NodeRecord) -> AiModel:
    return AiModel(
        kind=NODE,
        id=node.id,
        name=node.name,
        variant=node_variant(node.prefix),
        api_url=node.base_url,
        key_hint=node.api_key_hint,
        has_key=node.has_api_key,
        is_active=node.is_active,
        provider_name=node.name,
        prefix=node.prefix,
    )


def list_models() -> list[AiModel]:
    """Every configured model: the connections (by provider and priority), then the nodes."""
    rows = [from_connection(record) for record in connection_store.list_connections()]
    return rows + [from_node(node) for node in node_store.list_nodes()]


def get_model(kind: str, item_id: int) -> AiModel | None:
    if kind == CONNECTION:
        record = connection_store.get_connection(item_id)
        return None if record is None else from_connection(record)
    node = node_store.get_node(item_id) if kind == NODE else None
    return None if node is None else from_node(node)
