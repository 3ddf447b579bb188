"""peewee models: the tables OmniRoute keeps. The schema itself is created by migrations.py.

Models are bound to `database_proxy`, which answers with the database of the app being served
(`store.app_database`: SQLite or PostgreSQL, opened by `store.database.open_database()`). Views
never query these directly: they call the query functions in `store/`.
"""

from __future__ import annotations

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateTimeField,
    FloatField,
    IntegerField,
    Model,
    TextField,
)

from ..clock import utcnow
from .app_database import AppDatabaseProxy

database_proxy = AppDatabaseProxy()


class BaseModel(Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


class AppSetting(BaseModel):
    """Key/value settings that the dashboard can change (password hash, preferences)."""

    key = CharField(primary_key=True, max_length=100)
    value = TextField()

    class Meta:
        table_name = "app_settings"


class ProviderConnection(BaseModel):
    """A user's account or API key for one provider; `api_key_encrypted` is AES-GCM sealed."""

    id = AutoField()
    provider = CharField(max_length=64, index=True)
    name = CharField(max_length=200)
    api_key_encrypted = TextField()
    api_key_hint = CharField(max_length=8, default="")
    base_url = TextField(null=True)
    test_model = CharField(max_length=200, null=True)
    is_active = BooleanField(default=True)
    priority = IntegerField(default=1)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    last_test_ok = BooleanField(null=True)
    last_test_error = TextField(null=True)
    last_test_latency_ms = FloatField(null=True)
    last_tested_at = DateTimeField(null=True)
    # A signed-in account (migration 10; store/oauth_accounts.py). The columns default to
    # api_key / ok in the database; None here only means "not set by this insert".
    auth_kind = CharField(max_length=16, null=True)  # api_key | oauth
    oauth_tokens_encrypted = TextField(null=True)  # the sealed token set (one JSON blob)
    account_label = CharField(max_length=200, null=True)  # e-mail or login
    sign_in_state = CharField(max_length=16, null=True)  # ok | sign_in_again
    sign_in_reason = TextField(null=True)
    quota_snapshot = TextField(null=True)  # JSON, as the quota reader last saw it
    quota_updated_at = DateTimeField(null=True)
    refresh_lease_until = FloatField(null=True)  # unix seconds: a process is refreshing
    # A cloud platform's non-secret settings as JSON (migration 14; providers/cloud.py)
    options = TextField(null=True)

    class Meta:
        table_name = "provider_connections"


class UsageRecord(BaseModel):
    """One /v1 request: who answered it, how long it took and how many tokens it used."""

    id = AutoField()
    created_at = DateTimeField(default=utcnow, index=True)
    endpoint = CharField(max_length=64)
    provider = CharField(max_length=64, null=True)
    connection_id = IntegerField(null=True)
    requested_model = CharField(max_length=200, null=True)
    model = CharField(max_length=200, null=True)
    status = IntegerField()
    stream = BooleanField(default=False)
    prompt_tokens = IntegerField(default=0)
    completion_tokens = IntegerField(default=0)
    latency_ms = FloatField(default=0)
    ttft_ms = FloatField(null=True)
    error = TextField(null=True)
    api_key_id = IntegerField(null=True)
    format_in = CharField(max_length=16, null=True)
    format_out = CharField(max_length=16, null=True)
    cache_read_tokens = IntegerField(default=0)
    cache_write_tokens = IntegerField(default=0)
    reasoning_tokens = IntegerField(default=0)
    attempts = IntegerField(default=0)
    attempt_chain = TextField(null=True)  # JSON: every attempt's provider, account, model, outcome
    cost_usd = FloatField(default=0)
    list_cost_usd = FloatField(default=0)  # at list prices: what a subscription or free tier saved
    estimated = BooleanField(default=False)  # the provider reported no usage: counts estimated
    request_id = CharField(max_length=32, null=True)  # links the row to its request log
    served_from = CharField(max_length=16, null=True)  # "cache", "idempotent": no provider call

    class Meta:
        table_name = "usage_records"


class ApiKey(BaseModel):
    """A key that clients send to /v1; only its HMAC is stored, the key itself is shown once."""

    id = AutoField()
    name = CharField(max_length=200)
    key_prefix = CharField(max_length=32)
    key_hash = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)
    expires_at = DateTimeField(null=True)
    allowed_models = TextField(null=True)  # JSON list of model ids, combos or patterns
    last_used_at = DateTimeField(null=True)

    class Meta:
        table_name = "api_keys"


