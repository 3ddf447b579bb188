"""PostgreSQL for several instances (a real PostgreSQL on loopback, tests/pg_server.py).

- Two real `python app.py` instances started together on one fresh database both come up, and
  each migration is recorded once (the advisory lock around the migrations).
- Usage retention: the usage writer deletes usage rows and request logs older than
  USAGE_RETENTION_DAYS, in batches, and keeps the newer rows and the hourly rollups.
- A configuration change made on instance A reaches instance B's in-memory tables within a
  second (the configuration's version, polled once a second by each instance).
- The connection pool is sized to the server's threads.
"""

from __future__ import annotations

import datetime as dt
import signal
import time

import pytest
import requests

from omniroute.clock import utcnow
from omniroute.store.database import open_database
from omniroute.store.migrations import MIGRATIONS, migrate
from omniroute.store.models import RequestLog, UsageHourly, UsageRecord
from omniroute.store.usage_batches import UsageBatchStore
from omniroute.store.usage_retention import delete_usage_older_than
from omniroute.usage.writer import UsageWriter
from tests.app_process import free_port, spawn, wait_ready

STORAGE_KEY = "a shared storage key for both instances"
WAIT_SECONDS = 5.0


@pytest.fixture
def postgres_url(postgres):
    return postgres.create_database(f"omniroute_scale_{free_port()}")


def test_two_instances_starting_together_migrate_once(postgres_url, tmp_path):
    ports = [free_port(), free_port()]
    processes = [
        spawn(
            tmp_path / f"instance{number}",
            PORT=str(port),
            DATABASE_URL=postgres_url,
            STORAGE_ENCRYPTION_KEY=STORAGE_KEY,
            INITIAL_PASSWORD="scale-test-password",
        )
        for number, port in enumerate(ports)
    ]
    try:
        for port, process in zip(ports, processes, strict=True):
            wait_ready(f"http://127.0.0.1:{port}", process, seconds=60)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        outputs = [process.communicate(timeout=60) for process in processes]

    assert [process.returncode for process in processes] == [0, 0], outputs
    database = open_database(postgres_url)
    try:
        with database.connection_context():
            recorded = database.execute_sql("SELECT version FROM schema_migrations").fetchall()
        assert sorted(version for (version,) in recorded) == [m.version for m in MIGRATIONS]
    finally:
        database.close_all()


def usage_row(created_at: dt.datetime, number: int) -> dict:
    return {
        "request_id": f"retention-{number}",
        "created_at": created_at,
        "endpoint": "chat.completions",
        "provider": "openai",
        "model": "gpt-4o-mini",
        "requested_model": "openai/gpt-4o-mini",
        "status": 200,
        "prompt_tokens": 10,
        "completion_tokens": 5,
    }


def request_log(created_at: dt.datetime, number: int) -> dict:
    return {
        "request_id": f"retention-{number}",
        "created_at": created_at,
        "endpoint": "chat.completions",
        "status": 200,
    }


def test_retention_deletes_old_usage_in_batches_and_keeps_the_rollups(database_url):
    database = open_database(database_url)
    migrate(database)
    store = UsageBatchStore(database)
    old, recent = utcnow() - dt.timedelta(days=40), utcnow() - dt.timedelta(days=2)
    rows = [store.make_storable(usage_row(old, n)) for n in range(7)]
    rows += [store.make_storable(usage_row(recent, n)) for n in range(7, 10)]
    logs = [request_log(old, n) for n in range(7)] + [request_log(recent, 8)]
    store.save(rows, logs, rows_per_insert=100)
    with database.connection_context():
        rollup_tokens = sum(row.prompt_tokens for row in UsageHourly.select())
    writer = UsageWriter(store, flush_seconds=0.05, retention_days=30)
    try:
        writer.start()  # retention runs on the writer's first round
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            with database.connection_context():
                left = UsageRecord.select().count()
            if left == 3 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    finally:
        writer.stop()
    try:
        with database.connection_context():
            kept = sorted(row.request_id for row in UsageRecord.select())
            kept_logs = [log.request_id for log in RequestLog.select()]
            assert kept == ["retention-7", "retention-8", "retention-9"]
            assert kept_logs == ["retention-8"]
            assert sum(row.prompt_tokens for row in UsageHourly.select()) == rollup_tokens == 100
            store.save([store.make_storable(usage_row(old, n)) for n in range(20, 31)], [], 100)
        assert delete_usage_older_than(database, 30, limit_rows=8, batch_rows=4) == 8
        assert delete_usage_older_than(database, 30, limit_rows=8, batch_rows=4) == 3
        with database.connection_context():
            assert UsageRecord.select().count() == 3
    finally:
        database.close_all()


def test_retention_zero_keeps_everything(database_url):
    database = open_database(database_url)
    migrate(database)
    store = UsageBatchStore(database)
    store.save([store.make_storable(usage_row(utcnow() - dt.timedelta(days=4000), 1))], [], 10)
    writer = UsageWriter(store, flush_seconds=0.05, retention_days=0)
    writer.start()
    writer.flush()
    writer.stop()
    try:
        with database.connection_context():
            assert UsageRecord.select().count() == 1
    finally:
        database.close_all()


def listed_models(gateway) -> set[str]:
    answer = requests.get(gateway.v1 + "/models", timeout=10)
    assert answer.status_code == 200, answer.text
    return {model["id"] for model in answer.json()["data"]}


def test_a_change_on_one_instance_reaches_the_other_within_a_second(postgres_url, start, upstream):
    shared = dict(DATABASE_URL=postgres_url, STORAGE_ENCRYPTION_KEY=STORAGE_KEY)
    instance_a, instance_b = start(**shared), start(**shared)
    assert not any(model.startswith("openai/") for model in listed_models(instance_b))

    instance_a.add_connection(upstream.url)

    deadline = time.monotonic() + WAIT_SECONDS  # the promise is 1 s; fail only after 5
    while not any(model.startswith("openai/") for model in listed_models(instance_b)):
        assert time.monotonic() < deadline, "instance B never saw A's new connection"
        time.sleep(0.05)
    answer = requests.post(
        instance_b.v1 + "/chat/completions",
        json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text


def test_the_pool_is_sized_to_the_threads(postgres_url, start):
    gateway = start(DATABASE_URL=postgres_url, THREADS=77, MAX_IN_FLIGHT=70)

    assert gateway.services.database._max_connections == 77


def test_sqlite_single_process_runs_no_watch(start):
    assert start().services.config_watch is None
