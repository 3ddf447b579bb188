"""What each management API operation takes and answers, declared as data for /api/openapi.json.

The routes themselves come from the app's url_map (omniroute/web/openapi/api.py); this table adds
what a route cannot tell, keyed by endpoint: the JSON request body, the query parameters, the
success status and the success body. An endpoint missing here answers 200 with a JSON object
and takes no body; tests/integration/test_openapi.py insists that every POST/PUT/PATCH either
declares a body here or is listed in BODILESS.
"""

from __future__ import annotations

from ...formats.registry import FORMATS
from ...oauth.provider import FLOWS
from ...store.usage_totals import GROUP_BY
from ...translator.feed import FILTER_KEYS
from ...translator.playground import KINDS
from ...usage.budgets import PERIODS
from ..costs import api_budgets, api_export
from ..health import api as health_api
from ..routing import api_chains as api_fallback_chains
from ..usage import api as api_usage
from .schemas import (
    BLOCKED_PROVIDERS,
    BOOLEAN,
    CHAIN_ENTRY,
    COMBO_BODY,
    CONNECTION_FIELDS,
    CREATED,
    IP_ACCESS_RULES,
    KEY_FIELDS,
    LISTING,
    MODEL_ID,
    MOMENT,
    NO_CONTENT,
    NODE_FIELDS,
    OBJECT,
    PATTERN,
    PRICE,
    PROXY_LEVELS,
    PROXY_TEST,
    RESILIENCE_CHANGES,
    ROUTING_CHANGES,
    USAGE_FILTERS,
    Operation,
    array,
    integer,
    nullable,
    number,
    obj,
    one_of,
    query,
    string,
)

BACKUP = obj(
    {"name": string(), "size": integer(0), "created": string(), "reason": string()},
    ["name", "size", "created", "reason"],
)
IMPORT_OUTCOME = obj(
    {"imported": string(), "backup": BACKUP, "accountsNeedingKey": integer(0)},
    ["imported", "backup", "accountsNeedingKey"],
)
SQLITE_FILE = Operation(returns={"type": "string"}, media_type="application/vnd.sqlite3")
BACKUP_OPERATIONS = {
    "api.backups.export_database": SQLITE_FILE,
    "api.backups.export_everything": Operation(
        returns={"type": "string"}, media_type="application/gzip"
    ),
    "api.backups.import_upload": Operation(
        body=obj({"file": string(0, contentMediaType="application/octet-stream")}, ["file"]),
        body_media_type="multipart/form-data",
        returns=IMPORT_OUTCOME,
    ),
    "api.backups.list_backups": Operation(
        returns=obj({"data": array(BACKUP), "storage": OBJECT}, ["data", "storage"])
    ),
    "api.backups.create_backup": Operation(status=201, returns=BACKUP),
    "api.backups.download_backup": SQLITE_FILE,
    "api.backups.restore_backup": Operation(returns=IMPORT_OUTCOME),
    "api.backups.delete_backup": NO_CONTENT,
}

