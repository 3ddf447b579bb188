"""The store on SQLite and on a real PostgreSQL: migrations, connections, encryption, usage, and
the SQLite files' permissions. Upgrades from every earlier schema: tests/e2e/test_upgrades.py."""

from __future__ import annotations

import datetime as dt
import glob
import os
import stat

import pytest

from omniroute.clock import utcnow
from omniroute.store import connections as store
from omniroute.store.app_settings import get_app_setting, set_app_setting
from omniroute.store.database import open_database
from omniroute.store.migrations import MIGRATIONS, applied_versions, migrate
from omniroute.store.models import ProviderConnection
from omniroute.store.secret_box import SecretBox, SecretBoxError
from omniroute.store.usage_queries import insert_usage_rows, recent_usage, usage_summary_since

PLAINTEXT_KEY = "sk-proj-PLAINTEXT-never-stored-1234"


@pytest.fixture
def db(database_url):
    database = open_database(database_url)
    migrate(database)
    database.connect(reuse_if_open=True)
    yield database
    database.close()
    database.close_all()


@pytest.fixture
def box():
    return SecretBox(bytes(range(32)))


def test_migrations_run_once_and_record_every_version(database_url):
    database = open_database(database_url)
    assert migrate(database) == [m.version for m in MIGRATIONS]
    assert migrate(database) == []
    with database.connection_context():
        assert applied_versions(database) == {m.version for m in MIGRATIONS}
        for table in ("app_settings", "provider_connections", "usage_records"):
            assert database.table_exists(table)
    database.close_all()


def test_connection_round_trip_never_exposes_the_key(db, box):
    created = store.create_connection(
        box,
        provider="openai",
        name="Work",
        api_key=PLAINTEXT_KEY,
        base_url="http://127.0.0.1:9/v1",
        priority=2,
    )
    assert created.api_key_hint == "1234"
    assert not hasattr(created, "api_key")
    listed = store.list_connections()
    assert [c.id for c in listed] == [created.id]
    assert PLAINTEXT_KEY not in repr(listed)
    active = store.load_active_connections(box)
    assert active[0].api_key == PLAINTEXT_KEY


def test_stored_key_is_aes_gcm_ciphertext(db, box):
    created = store.create_connection(box, provider="openai", name="Work", api_key=PLAINTEXT_KEY)
    stored = ProviderConnection.get_by_id(created.id).api_key_encrypted
    assert stored.startswith("v1:") and PLAINTEXT_KEY not in stored
    assert box.decrypt(stored) == PLAINTEXT_KEY
    with pytest.raises(SecretBoxError):
        SecretBox(bytes(32)).decrypt(stored)


def test_update_keeps_key_unless_a_new_one_is_given(db, box):
    created = store.create_connection(box, provider="openai", name="A", api_key=PLAINTEXT_KEY)
    store.update_connection(box, created.id, api_key=None, name="B")
    assert store.load_active_connections(box)[0].api_key == PLAINTEXT_KEY
    store.update_connection(box, created.id, api_key="sk-new-key-99999999")
    record = store.get_connection(created.id)
    assert record.name == "B" and record.api_key_hint == "9999"
    assert store.load_active_connections(box)[0].api_key == "sk-new-key-99999999"


def test_inactive_connections_are_not_loaded_for_the_proxy(db, box):
    keep = store.create_connection(box, provider="openai", name="on", api_key="sk-aaaaaaaa1")
    off = store.create_connection(box, provider="openai", name="off", api_key="sk-aaaaaaaa2")
    store.update_connection(box, off.id, is_active=False)
    assert [c.id for c in store.load_active_connections(box)] == [keep.id]
    assert store.delete_connection(off.id) is True
    assert store.delete_connection(off.id) is False


def test_app_settings_upsert(db):
    assert get_app_setting("x") is None
    set_app_setting("x", "1")
    set_app_setting("x", "2")
    assert get_app_setting("x") == "2"


def test_usage_rows_and_summary(db):
    now = utcnow()
    rows = [
        {
            "created_at": now,
            "endpoint": "chat.completions",
            "status": 200,
            "stream": False,
            "prompt_tokens": 10,
            "completion_tokens": 5,
            "latency_ms": 12.5,
        },
        {
            "created_at": now,
            "endpoint": "chat.completions",
            "status": 502,
            "stream": True,
            "prompt_tokens": 0,
            "completion_tokens": 0,
            "latency_ms": 3.0,
            "error": "boom",
        },
        {
            "created_at": now - dt.timedelta(days=2),
            "endpoint": "chat.completions",
            "status": 200,
            "stream": False,
            "prompt_tokens": 100,
            "completion_tokens": 100,
            "latency_ms": 1.0,
        },
    ]
    insert_usage_rows(rows)
    summary = usage_summary_since(now - dt.timedelta(hours=1))
    assert (summary.requests, summary.errors, summary.total_tokens) == (2, 1, 15)
    assert len(recent_usage(10)) == 3


def test_plaintext_key_is_nowhere_in_the_sqlite_files(tmp_path, box):
    database = open_database(f"sqlite:///{tmp_path / 'plain.db'}")
    migrate(database)
    with database.connection_context():
        store.create_connection(box, provider="openai", name="Work", api_key=PLAINTEXT_KEY)
    database.close_all()
    files = glob.glob(str(tmp_path / "plain.db*"))
    assert files
    for path in files:
        with open(path, "rb") as handle:
            content = handle.read()
        assert PLAINTEXT_KEY.encode() not in content, path
        assert PLAINTEXT_KEY[-12:].encode() not in content, path


def modes(tmp_path, name: str) -> dict[str, int]:
    return {
        os.path.basename(path): stat.S_IMODE(os.stat(path).st_mode)
        for path in glob.glob(str(tmp_path / name) + "*")
    }


def test_sqlite_files_are_created_private_whatever_the_umask(tmp_path, box):
    data_dir = tmp_path / "data"
    previous = os.umask(0o022)
    try:
        data_dir.mkdir(mode=0o755)  # pre-created by hand: readable by everyone
        database = open_database(f"sqlite:///{data_dir / 'omniroute.db'}")
        migrate(database)
        with database.connection_context():
            store.create_connection(box, provider="openai", name="Work", api_key=PLAINTEXT_KEY)
            created = modes(data_dir, "omniroute.db")  # while open: -wal and -shm exist
        database.close_all()
    finally:
        os.umask(previous)
    assert set(created) == {"omniroute.db", "omniroute.db-wal", "omniroute.db-shm"}
    assert created == dict.fromkeys(created, 0o600)


def test_sqlite_files_with_looser_modes_are_tightened_at_open(tmp_path, box):
    path = tmp_path / "loose.db"
    database = open_database(f"sqlite:///{path}")
    migrate(database)
    database.close_all()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{path}{suffix}"):
            os.chmod(f"{path}{suffix}", 0o644)
    open(f"{path}-shm", "a").close()
    os.chmod(f"{path}-shm", 0o666)
    assert modes(tmp_path, "loose.db")["loose.db"] == 0o644

    database = open_database(f"sqlite:///{path}")
    database.close_all()

    assert modes(tmp_path, "loose.db") == dict.fromkeys(modes(tmp_path, "loose.db"), 0o600)
    assert "loose.db-shm" in modes(tmp_path, "loose.db")
