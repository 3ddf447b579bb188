"""The numbered schema migrations: the schema's whole history as SQL, oldest first.

A migration is plain SQL written once and never edited after it ships; `{pk}`, `{bool}`, `{ts}`,
`{float}`, `{false}` and `{created_hour}` stand for what differs between SQLite and PostgreSQL
(DIALECT_TYPES). An upgrade only adds: tables, columns, indexes, and rows derived from rows
already there. Nothing is dropped or rewritten in place. `migrations.migrate()` runs them.
"""

from __future__ import annotations

from dataclasses import dataclass

DIALECT_TYPES = {
    "sqlite": {
        "pk": "INTEGER PRIMARY KEY AUTOINCREMENT",
        "bool": "INTEGER",
        "ts": "DATETIME",
        "float": "REAL",
        "false": "0",
        # the hour a usage row falls in, as the writer keys usage_hourly ('2025-03-10 08:00:00')
        "created_hour": "strftime('%Y-%m-%d %H:00:00', created_at)",
    },
    "postgresql": {
        "pk": "SERIAL PRIMARY KEY",
        "bool": "BOOLEAN",
        "ts": "TIMESTAMP",
        "float": "DOUBLE PRECISION",
        "false": "FALSE",
        "created_hour": "date_trunc('hour', created_at)",
    },
}


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


