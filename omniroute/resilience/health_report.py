"""The health report: everything the Health page and `GET /api/health` show, as one dict.

System status (uptime, version, memory, data dir, database size, and the usage writer: rows
saved, rows the database refused and the dead-letter file that keeps them; with REDIS_URL,
whether Redis answers), provider health
(breaker per usable provider), rate limits (accounts resting, with the time left and why;
rate-limited accounts' queues), active lockouts, the gateway's own tables (the response cache,
the idempotency table and session affinity: entries, hits, hit rate, bytes) and latency
telemetry. Reads in-memory state and one cheap database size query. The web layer adds the
providers' prompt caches (store/prompt_cache.py): web/health/report.py.
"""

from __future__ import annotations

import os
import time

from peewee import PostgresqlDatabase

from ..providers.accounts import account_key
from ..version import __version__


def rss_mb() -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def database_size(database) -> int | None:
    if isinstance(database, PostgresqlDatabase):
        with database.connection_context():
            return database.execute_sql("SELECT pg_database_size(current_database())").fetchone()[0]
    path = getattr(database, "database", None)
    if not path or path == ":memory:":
        return None
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))


def account_names(table) -> dict:
    """account key → (provider id, account name) for every usable account."""
    return {
        account_key(account): (route.spec.id, account.name)
        for route in table.usable_routes()
        for account in route.accounts
    }


def build_health_report(services) -> dict:
    resilience = services.resilience
    table = services.routes.snapshot()
    names = account_names(table)
    shared = services.shared_state
    breakers = {item["provider"]: item for item in resilience.breakers.snapshot()}
    providers = sorted({route.spec.id for route in table.usable_routes()} | set(breakers))
    return {
        "system": {
            "status": "ok",
            "version": __version__,
            "uptimeSeconds": round(time.time() - services.started_at, 1),
            "rssMb": rss_mb(),
            "dataDir": services.settings["DATA_DIR"],
            "databaseBytes": database_size(services.database),
            "usageWriter": {
                "rowsWritten": services.usage.rows_written,
                "deadLetters": services.usage.dead_letters,
                "deadLetterFile": services.usage.dead_letter_path,
            },
            "sharedState": shared.health() if shared is not None else None,  # REDIS_URL
        },
        "providers": [breakers.get(p) or _closed(p) for p in providers],
        "rateLimits": [
            {
                "account": account,
                "provider": names.get(account, (None, None))[0],
                "accountName": names.get(account, (None, str(account)))[1],
                "model": model,
                "remainingSeconds": round(left, 1),
                "reason": reason,
            }
            for account, model, left, reason in resilience.cooldowns.active()
        ],
        "queues": [
            {"account": account, "accountName": names.get(account, (None, str(account)))[1], **q}
            for account, q in resilience.limiter.snapshot().items()
        ],
        "lockouts": _lockouts(resilience),
        **gateway_tables(services.pipeline),
        "latency": services.telemetry.summary(),
    }


EMPTY_TABLE = {"hits": 0, "misses": 0, "hit_rate": 0.0, "entries": 0, "bytes": 0}


def _table(stats: dict) -> dict:
    """A replay table's stats (replay/response_cache.py, replay/idempotency.py), camelCase."""
    return {
        "entries": stats["entries"],
        "hits": stats["hits"],
        "misses": stats["misses"],
        "hitRate": round(stats["hit_rate"], 4),
        "bytes": stats["bytes"],
    }


def gateway_tables(pipeline) -> dict:
    """The response cache, idempotency and session-affinity tables of the pipeline."""
    replay = pipeline.replay.stats() if pipeline.replay is not None else {}
    affinity = pipeline.affinity.stats() if pipeline.affinity is not None else {}
    return {
        "cache": _table(replay.get("cache", EMPTY_TABLE)),
        "idempotency": _table(replay.get("idempotency", EMPTY_TABLE)),
        "affinity": {
            "entries": affinity.get("entries", 0),
            "kept": affinity.get("kept", 0),
            "moved": affinity.get("moved", 0),
        },
    }


def _closed(provider: str) -> dict:
    return {
        "provider": provider,
        "state": "closed",
        "probing": False,
        "recentFailures": 0,
        "totalFailures": 0,
        "retryInSeconds": 0.0,
        "cooldownSeconds": None,  # no breaker yet: it gets its profile on first use
    }


def _lockouts(resilience) -> list[dict]:
    kinds = (("login", resilience.login_lockout), ("apiKey", resilience.key_lockout))
    return [
        {"kind": kind, "identifier": identifier, "remainingSeconds": round(left, 1)}
        for kind, lockout in kinds
        for identifier, left in sorted(lockout.locked().items())
    ]
