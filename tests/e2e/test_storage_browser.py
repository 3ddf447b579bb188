"""Settings → Advanced → System & Storage in Debian's chromium: a backup made and restored in
place (htmx, with the confirmation the browser asks), and the export link downloading the
database."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.chromium import log_in


@pytest.mark.browser
def test_back_up_and_restore_in_place(page: Page, gateway):
    log_in(page)
    page.goto("/settings/advanced")
    page.evaluate("window.__samePage = 'yes'")
    card = page.locator("#system-storage-section")
    expect(card.locator("#no-backups")).to_be_visible()
    card.get_by_role("button", name="Back up now").click()
    expect(card.get_by_role("status")).to_have_text("Backup made.")
    rows = card.locator("#backup-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("manual")

    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    rows.first.get_by_role("button", name="Restore the backup of").click()
    expect(card.locator("[data-storage-done]")).to_contain_text("Backup restored.")
    expect(rows).to_have_count(2)  # the backup taken just before the restore
    assert asked and "A backup of the current data is made first." in asked[0]
    assert page.evaluate("window.__samePage") == "yes"

    with page.expect_download() as download:
        card.get_by_role("link", name="Export database (.sqlite)").click()
    path = download.value.path()
    with open(path, "rb") as exported:
        assert exported.read(16) == b"SQLite format 3\x00"
