"""Database export, export-all, import and the automatic backups, over HTTP to real gateways.

Export is a consistent snapshot while the usage writer inserts; export-all holds no secret; an
import refuses a corrupt file, a foreign SQLite, a newer schema, an oversized file and unsafe
archives with a 400 (413 for the size) and changes nothing; a database exported from one
instance imports into a fresh one (same storage key: credentials work; another key: they need
the key); backups are taken before imports, restores and migrations and on a schedule, pruned to
BACKUP_KEEP, and restorable; the guide's three curl commands work with an admin session.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import tarfile
import threading
import time
from pathlib import Path

import pytest
import requests

from omniroute.backups.limits import IMPORT_LIMIT_BYTES
from omniroute.store.migrations import LATEST_VERSION, migrate
from tests.gateway_harness import start_gateway

CHAT = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
PROVIDER_KEY = "sk-plain-provider-secret-0001"
NODE_KEY = "sk-plain-node-secret-0002"
KEY_A = "a" * 64
KEY_B = "b" * 64
KEY_SECRET = "api-key-secret-shared-by-both"  # the /v1 keys' HMAC secret (API_KEY_SECRET)
VOLATILE_SETTINGS = ("dashboard_session:", "sync_published")  # change with every login/read


# -- helpers ----------------------------------------------------------------------------------


def database_file(gateway) -> Path:
    return Path(gateway.services.settings["DATA_DIR"]) / "omniroute.db"


def table_contents(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, without the rows that change with each login."""
    with sqlite3.connect(path) as database:
        tables = [
            name
            for (name,) in database.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        contents = {}
        for table in tables:
            rows = database.execute(f'SELECT * FROM "{table}"').fetchall()
            if table == "app_settings":
                rows = [row for row in rows if not row[0].startswith(VOLATILE_SETTINGS)]
            contents[table] = sorted(rows, key=repr)
    return contents


def configure(gateway, upstream_url: str) -> dict:
    """A connection, a node, a combo and a /v1 key; returns the key."""
    gateway.add_connection(upstream_url, apiKey=PROVIDER_KEY)
    gateway.add_node("mynode", upstream_url, "openai", api_key=NODE_KEY)
    admin = gateway.admin()
    combo = {"name": "team", "models": ["openai/gpt-4o-mini"]}
    assert admin.post(gateway.url + "/api/combos", json=combo).status_code == 201
    created = admin.post(gateway.url + "/api/keys", json={"name": "laptop"})
    assert created.status_code == 201, created.text
    return created.json()


def export(gateway, path: str = "/api/db-backups/export") -> requests.Response:
    response = gateway.admin().get(gateway.url + path)
    assert response.status_code == 200, response.text
    return response


def dashboard_sessions(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as database:
        rows = database.execute(
            "SELECT key FROM app_settings WHERE key LIKE 'dashboard_session:%' ORDER BY key"
        ).fetchall()
    database.close()
    assert rows
    return rows


def upload(gateway, content: bytes, filename: str = "backup.sqlite") -> requests.Response:
    files = {"file": (filename, content, "application/octet-stream")}
    return gateway.admin().post(gateway.url + "/api/db-backups/import", files=files)


def backups(gateway) -> list[dict]:
    response = gateway.admin().get(gateway.url + "/api/db-backups")
    assert response.status_code == 200, response.text
    return response.json()["data"]


def sqlite_bytes(tmp_path: Path, fill, name: str = "made.sqlite") -> bytes:
    path = tmp_path / name
    with sqlite3.connect(path) as database:
        fill(database)
    database.close()
    return path.read_bytes()


def archive_bytes(entries: list[tarfile.TarInfo], contents: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for info in entries:
            data = contents.get(info.name)
            if data is not None:
                info.size = len(data)
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


# -- export -----------------------------------------------------------------------------------


def test_export_is_a_consistent_snapshot_while_the_usage_writer_inserts(connected, tmp_path):
    stop = threading.Event()

    def send_requests():
        with requests.Session() as client:
            while not stop.is_set():
                client.post(connected.v1 + "/chat/completions", json=CHAT)

    senders = [threading.Thread(target=send_requests) for _ in range(3)]
    for sender in senders:
        sender.start()
    try:
        while usage_rows(database_file(connected)) < 20:
            time.sleep(0.05)
        snapshots = []
        for index in range(3):
            before = usage_rows(database_file(connected))
            snapshot = tmp_path / f"snapshot{index}.sqlite"
            snapshot.write_bytes(export(connected).content)
            after = usage_rows(database_file(connected))
            snapshots.append((before, snapshot, after))
    finally:
        stop.set()
        for sender in senders:
            sender.join()
    for before, snapshot, after in snapshots:
        with sqlite3.connect(snapshot) as database:
            assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            count, highest = database.execute(
                "SELECT COUNT(*), MAX(id) FROM usage_records"
            ).fetchone()
        database.close()
        assert before <= count <= after  # a count the writer really had ...
        assert count == highest  # ... a committed prefix, never a torn batch
    assert snapshots[-1][0] > 0


def usage_rows(path: Path) -> int:
    with sqlite3.connect(path) as database:
        count = database.execute("SELECT COUNT(*) FROM usage_records").fetchone()[0]
    database.close()
    return count


def test_export_names_the_file_and_says_secrets_need_the_storage_key(gateway, tmp_path):
    response = export(gateway)
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=omniroute-") and ".sqlite" in disposition
    assert "storage key" in response.headers["X-OmniRoute-Note"]
    assert response.content.startswith(b"SQLite format 3\x00")
    leftovers = [n for n in os.listdir(gateway.services.settings["DATA_DIR"]) if "export" in n]
    assert leftovers == []  # the temporary copy is gone


def test_export_needs_the_admin(gateway):
    for path in ("/api/db-backups/export", "/api/db-backups/exportAll", "/api/db-backups"):
        response = requests.get(gateway.url + path)
        assert response.status_code == 401, path
    anonymous = requests.post(gateway.url + "/api/db-backups/import", files={"file": b"x"})
    assert anonymous.status_code == 401


def test_export_all_holds_no_secret_and_checks_out(gateway, upstream):
    key = configure(gateway, upstream.url)
    with sqlite3.connect(database_file(gateway)) as live:
        sealed = [
            value
            for query in (
                "SELECT api_key_encrypted FROM provider_connections",
                "SELECT api_key_encrypted FROM provider_nodes",
                "SELECT key_hash FROM api_keys",
            )
            for (value,) in live.execute(query)
        ]
    live.close()
    response = export(gateway, "/api/db-backups/exportAll")
    assert ".tar.gz" in response.headers["Content-Disposition"]
    plain = gzip.decompress(response.content)
    for secret in (PROVIDER_KEY, NODE_KEY, key["key"], *sealed):
        assert secret.encode() not in plain, secret
    with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:gz") as archive:
        assert sorted(archive.getnames()) == ["config.json", "manifest.json", "omniroute.sqlite"]
        contents = {name: archive.extractfile(name).read() for name in archive.getnames()}
    manifest = json.loads(contents["manifest.json"])
    assert manifest["schemaVersion"] == LATEST_VERSION and manifest["appVersion"]
    for name in ("config.json", "omniroute.sqlite"):
        assert manifest["files"][name]["sha256"] == hashlib.sha256(contents[name]).hexdigest()
    config = json.loads(contents["config.json"])
    assert [combo["name"] for combo in config["combos"]] == ["team"]
    assert [node["prefix"] for node in config["providerNodes"]] == ["mynode"]


# -- import refusals --------------------------------------------------------------------------


def newer_schema_database(gateway, tmp_path: Path) -> bytes:
    path = tmp_path / "newer.sqlite"
    path.write_bytes(export(gateway).content)
    with sqlite3.connect(path) as database:
        database.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', '')",
            (LATEST_VERSION + 1,),
        )
    database.close()
    return path.read_bytes()


def traversal_archive() -> bytes:
    return archive_bytes([tarfile.TarInfo("../../evil.json")], {"../../evil.json": b"{}"})


def symlink_archive() -> bytes:
    link = tarfile.TarInfo("config.json")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    return archive_bytes([link], {})


REFUSALS = {
    "corrupt": (lambda gw, tmp: os.urandom(8192), "backup.sqlite", "corrupt_database"),
    "damaged_pages": (None, "backup.sqlite", "corrupt_database"),
    "foreign": (
        lambda gw, tmp: sqlite_bytes(tmp, lambda db: db.execute("CREATE TABLE notes (t TEXT)")),
        "backup.sqlite",
        "missing_tables",
    ),
    "newer_schema": (newer_schema_database, "backup.sqlite", "newer_schema"),
    "path_traversal": (lambda gw, tmp: traversal_archive(), "backup.tar.gz", "unsafe_archive"),
    "symlink": (lambda gw, tmp: symlink_archive(), "backup.tar.gz", "unsafe_archive"),
}


def damaged_database(gateway, tmp_path: Path) -> bytes:
    """A real export with bytes in the middle of its pages overwritten."""
    data = bytearray(export(gateway).content)
    middle = len(data) // 2
    data[middle : middle + 4096] = os.urandom(4096)
    return bytes(data)


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_bad_upload_is_a_clear_400_and_changes_nothing(gateway, upstream, tmp_path, case):
    configure(gateway, upstream.url)
    make, filename, code = REFUSALS[case]
    content = (make or damaged_database)(gateway, tmp_path)
    before = table_contents(database_file(gateway))
    response = upload(gateway, content, filename)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert table_contents(database_file(gateway)) == before
    assert backups(gateway) == []  # no pre-import backup for a refused file


def test_an_upload_over_100_mb_is_refused_and_changes_nothing(gateway, upstream):
    configure(gateway, upstream.url)
    before = table_contents(database_file(gateway))
    response = upload(gateway, b"\0" * (IMPORT_LIMIT_BYTES + 1))
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "too_large"
    assert table_contents(database_file(gateway)) == before


def test_a_request_without_a_file_names_the_field(gateway):
    response = gateway.admin().post(gateway.url + "/api/db-backups/import", data={"x": "1"})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "file"


def test_an_upload_larger_than_max_body_bytes_is_accepted_on_the_import_route(start, upstream):
    small = start(MAX_BODY_BYTES=64 * 1024)
    small.add_connection(upstream.url)
    content = export(small).content
    padding = b"\0" * (200 * 1024)  # the import route's own limit, not MAX_BODY_BYTES
    files = {"file": ("backup.sqlite", content, "application/octet-stream"), "pad": padding}
    response = small.admin().post(small.url + "/api/db-backups/import", files=files)
    assert response.status_code == 200, response.text
    other = small.admin().post(small.url + "/api/combos", data=padding)
    assert other.status_code == 413  # every other route keeps MAX_BODY_BYTES


# -- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("same_key", [True, False], ids=["same-storage-key", "other-storage-key"])
def test_export_imports_into_a_fresh_instance_with_every_table_equal(start, upstream, same_key):
    source = start(STORAGE_ENCRYPTION_KEY=KEY_A, API_KEY_SECRET=KEY_SECRET, REQUIRE_API_KEY=True)
    bearer = {"Authorization": f"Bearer {configure(source, upstream.url)['key']}"}
    assert requests.post(source.v1 + "/chat/completions", json=CHAT, headers=bearer).ok
    source.flush_usage()
    content = export(source).content
    target = start(
        STORAGE_ENCRYPTION_KEY=KEY_A if same_key else KEY_B,
        API_KEY_SECRET=KEY_SECRET,
        REQUIRE_API_KEY=True,
    )
    target.admin()  # logged in before the import
    sessions = dashboard_sessions(database_file(target))
    response = upload(target, content)
    assert response.status_code == 200, response.text
    outcome = response.json()
    assert outcome["imported"] == "database"
    assert outcome["backup"]["reason"] == "pre-import"
    assert table_contents(database_file(target)) == table_contents(database_file(source))
    assert dashboard_sessions(database_file(target)) == sessions  # the importer stays logged in
    answer = requests.post(target.v1 + "/chat/completions", json=CHAT, headers=bearer)
    if same_key:
        assert outcome["accountsNeedingKey"] == 0
        assert answer.status_code == 200, answer.text  # the imported credential opens here
    else:
        assert outcome["accountsNeedingKey"] == 2  # the connection and the node
        assert answer.status_code not in {200, 401}  # the /v1 key works, the provider's does not


def test_the_gateway_keeps_serving_while_a_database_is_imported(connected):
    content = export(connected).content
    stop, answers = threading.Event(), []

    def send_requests():
        with requests.Session() as client:
            while not stop.is_set():
                answers.append(client.post(connected.v1 + "/chat/completions", json=CHAT))

    senders = [threading.Thread(target=send_requests) for _ in range(3)]
    for sender in senders:
        sender.start()
    try:
        while len(answers) < 10:
            time.sleep(0.02)
        imports = [upload(connected, content) for _ in range(3)]
        seen = len(answers)
        while len(answers) < seen + 10:
            time.sleep(0.02)
    finally:
        stop.set()
        for sender in senders:
            sender.join()
    assert [response.status_code for response in imports] == [200, 200, 200]
    assert {response.status_code for response in answers} == {200}


def test_export_all_restores_the_configuration_without_credentials(start, upstream):
    source = start()
    configure(source, upstream.url)
    archive = export(source, "/api/db-backups/exportAll").content
    target = start()
    response = upload(target, archive, "backup.tar.gz")
    assert response.status_code == 200, response.text
    outcome = response.json()
    assert outcome["imported"] == "configuration"
    assert outcome["accountsNeedingKey"] == 1  # the provider account arrives "key needed"
    combos = target.admin().get(target.url + "/api/combos").json()
    names = [combo["name"] for combo in combos.get("data", combos)]
    assert names == ["team"]


def test_an_archive_whose_member_does_not_match_its_checksum_is_refused(gateway, upstream):
    configure(gateway, upstream.url)
    archive = export(gateway, "/api/db-backups/exportAll").content
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as original:
        entries = original.getmembers()
        contents = {m.name: original.extractfile(m).read() for m in entries}
    contents["config.json"] = contents["config.json"].replace(b'"team"', b'"evil"')
    before = table_contents(database_file(gateway))
    response = upload(gateway, archive_bytes(entries, contents), "backup.tar.gz")
    assert response.status_code == 400 and response.json()["error"]["code"] == "checksum_mismatch"
    assert table_contents(database_file(gateway)) == before


# -- automatic backups ------------------------------------------------------------------------


def test_an_import_leaves_a_pre_import_backup_that_restores_the_old_database(
    start, upstream, tmp_path
):
    gateway = start()
    configure(gateway, upstream.url)
    before = table_contents(database_file(gateway))
    empty = start()
    assert upload(gateway, export(empty).content).status_code == 200
    assert table_contents(database_file(gateway))["combos"] == []
    (listed,) = backups(gateway)
    assert listed["reason"] == "pre-import" and listed["size"] > 0
    download = gateway.admin().get(f"{gateway.url}/api/db-backups/{listed['name']}")
    assert download.status_code == 200 and download.content.startswith(b"SQLite format 3")
    restored = gateway.admin().post(f"{gateway.url}/api/db-backups/{listed['name']}/restore")
    assert restored.status_code == 200, restored.text
    assert restored.json()["backup"]["reason"] == "pre-restore"
    assert table_contents(database_file(gateway)) == before
    models = requests.get(gateway.v1 + "/models").json()["data"]
    assert "team" in {model["id"] for model in models}  # the running gateway reloaded
    with sqlite3.connect(database_file(gateway)) as live:
        assert live.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    live.close()


def test_a_restored_budget_applies_at_once(connected):
    admin = connected.admin()
    key = admin.post(connected.url + "/api/keys", json={"name": "spender"}).json()
    bearer = {"Authorization": f"Bearer {key['key']}"}
    assert requests.post(connected.v1 + "/chat/completions", json=CHAT, headers=bearer).ok
    connected.flush_usage()
    budget = {"keyId": key["id"], "limit": 1e-9, "period": "daily"}
    assert admin.post(connected.url + "/api/usage/budget", json=budget).status_code == 200
    over = requests.post(connected.v1 + "/chat/completions", json=CHAT, headers=bearer)
    assert over.status_code == 402
    saved = admin.post(connected.url + "/api/db-backups").json()["name"]
    removed = admin.delete(connected.url + f"/api/usage/budget?keyId={key['id']}")
    assert removed.status_code == 204
    assert requests.post(connected.v1 + "/chat/completions", json=CHAT, headers=bearer).ok
    assert admin.post(f"{connected.url}/api/db-backups/{saved}/restore").status_code == 200
    spent = requests.post(connected.v1 + "/chat/completions", json=CHAT, headers=bearer)
    assert spent.status_code == 402, spent.text  # the restored budget, not the one in memory


def test_backups_are_made_listed_pruned_to_keep_and_deleted(start):
    gateway = start(BACKUP_KEEP=2, BACKUP_INTERVAL_HOURS=0)
    made = []
    for _ in range(3):
        response = gateway.admin().post(gateway.url + "/api/db-backups")
        assert response.status_code == 201, response.text
        made.append(response.json()["name"])
    listed = backups(gateway)
    assert [b["name"] for b in listed] == made[:0:-1]  # the two newest, newest first
    assert all(b["reason"] == "manual" for b in listed)
    storage = gateway.admin().get(gateway.url + "/api/db-backups").json()["storage"]
    assert storage["backend"] == "sqlite" and storage["databaseSize"] > 0
    deleted = gateway.admin().delete(f"{gateway.url}/api/db-backups/{made[-1]}")
    assert deleted.status_code == 204
    assert [b["name"] for b in backups(gateway)] == [made[1]]


@pytest.mark.parametrize(
    "name", ["..%2Fomniroute.db", "omniroute.db", "storage.key", "x.sqlite", "%2Fetc%2Fpasswd"]
)
def test_backup_names_cannot_reach_outside_the_folder(gateway, name):
    admin = gateway.admin()
    for response in (
        admin.get(f"{gateway.url}/api/db-backups/{name}"),
        admin.delete(f"{gateway.url}/api/db-backups/{name}"),
        admin.post(f"{gateway.url}/api/db-backups/{name}/restore"),
    ):
        assert response.status_code in {400, 404}, response.text
        assert response.headers["Content-Type"].startswith("application/json")
    assert (Path(gateway.services.settings["DATA_DIR"]) / "storage.key").exists()


def test_scheduled_backups_run_on_the_interval_and_keep_n(start):
    gateway = start(BACKUP_INTERVAL_HOURS=1 / 3600, BACKUP_KEEP=2)  # every second
    deadline = time.monotonic() + 30
    while len(backups(gateway)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    first = backups(gateway)
    assert len(first) == 2 and {b["reason"] for b in first} == {"scheduled"}
    while backups(gateway)[0]["name"] == first[0]["name"] and time.monotonic() < deadline:
        time.sleep(0.2)
    later = backups(gateway)
    assert len(later) == 2 and later[0]["name"] != first[0]["name"]  # pruned to BACKUP_KEEP


def test_no_schedule_when_the_interval_is_zero(start):
    gateway = start(BACKUP_INTERVAL_HOURS=0)
    assert gateway.services.backup_schedule._thread is None
    assert backups(gateway) == []


def test_a_database_with_pending_migrations_is_backed_up_before_they_run(tmp_path):
    from omniroute.store.app_database import AppSqliteDatabase

    data_dir = tmp_path / "old"
    data_dir.mkdir()
    old = AppSqliteDatabase(str(data_dir / "omniroute.db"))
    migrate(old, upto=LATEST_VERSION - 1)
    old.execute_sql(
        "INSERT INTO combos (name, strategy, targets, created_at, updated_at) "
        "VALUES ('kept', 'x', '[]', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
    )
    old.close_all()
    gateway = start_gateway(str(data_dir))
    try:
        (backup,) = backups(gateway)
        assert backup["reason"] == "pre-migration"
        path = data_dir / "backups" / backup["name"]
        with sqlite3.connect(path) as saved:
            assert saved.execute("SELECT MAX(version) FROM schema_migrations").fetchone() == (
                LATEST_VERSION - 1,
            )
            assert saved.execute("SELECT name FROM combos").fetchall() == [("kept",)]
        saved.close()
        assert oct(path.stat().st_mode & 0o777) == "0o600"
    finally:
        gateway.stop()
    again = start_gateway(str(data_dir))  # nothing pending: no new backup
    try:
        assert len(backups(again)) == 1
    finally:
        again.stop()


# -- the guide's curl commands ----------------------------------------------------------------


def test_the_guides_three_curl_commands_work_with_an_admin_session(gateway, upstream, tmp_path):
    configure(gateway, upstream.url)
    admin = gateway.admin()
    cookies = "; ".join(f"{c.name}={c.value}" for c in admin.cookies)
    auth = ["-H", f"Cookie: {cookies}", "-H", f"X-CSRFToken: {admin.headers['X-CSRFToken']}"]

    def curl(*args: str) -> str:
        done = subprocess.run(
            ["curl", "-sS", "--fail-with-body", *auth, *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    curl("-o", "backup.sqlite", gateway.url + "/api/db-backups/export")
    curl("-o", "backup.tar.gz", gateway.url + "/api/db-backups/exportAll")
    answer = curl("-X", "POST", gateway.url + "/api/db-backups/import", "-F", "file=@backup.sqlite")
    assert (tmp_path / "backup.sqlite").read_bytes().startswith(b"SQLite format 3")
    assert tarfile.is_tarfile(tmp_path / "backup.tar.gz")
    assert json.loads(answer)["imported"] == "database"
