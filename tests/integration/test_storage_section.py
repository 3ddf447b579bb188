"""Settings → Advanced → System & Storage over plain HTTP (a browser without JavaScript, and
htmx requests): the storage facts, export links, backups made, restored and deleted, imports
(a good and a corrupt file) and sync with another instance. The same section in chromium:
tests/e2e/test_storage_browser.py."""

from __future__ import annotations

import html
import re

import requests

from tests.dashboard_user import browser_session, csrf_from

ADVANCED = "/settings/advanced"
HX = {"HX-Request": "true"}
TOKEN = "sync-token-for-the-storage-tests"


def section(page_html: str) -> str:
    found = re.search(r'<section[^>]*id="system-storage-section".*?</section>', page_html, re.S)
    assert found, "no System & Storage section"
    return found[0]


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)))


def backups(gateway) -> list[dict]:
    with gateway.admin() as admin:
        return admin.get(gateway.url + "/api/db-backups").json()["data"]


def combos(gateway) -> list[str]:
    with gateway.admin() as admin:
        return [c["name"] for c in admin.get(gateway.url + "/api/combos").json()["data"]]


def add_combo(gateway, name: str) -> None:
    with gateway.admin() as admin:
        body = {"name": name, "models": ["openai/gpt-4o-mini"]}
        assert admin.post(gateway.url + "/api/combos", json=body).status_code == 201


def logged_in(gateway) -> tuple[requests.Session, str]:
    session = browser_session(gateway)
    return session, csrf_from(session.get(gateway.url + ADVANCED).text)


def test_the_section_shows_the_storage_export_links_and_sync_state(gateway):
    session, _token = logged_in(gateway)
    shown = section(session.get(gateway.url + ADVANCED).text)
    text = text_of(shown)
    assert gateway.services.settings["DATA_DIR"] in text
    assert "SQLite" in text and "every 24 h, the newest 7 kept" in text
    assert 'href="/api/db-backups/export"' in shown and 'href="/api/db-backups/exportAll"' in shown
    assert 'id="no-backups"' in shown and 'id="sync-off"' in shown
    with gateway.admin() as admin:
        exported = admin.get(gateway.url + "/api/db-backups/export")
    assert exported.status_code == 200 and exported.content.startswith(b"SQLite format 3\x00")
    token = re.search(r"<code data-sync-token>([^<]+)</code>", shown)[1]
    bundle = requests.get(
        gateway.url + "/api/sync/bundle", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert bundle.status_code == 200  # the token shown is the one the bundle takes


def test_back_up_restore_and_delete_without_javascript(gateway):
    session, token = logged_in(gateway)
    add_combo(gateway, "before")
    made = session.post(
        gateway.url + "/settings/storage/backups", data={"csrf_token": token}, allow_redirects=False
    )
    assert made.status_code == 302 and made.headers["Location"].startswith(ADVANCED)
    landing = section(session.get(gateway.url + made.headers["Location"]).text)
    assert "Backup made." in text_of(landing)
    [backup] = backups(gateway)
    assert backup["reason"] == "manual" and f'data-backup="{backup["name"]}"' in landing

    add_combo(gateway, "after")
    restore = f"{gateway.url}/settings/storage/backups/{backup['name']}/restore"
    restored = session.post(restore, data={"csrf_token": token})
    assert restored.status_code == 200
    assert "Backup restored." in text_of(section(restored.text))
    assert combos(gateway) == ["before"]  # the change made after the backup is gone
    reasons = sorted(b["reason"] for b in backups(gateway))
    assert reasons == ["manual", "pre-restore"]

    delete = f"{gateway.url}/settings/storage/backups/{backup['name']}/delete"
    deleted = session.post(delete, data={"csrf_token": token}, headers=HX)
    assert deleted.status_code == 200 and "<html" not in deleted.text
    assert "Backup deleted." in text_of(deleted.text)
    assert [b["reason"] for b in backups(gateway)] == ["pre-restore"]
    missing = session.post(
        f"{gateway.url}/settings/storage/backups/omniroute-nope.sqlite/restore",
        data={"csrf_token": token},
    )
    assert missing.status_code in (400, 404)
    assert "data-storage-error" in missing.text


def test_import_from_the_form_and_a_corrupt_file_changes_nothing(gateway):
    session, token = logged_in(gateway)
    add_combo(gateway, "exported")
    with gateway.admin() as admin:
        exported = admin.get(gateway.url + "/api/db-backups/export").content
    add_combo(gateway, "later")

    corrupt = session.post(
        gateway.url + "/settings/storage/import",
        data={"csrf_token": token},
        files={"file": ("broken.sqlite", b"SQLite format 3\x00" + b"\x00" * 5000)},
        headers=HX,
    )
    assert corrupt.status_code == 200  # htmx swaps the section with the error in it
    assert "data-storage-error" in corrupt.text
    assert combos(gateway) == ["exported", "later"]

    imported = session.post(
        gateway.url + "/settings/storage/import",
        data={"csrf_token": token},
        files={"file": ("omniroute.sqlite", exported)},
        allow_redirects=False,
    )
    assert imported.status_code == 302, imported.text
    landing = section(session.get(gateway.url + imported.headers["Location"]).text)
    assert "Imported." in text_of(landing)
    assert combos(gateway) == ["exported"]
    no_file = session.post(gateway.url + "/settings/storage/import", data={"csrf_token": token})
    shown = text_of(section(no_file.text))
    assert no_file.status_code == 400 and "Choose a .sqlite database or a .tar.gz" in shown
    unprotected = session.post(
        gateway.url + "/settings/storage/import", files={"file": ("x.sqlite", exported)}
    )
    assert unprotected.status_code == 400  # no CSRF token
    assert combos(gateway) == ["exported"]


def test_sync_state_and_sync_now_between_two_instances(start):
    publisher = start(SYNC_TOKEN=TOKEN)
    subscriber = start(CLOUD_URL=publisher.url, SYNC_TOKEN=TOKEN, SYNC_INTERVAL_SECONDS=3600)
    add_combo(publisher, "shared")
    session, token = logged_in(subscriber)
    synced = session.post(
        subscriber.url + "/settings/storage/sync", data={"csrf_token": token}, headers=HX
    )
    assert synced.status_code == 200
    text = text_of(synced.text)
    assert "Sync finished." in text and publisher.url in text
    assert "shared" in combos(subscriber)
    assert re.search(r'data-sync="appliedVersion">\d+<', synced.text)
    publisher.stop()
    failed = session.post(
        subscriber.url + "/settings/storage/sync", data={"csrf_token": token}, headers=HX
    )
    assert "data-storage-error" in failed.text and 'data-sync="lastError"' in failed.text
    served = requests.get(subscriber.url + "/health", timeout=10)
    assert served.status_code == 200  # the subscriber keeps serving without its publisher
