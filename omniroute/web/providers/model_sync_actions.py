"""Sync models for provider accounts, shared by the JSON API and the provider page.

Each account's list is read on the fan-out pool, all accounts at once, with the proxy's own
call builder (proxy/model_sync.py); then, in the request's own thread, each provider's lists
are merged into its model rows (store/synced_models.py): the union of what its accounts list,
retiring what none lists only when every one of them answered. A sync is something the user
(or a script) asks for on the management API; client requests never wait for one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from ...providers import PROVIDERS, ProviderSpec
from ...providers.model_lists import ListedId
from ...proxy.model_sync import ListResult, fetch_model_list, unlistable_reason
from ...store import connections as store
from ...store.connections import ConnectionRecord
from ...store.synced_models import SyncOutcome, merge_listed


@dataclass
class ProviderSync:
    """One provider's sync: its accounts' results and what the merge changed (None when no
    account answered with a list)."""

    spec: ProviderSpec
    results: list[tuple[ConnectionRecord, ListResult]] = field(default_factory=list)
    outcome: SyncOutcome | None = None

    @property
    def failures(self) -> list[tuple[ConnectionRecord, ListResult]]:
        return [(record, result) for record, result in self.results if not result.ok]


def _services():
    return current_app.extensions["omniroute"]


def sync_accounts(records: list[ConnectionRecord]) -> list[ProviderSync]:
    """Sync the accounts' model lists (see the module docstring), one entry per provider in
    the order the accounts came."""
    services = _services()
    jobs = [(record, store.load_credentials(services.box, record.id)) for record in records]
    prepare = services.pipeline.subscriptions.prepare  # a signed-in account's token
    results = services.fanout.map(lambda job: _fetch(services.upstream, prepare, *job), jobs)
    syncs: dict[str, ProviderSync] = {}
    for record, result in zip(records, results, strict=True):
        spec = PROVIDERS.get(record.provider)
        if spec is not None:
            syncs.setdefault(spec.id, ProviderSync(spec)).results.append((record, result))
    for sync in syncs.values():
        lists = [result.models for _, result in sync.results if result.models is not None]
        if lists:
            sync.outcome = merge_listed(sync.spec, _union(lists), complete=not sync.failures)
    return list(syncs.values())


def _fetch(client, prepare, record: ConnectionRecord, credentials) -> ListResult:
    spec = PROVIDERS.get(record.provider)
    if spec is None:
        return ListResult(None, f"unknown provider '{record.provider}'")
    if credentials is None:
        return ListResult(None, "the connection was deleted")
    return fetch_model_list(client, spec, credentials, prepare)


def _union(lists: list[list[ListedId]]) -> list[ListedId]:
    """Every id any list names, once, in the order first seen."""
    merged: dict[str, ListedId] = {}
    for listed in lists:
        for item in listed:
            merged.setdefault(item.id, item)
    return list(merged.values())


def syncable_accounts(provider: str | None = None) -> list[ConnectionRecord]:
    """The active accounts whose provider has a model list (of one provider, when named)."""
    return [
        record
        for record in store.list_connections()
        if record.is_active
        and (provider is None or record.provider == provider)
        and record.provider in PROVIDERS
        and unlistable_reason(PROVIDERS[record.provider]) is None
    ]
