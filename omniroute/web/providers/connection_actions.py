"""Actions on provider connections shared by the JSON API and the dashboard pages.

Each change goes through the store and then drops the proxy's in-memory snapshot, so the next
client request sees it.
"""

from __future__ import annotations

from flask import current_app

from ...providers import PROVIDERS
from ...proxy.connection_test import TestResult, run_connection_test
from ...store import connections as store
from ...store.connections import ConnectionRecord


def _services():
    return current_app.extensions["omniroute"]


def create(fields: dict) -> ConnectionRecord:
    services = _services()
    record = store.create_connection(services.box, **fields)
    services.routes.invalidate()
    return record


def update(connection_id: int, fields: dict) -> ConnectionRecord | None:
    services = _services()
    record = store.update_connection(services.box, connection_id, **fields)
    services.routes.invalidate()
    services.pipeline.state.cooldowns.forget(connection_id)  # a new key or a fix: try it again
    services.subscriptions.forget(connection_id)
    return record


def delete(connection_id: int) -> bool:
    services = _services()
    deleted = store.delete_connection(connection_id)
    services.routes.invalidate()
    services.subscriptions.forget(connection_id)
    return deleted


def test(connection_id: int) -> TestResult | None:
    record = store.get_connection(connection_id)
    if record is None:
        return None
    return test_many([record])[0]


def test_many(records: list[ConnectionRecord]) -> list[TestResult]:
    """Test each connection with a 1-token request, all at once on the fan-out pool; the results
    are saved (and a passing account leaves its rest) here, in the request's own thread."""
    services = _services()
    jobs = [(record, store.load_credentials(services.box, record.id)) for record in records]
    prepare = services.pipeline.subscriptions.prepare  # a signed-in account's token and headers
    results = services.fanout.map(lambda job: _run_test(services.upstream, prepare, *job), jobs)
    for record, result in zip(records, results, strict=True):
        store.record_test_result(record.id, result.ok, result.latency_ms, result.error)
        if result.ok:
            services.pipeline.state.cooldowns.forget(record.id)
    return results


def _run_test(client, prepare, record: ConnectionRecord, credentials) -> TestResult:
    spec = PROVIDERS.get(record.provider)
    if spec is None:
        return TestResult(False, None, f"unknown provider '{record.provider}'")
    if credentials is None:
        return TestResult(False, None, "the connection was deleted")
    return run_connection_test(client, spec, credentials, record.test_model, prepare)


def signed_in_json(record: ConnectionRecord) -> dict:
    """A signed-in account's state: its label, whether it must sign in again, its latest quota
    windows (live when this process has seen an answer since, else the saved snapshot)."""
    live = _services().subscriptions.quotas.latest(record.id)
    return {
        "account": record.account_label,
        "signInState": record.sign_in_state,
        "signInReason": record.sign_in_reason,
        "quota": live.as_json() if live is not None else record.quota,
        "quotaUpdatedAt": None
        if record.quota_updated_at is None
        else record.quota_updated_at.isoformat() + "Z",
    }


def key_hint(record: ConnectionRecord) -> str:
    """What shows of the key: its last 4 characters, or what its platform shows instead (a
    Vertex service account's masked e-mail, kept as the account label)."""
    if record.auth_kind == store.AUTH_API_KEY and record.account_label:
        return record.account_label
    return record.api_key_hint


def as_json(record: ConnectionRecord) -> dict:
    """The API's view of a connection: never the key or a token, at most the key's last 4
    characters."""
    return {
        "id": record.id,
        "provider": record.provider,
        "name": record.name,
        "apiKeyHint": key_hint(record),
        "baseUrl": record.base_url,
        "testModel": record.test_model,
        "isActive": record.is_active,
        "priority": record.priority,
        "createdAt": record.created_at.isoformat() + "Z",
        "updatedAt": record.updated_at.isoformat() + "Z",
        "lastTest": None
        if record.last_tested_at is None
        else {
            "ok": record.last_test_ok,
            "error": record.last_test_error,
            "latencyMs": record.last_test_latency_ms,
            "at": record.last_tested_at.isoformat() + "Z",
        },
        "authKind": record.auth_kind,
        "options": record.options or {},
        "signedIn": signed_in_json(record) if record.auth_kind == store.AUTH_OAUTH else None,
    }