OPERATIONS: dict[str, Operation] = {
    "api.auth.login": Operation(
        body=obj({"password": string(0)}, ["password"]),
        returns=obj({"ok": BOOLEAN, "csrfToken": string()}, ["ok", "csrfToken"]),
    ),
    "api.auth.logout": NO_CONTENT,
    "api.auth.logout_all": Operation(
        returns=obj({"ok": BOOLEAN, "sessionsEnded": integer(0)}, ["ok", "sessionsEnded"])
    ),
    "api.combos.list_combos": Operation(returns=LISTING),
    "api.combos.create_combo": Operation(body=COMBO_BODY, **CREATED),
    "api.combos.put_combo": Operation(body=COMBO_BODY),
    "api.combos.remove_combo": NO_CONTENT,
    "api.combos.run_combo_test": Operation(
        body=obj(
            {"name": string(1), "id": integer()},
            anyOf=[{"required": ["name"]}, {"required": ["id"]}],
        ),
    ),
    "api.chains.list_chains": Operation(returns=LISTING),
    "api.chains.post_chain": Operation(
        body=obj(
            {
                "model": PATTERN,
                "chain": array(CHAIN_ENTRY, 1, api_fallback_chains.MAX_CHAIN),
                "name": nullable(string(0, 100)),
            },
            ["model", "chain"],
        ),
    ),
    "api.chains.delete_chain": Operation(
        body=obj({"model": string(1)}),
        body_required=False,
        query=(query("model", string(1)),),
        status=204,
        returns=None,
    ),
    "api.keys.list_keys": Operation(returns=LISTING),
    "api.keys.create": Operation(body=obj(KEY_FIELDS, ["name"]), **CREATED),
    "api.keys.change": Operation(body=obj(KEY_FIELDS, minProperties=1)),
    "api.keys.revoke": NO_CONTENT,
    "api.aliases.list_aliases": Operation(returns=LISTING),
    "api.aliases.put_alias": Operation(
        body=obj({"pattern": PATTERN, "target": MODEL_ID}, ["pattern", "target"])
    ),
    "api.aliases.delete_alias": Operation(
        query=(query("pattern", string(1), required=True),), status=204, returns=None
    ),
    "api.models.catalog": Operation(returns=LISTING),
    "api.models.list_provider_models": Operation(
        query=(query("provider", string(0)),), returns=LISTING
    ),
    "api.models.add_provider_model": Operation(
        body=obj(
            {"provider": string(1), "modelId": MODEL_ID, "modelName": nullable(string(0, 200))},
            ["provider", "modelId"],
        ),
        **CREATED,
    ),
    "api.models.hide_provider_model": Operation(
        body=obj(
            {"provider": string(1), "modelId": MODEL_ID, "hidden": BOOLEAN},
            ["provider", "modelId", "hidden"],
        ),
    ),
    "api.models.delete_provider_model": Operation(
        query=(query("provider", string(1), True), query("model", MODEL_ID, True)),
        status=204,
        returns=None,
    ),
    "api.pricing.get_pricing": Operation(returns=LISTING),
    "api.pricing.patch_pricing": Operation(
        body=obj(
            {
                "provider": string(1),
                "model": string(1, 200),
                "input": PRICE,
                "output": PRICE,
                "cachedInput": nullable(PRICE),
                "cacheWrite": nullable(PRICE),
            },
            ["provider", "model", "input", "output"],
        ),
        returns=LISTING,
    ),
    "api.pricing.delete_pricing": Operation(
        query=(query("provider", string(0)), query("model", string(0))), status=204, returns=None
    ),
    "api.budgets.get_budgets": Operation(returns=LISTING),
    "api.budgets.post_budget": Operation(
        body=obj(
            {
                "keyId": {"anyOf": [integer(), string(1, pattern="^[0-9]+$")]},
                "limit": number(0, api_budgets.MAX_LIMIT),
                "period": one_of(PERIODS),
                "warnAt": integer(1, 100),
            },
            ["keyId", "limit"],
        ),
    ),
    "api.budgets.delete_budget": Operation(
        query=(query("keyId", integer(), required=True),), status=204, returns=None
    ),
    "api.provider_nodes.list_nodes": Operation(returns=LISTING),
    "api.provider_nodes.create_node": Operation(
        body=obj(NODE_FIELDS, ["name", "prefix", "baseUrl"]), **CREATED
    ),
    "api.provider_nodes.update_node": Operation(body=obj(NODE_FIELDS)),
    "api.provider_nodes.delete_node": NO_CONTENT,
    "api.oauth.start": Operation(
        query=(
            query("flow", one_of(tuple(flow for flow in FLOWS if flow != "import"))),
            query("region", string(1, 32)),
        )
    ),
    "api.oauth.callback": Operation(
        body=obj({"value": string(1, 8192), "state": string(1, 200)}, ["value"])
    ),
    "api.oauth.status": Operation(query=(query("state", string(1, 200), required=True),)),
    "api.oauth.import_credentials": Operation(
        body=obj({"content": string(1, 200_000), "path": string(1, 4096)}), **CREATED
    ),
    "api.providers.list_connections": Operation(returns=LISTING),
    "api.providers.create_connection": Operation(
        body=obj(CONNECTION_FIELDS, ["provider"]), **CREATED
    ),
    "api.providers.update_connection": Operation(body=obj(CONNECTION_FIELDS)),
    "api.providers.delete_connection": NO_CONTENT,
    "api.providers.test_all_connections": Operation(
        body=obj({"provider": string(1, 64)}), returns=LISTING
    ),
    "api.resilience.patch_resilience": Operation(body=RESILIENCE_CHANGES),
    "api.resilience.post_reset": Operation(
        body=obj(
            {
                "provider": string(0),
                "account": {"anyOf": [integer(), string(1)]},
                "lockout": obj(
                    {"kind": one_of(("login", "apiKey")), "identifier": string(0)}, ["kind"]
                ),
            },
            closed=True,
        ),
        body_required=False,
        returns=obj({"reset": BOOLEAN}, ["reset"]),
    ),
    "api.health.telemetry_summary": Operation(
        query=(query("window", number(1, health_api.MAX_WINDOW_SECONDS)),)
    ),
    "api.settings.patch_settings": Operation(body=ROUTING_CHANGES),
    "api.ip_access.put_ip_access": Operation(body=IP_ACCESS_RULES, returns=IP_ACCESS_RULES),
    "api.blocked_providers.put_blocked_providers": Operation(
        body=BLOCKED_PROVIDERS, returns=BLOCKED_PROVIDERS
    ),
    "api.settings_proxy.put_proxy_settings": Operation(body=PROXY_LEVELS),
    "api.settings_proxy.delete_proxy": Operation(
        query=(
            query("level", one_of(("global", "provider", "combo", "key")), required=True),
            query("id", string(1)),
        )
    ),
    "api.settings_proxy.test_proxy": Operation(
        body=PROXY_TEST,
        returns=obj(
            {"ok": BOOLEAN, "latencyMs": nullable(number(0, 1e9)), "error": nullable(string(0))},
            ["ok", "latencyMs", "error"],
        ),
    ),
    "api.translator.translate_body": Operation(
        body=obj(
            {
                "from": one_of(FORMATS),
                "to": one_of(FORMATS),
                "kind": one_of(KINDS),
                "body": {"type": ["object", "string"]},
                "model": string(0),
            },
            ["from", "to", "body"],
        ),
    ),
    "api.translator.send_chat": Operation(
        body=obj(
            {
                "model": string(1, 200),
                "format": one_of(FORMATS),
                "message": string(0, 100_000),
                "body": OBJECT,
                "system": string(0),
                "stream": BOOLEAN,
                "maxTokens": integer(1),
            },
            ["model"],
        ),
        streams_on_request=True,
    ),
    "api.translator.run_bench": Operation(
        body=obj({"live": BOOLEAN, "model": string(1)}), body_required=False
    ),
    "api.translator.monitor_stream": Operation(
        query=tuple(query(key, string(0)) for key in FILTER_KEYS),
        returns={"type": "string"},
        media_type="text/event-stream",
    ),
    "api.translator.recent_events": Operation(returns=LISTING),
    "api.translator.list_examples": Operation(returns=LISTING),
    "api.usage.get_summary": Operation(
        query=(
            query("from", MOMENT),
            query("to", MOMENT),
            query("groupBy", one_of(GROUP_BY)),
            query("bucket", one_of(api_usage.BUCKETS)),
        ),
    ),
    "api.usage.get_requests": Operation(
        query=(
            *USAGE_FILTERS,
            query("before", integer()),
            query("limit", integer(1, api_usage.MAX_PAGE_SIZE)),
        ),
        returns=obj({"data": array(OBJECT), "nextBefore": nullable(integer())}, ["data"]),
    ),
    "api.usage.export_csv": Operation(
        query=USAGE_FILTERS, returns={"type": "string"}, media_type="text/csv"
    ),
    "api.costs_export.export_costs": Operation(
        query=(
            query("format", {"type": "string", "enum": ["csv", "json"]}),
            query("days", integer(1, api_export.MAX_DAYS)),
        ),
        returns={"type": "string"},
        media_type="text/csv",
        also_returns=(("application/json", OBJECT),),
    ),
    **BACKUP_OPERATIONS,
}

# Unsafe methods that read no body: they act on the path alone.
BODILESS = {
    "api.auth.logout",
    "api.auth.logout_all",
    "api.providers.test_connection",
    "api.providers.refresh_connection",
    "api.providers.poll_quota",
    "api.model_sync.sync_models",
    "api.model_sync.sync_all_models",
    "api.sync.sync_now",
    "api.backups.create_backup",
    "api.backups.restore_backup",
}