class ModelPrice(BaseModel):
    """A price the user set for a model (USD per 1M tokens), over the catalog's."""

    id = AutoField()
    provider = CharField(max_length=64)
    model_id = CharField(max_length=200)
    input_price = FloatField()
    output_price = FloatField()
    cached_input_price = FloatField(null=True)
    cache_write_price = FloatField(null=True)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "model_prices"
        indexes = ((("provider", "model_id"), True),)


class Budget(BaseModel):
    """A spending limit for one API key per day, week or month (UTC)."""

    id = AutoField()
    api_key_id = IntegerField(unique=True)
    limit_usd = FloatField()
    period = CharField(max_length=16)
    warn_percent = IntegerField(default=80)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "budgets"


class UsageHourly(BaseModel):
    """Usage summed per hour, API key (0: none), provider and model; kept by the usage writer."""

    id = AutoField()
    hour = DateTimeField()
    api_key_id = IntegerField(default=0)
    provider = CharField(max_length=64, default="")
    model = CharField(max_length=200, default="")
    requests = IntegerField(default=0)
    errors = IntegerField(default=0)
    prompt_tokens = IntegerField(default=0)
    completion_tokens = IntegerField(default=0)
    cache_read_tokens = IntegerField(default=0)
    cache_write_tokens = IntegerField(default=0)
    reasoning_tokens = IntegerField(default=0)
    cost_usd = FloatField(default=0)
    list_cost_usd = FloatField(default=0)
    latency_ms_sum = FloatField(default=0)

    class Meta:
        table_name = "usage_hourly"
        indexes = ((("hour", "api_key_id", "provider", "model"), True),)


class RequestLog(BaseModel):
    """A request's bodies (secrets redacted), kept only when ENABLE_REQUEST_LOGS is on."""

    id = AutoField()
    request_id = CharField(max_length=32, unique=True)
    created_at = DateTimeField(default=utcnow)
    api_key_id = IntegerField(null=True)
    endpoint = CharField(max_length=64)
    requested_model = CharField(max_length=200, null=True)
    provider = CharField(max_length=64, null=True)
    status = IntegerField()
    request_body = TextField(null=True)
    response_body = TextField(null=True)
    # the client's headers as JSON [[name, value], …], secrets redacted (migration 13)
    request_headers = TextField(null=True)

    class Meta:
        table_name = "request_logs"


class ProviderNode(BaseModel):
    """A user-defined endpoint (Ollama, vLLM, a company proxy) with its own prefix and format."""

    id = AutoField()
    name = CharField(max_length=200)
    prefix = CharField(max_length=64, unique=True)
    base_url = TextField()
    api_type = CharField(max_length=16)
    api_key_encrypted = TextField(null=True)
    api_key_hint = CharField(max_length=8, default="")
    is_active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "provider_nodes"


class ProviderModel(BaseModel):
    """A model the user added to a provider, a catalog model the user hid (`hidden`), or a
    model a sync found in the provider's own list (`source` "synced"; `retired_at` once a
    later sync no longer finds it)."""

    id = AutoField()
    provider = CharField(max_length=64)
    model_id = CharField(max_length=200)
    model_name = CharField(max_length=200, default="")
    hidden = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)
    source = CharField(max_length=16, default="user")
    synced_at = DateTimeField(null=True)
    retired_at = DateTimeField(null=True)

    class Meta:
        table_name = "provider_models"
        indexes = ((("provider", "model_id"), True),)


class ModelAlias(BaseModel):
    """A model alias: an exact name or a wildcard pattern (`*`, `?`) routed to `target`."""

    id = AutoField()
    pattern = CharField(max_length=200, unique=True)
    target = CharField(max_length=200)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "model_aliases"


class ComboRecord(BaseModel):
    """A combo: a named, ordered list of target models (JSON) with a strategy."""

    id = AutoField()
    name = CharField(max_length=100, unique=True)
    strategy = CharField(max_length=32)
    targets = TextField()
    system_prompt = TextField(null=True)  # None: the global one (Settings → AI); "": none
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "combos"


class FallbackChainRecord(BaseModel):
    """A global fallback chain: requests for `model` (a name or wildcard) fall back to `models`."""

    id = AutoField()
    model = CharField(max_length=200, unique=True)
    name = CharField(max_length=100, default="")
    models = TextField()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "fallback_chains"


class SchemaMigration(BaseModel):
    """Which numbered migrations have run."""

    version = IntegerField(primary_key=True)
    name = CharField(max_length=200)
    applied_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "schema_migrations"


ALL_MODELS = (
    AppSetting,
    ProviderConnection,
    UsageRecord,
    ApiKey,
    ProviderNode,
    ProviderModel,
    ModelAlias,
    ComboRecord,
    FallbackChainRecord,
    ModelPrice,
    Budget,
    UsageHourly,
    RequestLog,
    SchemaMigration,
)