# Migration 7 created usage_hourly empty; from then on the writer adds each batch's rollups in
# the batch's transaction. So exactly the rows created before migration 7's applied_at lack
# them: this sums those rows (keyed as the writer keys them: no key → 0, no provider or model →
# '', errors = status >= 400) and adds them to usage_hourly. A group the writer already has
# (the hour the upgrade to 7 happened in) is added to, not replaced; rows from that moment on are
# never read again, so nothing counts twice. A database upgraded from ≤ 6 applies 7 and 9 in one
# run, so every row it holds is older than 7 and is summed here.
BACKFILL_ROLLUPS = """
    INSERT INTO usage_hourly (
        hour, api_key_id, provider, model, requests, errors,
        prompt_tokens, completion_tokens, cache_read_tokens, cache_write_tokens,
        reasoning_tokens, cost_usd, list_cost_usd, latency_ms_sum)
    SELECT
        {created_hour}, COALESCE(api_key_id, 0), COALESCE(provider, ''), COALESCE(model, ''),
        COUNT(*), SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END),
        SUM(prompt_tokens), SUM(completion_tokens), SUM(cache_read_tokens),
        SUM(cache_write_tokens), SUM(reasoning_tokens), SUM(cost_usd), SUM(list_cost_usd),
        SUM(latency_ms)
    FROM usage_records
    WHERE created_at < (SELECT applied_at FROM schema_migrations WHERE version = 7)
        AND {created_hour} IS NOT NULL
    GROUP BY {created_hour}, COALESCE(api_key_id, 0), COALESCE(provider, ''), COALESCE(model, '')
    ON CONFLICT (hour, api_key_id, provider, model) DO UPDATE SET
        requests = usage_hourly.requests + excluded.requests,
        errors = usage_hourly.errors + excluded.errors,
        prompt_tokens = usage_hourly.prompt_tokens + excluded.prompt_tokens,
        completion_tokens = usage_hourly.completion_tokens + excluded.completion_tokens,
        cache_read_tokens = usage_hourly.cache_read_tokens + excluded.cache_read_tokens,
        cache_write_tokens = usage_hourly.cache_write_tokens + excluded.cache_write_tokens,
        reasoning_tokens = usage_hourly.reasoning_tokens + excluded.reasoning_tokens,
        cost_usd = usage_hourly.cost_usd + excluded.cost_usd,
        list_cost_usd = usage_hourly.list_cost_usd + excluded.list_cost_usd,
        latency_ms_sum = usage_hourly.latency_ms_sum + excluded.latency_ms_sum"""


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "initial schema: settings, provider connections, usage records",
        (
            """CREATE TABLE app_settings (
                key VARCHAR(100) PRIMARY KEY,
                value TEXT NOT NULL)""",
            """CREATE TABLE provider_connections (
                id {pk},
                provider VARCHAR(64) NOT NULL,
                name VARCHAR(200) NOT NULL,
                api_key_encrypted TEXT NOT NULL,
                api_key_hint VARCHAR(8) NOT NULL DEFAULT '',
                base_url TEXT,
                test_model VARCHAR(200),
                is_active {bool} NOT NULL,
                priority INTEGER NOT NULL DEFAULT 1,
                created_at {ts} NOT NULL,
                updated_at {ts} NOT NULL,
                last_test_ok {bool},
                last_test_error TEXT,
                last_test_latency_ms {float},
                last_tested_at {ts})""",
            "CREATE INDEX provider_connections_provider ON provider_connections (provider)",
            """CREATE TABLE usage_records (
                id {pk},
                created_at {ts} NOT NULL,
                endpoint VARCHAR(64) NOT NULL,
                provider VARCHAR(64),
                connection_id INTEGER,
                requested_model VARCHAR(200),
                model VARCHAR(200),
                status INTEGER NOT NULL,
                stream {bool} NOT NULL,
                prompt_tokens INTEGER NOT NULL DEFAULT 0,
                completion_tokens INTEGER NOT NULL DEFAULT 0,
                latency_ms {float} NOT NULL DEFAULT 0,
                ttft_ms {float},
                error TEXT)""",
            "CREATE INDEX usage_records_created_at ON usage_records (created_at)",
        ),
    ),
    Migration(
        2,
        "API keys for /v1, and which key made each request",
        (
            """CREATE TABLE api_keys (
                id {pk},
                name VARCHAR(200) NOT NULL,
                key_prefix VARCHAR(32) NOT NULL,
                key_hash VARCHAR(64) NOT NULL UNIQUE,
                created_at {ts} NOT NULL,
                revoked_at {ts})""",
            "ALTER TABLE usage_records ADD COLUMN api_key_id INTEGER",
        ),
    ),
    Migration(
        3,
        "provider nodes (user-defined endpoints); formats, cache and reasoning tokens in usage",
        (
            """CREATE TABLE provider_nodes (
                id {pk},
                name VARCHAR(200) NOT NULL,
                prefix VARCHAR(64) NOT NULL UNIQUE,
                base_url TEXT NOT NULL,
                api_type VARCHAR(16) NOT NULL,
                api_key_encrypted TEXT,
                api_key_hint VARCHAR(8) NOT NULL DEFAULT '',
                is_active {bool} NOT NULL,
                created_at {ts} NOT NULL,
                updated_at {ts} NOT NULL)""",
            "ALTER TABLE usage_records ADD COLUMN format_in VARCHAR(16)",
            "ALTER TABLE usage_records ADD COLUMN format_out VARCHAR(16)",
            "ALTER TABLE usage_records ADD COLUMN cache_read_tokens INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE usage_records ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE usage_records ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE usage_records ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
        ),
    ),
    Migration(
        4,
        "custom models per provider, and hidden catalog models",
        (
            """CREATE TABLE provider_models (
                id {pk},
                provider VARCHAR(64) NOT NULL,
                model_id VARCHAR(200) NOT NULL,
                model_name VARCHAR(200) NOT NULL DEFAULT '',
                hidden {bool} NOT NULL,
                created_at {ts} NOT NULL,
                UNIQUE (provider, model_id))""",
        ),
    ),
    Migration(
        5,
        "model aliases: exact names and wildcard patterns mapped to a target model",
        (
            """CREATE TABLE model_aliases (
                id {pk},
                pattern VARCHAR(200) NOT NULL UNIQUE,
                target VARCHAR(200) NOT NULL,
                created_at {ts} NOT NULL)""",
        ),
    ),
    Migration(
        6,
        "combos, fallback chains, and each request's attempt chain",
        (
            """CREATE TABLE combos (
                id {pk},
                name VARCHAR(100) NOT NULL UNIQUE,
                strategy VARCHAR(32) NOT NULL,
                targets TEXT NOT NULL,
                created_at {ts} NOT NULL,
                updated_at {ts} NOT NULL)""",
            """CREATE TABLE fallback_chains (
                id {pk},
                model VARCHAR(200) NOT NULL UNIQUE,
                name VARCHAR(100) NOT NULL DEFAULT '',
                models TEXT NOT NULL,
                created_at {ts} NOT NULL)""",
            "ALTER TABLE usage_records ADD COLUMN attempt_chain TEXT",
        ),
    ),
    Migration(
        7,
        "costs, prices, budgets, hourly usage rollups, key expiry and allowed models",
        (
            "ALTER TABLE usage_records ADD COLUMN cost_usd {float} NOT NULL DEFAULT 0",
            "ALTER TABLE usage_records ADD COLUMN list_cost_usd {float} NOT NULL DEFAULT 0",
            "ALTER TABLE usage_records ADD COLUMN estimated {bool} NOT NULL DEFAULT {false}",
            "ALTER TABLE usage_records ADD COLUMN request_id VARCHAR(32)",
            "CREATE INDEX usage_records_key_time ON usage_records (api_key_id, created_at)",
            "ALTER TABLE api_keys ADD COLUMN expires_at {ts}",
            "ALTER TABLE api_keys ADD COLUMN allowed_models TEXT",
            "ALTER TABLE api_keys ADD COLUMN last_used_at {ts}",
            """CREATE TABLE model_prices (
                id {pk},
                provider VARCHAR(64) NOT NULL,
                model_id VARCHAR(200) NOT NULL,
                input_price {float} NOT NULL,
                output_price {float} NOT NULL,
                cached_input_price {float},
                cache_write_price {float},
                updated_at {ts} NOT NULL,
                UNIQUE (provider, model_id))""",
            """CREATE TABLE budgets (
                id {pk},
                api_key_id INTEGER NOT NULL UNIQUE,
                limit_usd {float} NOT NULL,
                period VARCHAR(16) NOT NULL,
                warn_percent INTEGER NOT NULL DEFAULT 80,
                created_at {ts} NOT NULL)""",
            """CREATE TABLE usage_hourly (
                id {pk},
                hour {ts} NOT NULL,
                api_key_id INTEGER NOT NULL DEFAULT 0,
                provider VARCHAR(64) NOT NULL DEFAULT '',
                model VARCHAR(200) NOT NULL DEFAULT '',
                requests INTEGER NOT NULL DEFAULT 0,
                errors INTEGER NOT NULL DEFAULT 0,
                prompt_tokens INTEGER NOT NULL DEFAULT 0,
                completion_tokens INTEGER NOT NULL DEFAULT 0,
                cache_read_tokens INTEGER NOT NULL DEFAULT 0,
                cache_write_tokens INTEGER NOT NULL DEFAULT 0,
                reasoning_tokens INTEGER NOT NULL DEFAULT 0,
                cost_usd {float} NOT NULL DEFAULT 0,
                list_cost_usd {float} NOT NULL DEFAULT 0,
                latency_ms_sum {float} NOT NULL DEFAULT 0,
                UNIQUE (hour, api_key_id, provider, model))""",
            """CREATE TABLE request_logs (
                id {pk},
                request_id VARCHAR(32) NOT NULL UNIQUE,
                created_at {ts} NOT NULL,
                api_key_id INTEGER,
                endpoint VARCHAR(64) NOT NULL,
                requested_model VARCHAR(200),
                provider VARCHAR(64),
                status INTEGER NOT NULL,
                request_body TEXT,
                response_body TEXT)""",
            "CREATE INDEX request_logs_time ON request_logs (created_at)",
        ),
    ),
    Migration(
        8,
        "indexes for the request log's filters (provider, model, errors), newest first",
        (
            "CREATE INDEX usage_records_provider_time ON usage_records (provider, created_at)",
            "CREATE INDEX usage_records_model_time ON usage_records (model, created_at)",
            "CREATE INDEX usage_records_error_time ON usage_records (created_at) "
            "WHERE status >= 400",
        ),
    ),
    Migration(
        9,
        "backfill the hourly rollups from usage rows older than migration 7 (newer rows were "
        "rolled up by the writer)",
        (BACKFILL_ROLLUPS,),
    ),
    Migration(
        10,
        "signed-in accounts as connections: credential kind, sealed token set, account label, "
        "sign-in state, last quota snapshot, cross-process refresh lease",
        (
            "ALTER TABLE provider_connections "
            "ADD COLUMN auth_kind VARCHAR(16) NOT NULL DEFAULT 'api_key'",
            "ALTER TABLE provider_connections ADD COLUMN oauth_tokens_encrypted TEXT",
            "ALTER TABLE provider_connections ADD COLUMN account_label VARCHAR(200)",
            "ALTER TABLE provider_connections "
            "ADD COLUMN sign_in_state VARCHAR(16) NOT NULL DEFAULT 'ok'",
            "ALTER TABLE provider_connections ADD COLUMN sign_in_reason TEXT",
            "ALTER TABLE provider_connections ADD COLUMN quota_snapshot TEXT",
            "ALTER TABLE provider_connections ADD COLUMN quota_updated_at {ts}",
            "ALTER TABLE provider_connections ADD COLUMN refresh_lease_until {float}",
            "CREATE UNIQUE INDEX provider_connections_signed_in_account "
            "ON provider_connections (provider, account_label) "
            "WHERE auth_kind = 'oauth' AND account_label <> ''",
        ),
    ),
    Migration(
        11,
        "a combo's own system prompt (NULL: the global one from Settings → AI)",
        ("ALTER TABLE combos ADD COLUMN system_prompt TEXT",),
    ),
    Migration(
        12,
        "usage rows answered from memory (the response cache, idempotency): served_from",
        ("ALTER TABLE usage_records ADD COLUMN served_from VARCHAR(16)",),
    ),
    Migration(
        13,
        "the request log's client headers (secrets redacted before storing); usage rows looked "
        "up by request id (the request detail drawer) and by the model asked for (request counts "
        "per combo)",
        (
            "ALTER TABLE request_logs ADD COLUMN request_headers TEXT",
            "CREATE INDEX usage_records_request_id ON usage_records (request_id)",
            "CREATE INDEX usage_records_requested_time "
            "ON usage_records (requested_model, created_at)",
        ),
    ),
    Migration(
        14,
        "a connection's cloud-platform options (Azure deployments, Vertex project and region, "
        "Cloudflare account id) as JSON",
        ("ALTER TABLE provider_connections ADD COLUMN options TEXT",),
    ),
    Migration(
        15,
        "models synced from a provider's own list: where a model row came from (user or "
        "synced), when a sync last listed it, when the provider stopped listing it (retired)",
        (
            "ALTER TABLE provider_models ADD COLUMN source VARCHAR(16) NOT NULL DEFAULT 'user'",
            "ALTER TABLE provider_models ADD COLUMN synced_at {ts}",
            "ALTER TABLE provider_models ADD COLUMN retired_at {ts}",
        ),
    ),
)


LATEST_VERSION = max(migration.version for migration in MIGRATIONS)
