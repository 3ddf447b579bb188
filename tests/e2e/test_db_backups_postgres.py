"""Export and import on PostgreSQL: one `.sqlite` format moves between the backends.

A PostgreSQL gateway exports a `.sqlite` of our schema; a SQLite gateway imports it with every
table equal; a fresh PostgreSQL gateway imports the SQLite export in one transaction, with every
table equal and its id sequences moved past the imported rows.
"""

from __future__ import annotations

import sqlite3
from itertools import count
from pathlib import Path

import requests

from omniroute.store.database import open_database
from omniroute.store.migrations import LATEST_VERSION, migrate
from tests.integration.test_db_backups import (
    CHAT,
    KEY_A,
    backups,
    configure,
    database_file,
    export,
    table_contents,
    upload,
)

_names = count(1)


def contents_of(content: bytes, tmp_path: Path) -> dict[str, list[tuple]]:
    path = tmp_path / f"export{next(_names)}.sqlite"
    path.write_bytes(content)
    with sqlite3.connect(path) as database:
        assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    database.close()
    return table_contents(path)


def test_a_database_moves_from_postgresql_to_sqlite_and_back(start, postgres, upstream, tmp_path):
    first_url = postgres.create_database("omniroute_backup_source")
    source = start(DATABASE_URL=first_url, STORAGE_ENCRYPTION_KEY=KEY_A)
    configure(source, upstream.url)
    assert requests.post(source.v1 + "/chat/completions", json=CHAT).status_code == 200
    source.flush_usage()
    exported = export(source).content
    from_postgres = contents_of(exported, tmp_path)
    assert [row[1] for row in from_postgres["combos"]] == ["team"]
    assert len(from_postgres["usage_records"]) == 1

    on_sqlite = start(STORAGE_ENCRYPTION_KEY=KEY_A)
    imported = upload(on_sqlite, exported)
    assert imported.status_code == 200, imported.text
    assert imported.json()["accountsNeedingKey"] == 0
    assert table_contents(database_file(on_sqlite)) == from_postgres
    assert requests.post(on_sqlite.v1 + "/chat/completions", json=CHAT).status_code == 200

    target_url = postgres.create_database("omniroute_backup_target")
    target = start(DATABASE_URL=target_url, STORAGE_ENCRYPTION_KEY=KEY_A)
    sqlite_export = export(on_sqlite).content
    response = upload(target, sqlite_export)
    assert response.status_code == 200, response.text
    assert [b["reason"] for b in backups(target)] == ["pre-import"]
    assert contents_of(export(target).content, tmp_path) == contents_of(sqlite_export, tmp_path)
    added = target.admin().post(
        target.url + "/api/combos", json={"name": "second", "models": ["team"]}
    )
    assert added.status_code == 201, added.text  # the id sequence is past the imported rows
    assert requests.post(target.v1 + "/chat/completions", json=CHAT).status_code == 200


def test_a_postgresql_database_is_backed_up_before_migrations_and_restores(
    start, postgres, tmp_path
):
    url = postgres.create_database("omniroute_backup_old")
    old = open_database(url)
    migrate(old, upto=LATEST_VERSION - 1)
    with old.connection_context():
        old.execute_sql(
            "INSERT INTO combos (name, strategy, targets, created_at, updated_at) "
            "VALUES ('kept', 'x', '[]', now(), now())"
        )
    old.close_all()
    gateway = start(DATABASE_URL=url)
    (backup,) = backups(gateway)
    assert backup["reason"] == "pre-migration"
    saved = contents_of(
        gateway.admin().get(f"{gateway.url}/api/db-backups/{backup['name']}").content, tmp_path
    )
    assert max(saved["schema_migrations"])[0] == LATEST_VERSION - 1
    assert [row[1] for row in saved["combos"]] == ["kept"]
    assert gateway.admin().delete(f"{gateway.url}/api/combos/1").status_code == 204
    assert contents_of(export(gateway).content, tmp_path)["combos"] == []
    restored = gateway.admin().post(f"{gateway.url}/api/db-backups/{backup['name']}/restore")
    assert restored.status_code == 200, restored.text
    combos = contents_of(export(gateway).content, tmp_path)["combos"]
    assert [row[1] for row in combos] == ["kept"]
