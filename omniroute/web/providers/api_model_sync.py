"""Management API for live model lists: /api/providers/<id>/sync-models (one account, by its
connection id) and /api/providers/sync-models (every active account whose provider publishes a
list, all at once). A sync reads the provider's own list and merges it into the provider's
models: new ids appear (source "synced"), synced ids it no longer lists are retired (kept,
never offered), hidden models stay hidden, catalog models stay (model_sync_actions.py)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ...providers import PROVIDERS, ProviderSpec
from ...proxy.model_sync import unlistable_reason
from ...store import connections as connection_store
from ...store import provider_models as model_store
from ..models.api import model_json, prices_now
from ..security import json_error, not_found
from .model_sync_actions import ProviderSync, sync_accounts, syncable_accounts

bp = Blueprint("model_sync", __name__, url_prefix="/providers")


@bp.post("/<int:connection_id>/sync-models")
def sync_models(connection_id: int):
    """Read the account's model list from its provider now and merge it: {provider, added,
    retired, total (how many the provider listed), models (the merged list)}. 400 when the
    provider publishes no list; 502 naming the provider's status when the call fails."""
    record = connection_store.get_connection(connection_id)
    if record is None:
        return not_found("provider connection", connection_id)
    spec = PROVIDERS.get(record.provider)
    reason = f"unknown provider '{record.provider}'" if spec is None else unlistable_reason(spec)
    if spec is None or reason is not None:
        return json_error(400, reason or "", "invalid_request_error", "no_model_list")
    [sync] = sync_accounts([record])
    if sync.outcome is None:
        [(_, failed)] = sync.failures
        return json_error(
            502,
            failed.error or f"{spec.name} gave no model list",
            "server_error",
            "model_list_failed",
            provider=spec.id,
            upstreamStatus=failed.upstream_status,
        )
    return jsonify({"provider": spec.id, **_outcome_json(sync), "models": merged_models(spec)})


@bp.post("/sync-models")
def sync_all_models():
    """Sync every active account whose provider publishes a model list, all at once: one entry
    per provider ({provider, connections, ok, added, retired, total, errors})."""
    syncs = sync_accounts(syncable_accounts())
    return jsonify({"data": [_summary_json(sync) for sync in syncs]})


def merged_models(spec: ProviderSpec) -> list[dict]:
    """The provider's models after the merge, as /api/models/catalog lists them."""
    rows = model_store.list_provider_models(spec.id)
    prices = prices_now()
    return [model_json(spec, item, prices) for item in model_store.merge_with_catalog(spec, rows)]


def _outcome_json(sync: ProviderSync) -> dict:
    outcome = sync.outcome
    if outcome is None:
        return {"added": [], "retired": [], "total": 0}
    return {"added": outcome.added, "retired": outcome.retired, "total": outcome.total}


def _summary_json(sync: ProviderSync) -> dict:
    return {
        "provider": sync.spec.id,
        "connections": [record.id for record, _ in sync.results],
        "ok": sync.outcome is not None,
        **_outcome_json(sync),
        "errors": [
            {
                "id": record.id,
                "name": record.name,
                "message": result.error,
                "upstreamStatus": result.upstream_status,
            }
            for record, result in sync.failures
        ],
    }
