"""Services: the long-lived parts of one running gateway, built once at start-up."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .access.gate import AccessGate
from .access.store import load_blocked_providers
from .admin_password import ensure_admin_password
from .backups.operations import backup_before_migrations, schedule_backups
from .backups.schedule import BackupSchedule
from .config_watch import ConfigWatch
from .fanout import FanOut
from .metrics.registry import GatewayMetrics
from .metrics.sources import LiveSources
from .proxies.resolve import ENV_PROXY_SETTINGS, ProxyResolver
from .proxies.store import load_proxy_settings
from .proxies.upstream import RoutedUpstream
from .proxy.client_auth import ClientAuthenticator, key_requirement
from .proxy.pipeline import Pipeline
from .proxy.transport import TransportSelector
from .replay.gate import ReplayGate
from .resilience.lockout import Lockout
from .resilience.state import ResilienceState
from .routing.affinity import SessionAffinity
from .routing.state import RoutingState
from .routing.table import build_routing_table
from .shared_state.install import budget_ledger, connect_shared_state, install_shared_state
from .store.affinity_options import load_affinity_options
from .store.api_keys import load_active_key_hashes
from .store.app_settings import load_resilience_settings, load_routing_policy
from .store.budgets import load_budgets, spent_since
from .store.combos import load_combos
from .store.config_version import config_version
from .store.connections import load_active_connections
from .store.database import open_database
from .store.fallback_chains import load_chains
from .store.gateway_options import load_ai_policy
from .store.migrations import dialect_of, migrate
from .store.model_aliases import load_aliases
from .store.pricing import load_price_overrides
from .store.provider_nodes import load_active_nodes
from .store.replay_options import load_replay_options
from .store.secret_box import SecretBox
from .store.secret_files import ensure_data_dir, read_or_create_secret
from .store.snapshot_cache import SnapshotCache
from .store.usage_batches import UsageBatchStore
from .subscription_services import SubscriptionServices, build_subscription_services
from .sync.puller import SyncPuller
from .tracing import start_tracing
from .translator.monitor import LiveMonitor
from .usage.accounting import Accounting
from .usage.budgets import BudgetLedger
from .usage.pricing import PricingTable
from .usage.telemetry import LatencyTelemetry
from .usage.writer import UsageWriter


@dataclass
class Services:
    settings: dict[str, Any]
    database: Any
    box: SecretBox
    routes: SnapshotCache
    client_auth: ClientAuthenticator
    api_key_secret: str
    session_secret: str
    upstream: RoutedUpstream
    usage: UsageWriter
    pipeline: Pipeline
    login_lockout: Lockout
    resilience: ResilienceState
    telemetry: LatencyTelemetry
    pricing: PricesOf
    budgets: BudgetLedger
    monitor: LiveMonitor
    fanout: FanOut
    subscriptions: SubscriptionServices
    access: AccessGate
    ai_policy: SnapshotCache  # Settings → AI (routing/ai_policy.py), read once per request
    metrics: GatewayMetrics  # GET /metrics (counted from usage rows on the writer's thread)
    started_at: float = field(default_factory=time.time)
    backup_schedule: BackupSchedule | None = None
    config_watch: ConfigWatch | None = None  # other processes' configuration changes
    shared_state: Any = None  # REDIS_URL: client and event listener (shared_state/install.py)
    sync: SyncPuller = field(init=False)  # sync between instances: pulls from CLOUD_URL

    @property
    def proxies(self) -> ProxyResolver:
        """The outbound proxy settings as calls are routed by them."""
        return self.upstream.resolver

    @property
    def signin(self):
        """The sign-in service the dashboard drives (subscription accounts)."""
        return self.subscriptions.signin

    def reload(self) -> None:
        """Read everything kept in memory from the database again (after the database was
        replaced or its configuration changed as a whole: an import, a restore, a sync)."""
        self.routes.invalidate()  # providers, nodes, combos, aliases, chains, prices, policy
        self.client_auth.key_hashes.invalidate()
        self.ai_policy.invalidate()
        self.proxies.invalidate()
        self.access.invalidate()
        if self.pipeline.replay is not None:
            self.pipeline.replay.invalidate()
        if self.pipeline.affinity is not None:
            self.pipeline.affinity.invalidate()
        with self.database.connection_context():
            self.resilience.apply(load_resilience_settings())
            self.budgets.set_budgets(load_budgets())

    def close(self) -> None:
        """Flush pending usage rows and release connections (graceful shutdown)."""
        if self.backup_schedule is not None:
            self.backup_schedule.stop()
        self.sync.stop()
        if self.config_watch is not None:
            self.config_watch.stop()
        self.monitor.close()  # open live-monitor feeds end
        self.subscriptions.signin.close()  # loopback sign-in listeners still open
        self.usage.stop()
        if self.pipeline.tracer is not None:
            self.pipeline.tracer.close()  # the spans of the last requests are sent
        self.upstream.close()
        self.fanout.close()
        if self.shared_state is not None:
            self.shared_state.close()
        if hasattr(self.database, "close_all"):
            self.database.close_all()


class PricesOf:
    """The pricing table as the routing snapshot holds it (one snapshot for both: a price
    change invalidates the routes, and the combo cost strategy and accounting see it alike)."""

    def __init__(self, routes: SnapshotCache):
        self._routes = routes

    def snapshot(self) -> PricingTable:
        return self._routes.snapshot().prices

    def invalidate(self) -> None:
        self._routes.invalidate()


def _spent(database, key_id: int, start) -> float:
    with database.connection_context():
        return spent_since(key_id, start)


def build_services(settings: dict[str, Any]) -> Services:
    """Open the data dir and database (migrating it), load secrets, start the usage writer."""
    shared = connect_shared_state(settings)  # REDIS_URL: refuse to start when unreachable
    data_dir = settings["DATA_DIR"]
    ensure_data_dir(data_dir)
    database = open_database(settings["DATABASE_URL"], pool_size=settings["THREADS"])
    backup_before_migrations(database, data_dir)
    migrate(database)
    box = SecretBox.from_settings(settings["STORAGE_ENCRYPTION_KEY"], data_dir)
    with database.connection_context():
        ensure_admin_password(settings["INITIAL_PASSWORD"], data_dir)
        resilience = ResilienceState(load_resilience_settings())
    api_key_secret = settings["API_KEY_SECRET"] or read_or_create_secret(data_dir, "api-key-secret")
    require_key, require_reason = key_requirement(settings)
    metrics = GatewayMetrics()
    usage = UsageWriter(
        UsageBatchStore(database),
        settings["USAGE_FLUSH_SECONDS"],
        log_hours=settings["REQUEST_LOG_HOURS"],
        data_dir=data_dir,
        observe=metrics.observe_rows,
        retention_days=settings["USAGE_RETENTION_DAYS"],
    )
    telemetry = LatencyTelemetry()
    client_auth = ClientAuthenticator(
        api_key_secret,
        SnapshotCache(database, load_active_key_hashes),
        require_key,
        resilience.key_lockout,
        require_reason,
    )
    budgets = budget_ledger(shared, lambda key_id, start: _spent(database, key_id, start))
    with database.connection_context():
        budgets.set_budgets(load_budgets())
    usage.start()
    routes = SnapshotCache(
        database,
        lambda: build_routing_table(
            load_active_connections(box),
            load_active_nodes(box),
            load_aliases(),
            load_combos(),
            load_chains(),
            load_routing_policy(),
            PricingTable(load_price_overrides()),
            load_blocked_providers(),
        ),
    )
    with database.connection_context():
        proxies = ProxyResolver(
            lambda: load_proxy_settings(box),
            {name: settings[name] for name in ENV_PROXY_SETTINGS if settings[name]},
            settings["UPSTREAM_CA_BUNDLE"],
        )
    upstream = RoutedUpstream(
        TransportSelector(
            settings["THREADS"],
            settings["UPSTREAM_CONNECT_TIMEOUT"],
            settings["UPSTREAM_READ_TIMEOUT"],
            settings["UPSTREAM_IDLE_TIMEOUT"],
        ),
        proxies,
    )
    monitor = LiveMonitor()
    fanout = FanOut()
    subscriptions = build_subscription_services(data_dir, database, box, routes, fanout, proxies)
    ai_policy = SnapshotCache(database, load_ai_policy)
    replay = ReplayGate(SnapshotCache(database, load_replay_options))
    affinity = SessionAffinity(SnapshotCache(database, load_affinity_options))
    services = Services(
        settings=settings,
        database=database,
        box=box,
        routes=routes,
        client_auth=client_auth,
        api_key_secret=api_key_secret,
        session_secret=settings["JWT_SECRET"] or read_or_create_secret(data_dir, "jwt-secret"),
        upstream=upstream,
        usage=usage,
        pipeline=Pipeline(
            routes,
            upstream,
            usage,
            RoutingState(resilience=resilience),
            telemetry,
            Accounting(PricesOf(routes), budgets),
            client_auth.check_model,
            monitor=monitor,
            request_logs=settings["ENABLE_REQUEST_LOGS"],
            keepalive_seconds=settings["STREAM_KEEPALIVE_SECONDS"],
            progress_seconds=settings["PROGRESS_INTERVAL_SECONDS"],
            subscriptions=subscriptions.calls,
            proxies=proxies,
            ai_policy=ai_policy,
            affinity=affinity,
            replay=replay,
            tracer=start_tracing(settings),  # OTEL_EXPORTER_OTLP_ENDPOINT; None: off
        ),
        login_lockout=resilience.login_lockout,
        resilience=resilience,
        telemetry=telemetry,
        pricing=PricesOf(routes),
        budgets=budgets,
        monitor=monitor,
        fanout=fanout,
        subscriptions=subscriptions,
        access=AccessGate(database),
        ai_policy=ai_policy,
        metrics=metrics,
    )
    metrics.watch(LiveSources(resilience, routes, subscriptions.quotas, usage))
    services.backup_schedule = schedule_backups(services, fanout.submit)
    services.sync = SyncPuller(services)
    services.sync.start()  # only with CLOUD_URL set
    if dialect_of(database) == "postgresql" or settings["WEB_CONCURRENCY"] > 1:
        services.config_watch = ConfigWatch(config_version(database, data_dir), services.reload)
        services.config_watch.start()
    install_shared_state(services, shared)
    return services
