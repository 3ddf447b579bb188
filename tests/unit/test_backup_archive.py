"""The export-all archive read back safely, and backup names that stay inside the folder."""

from __future__ import annotations

import io
import json
import sqlite3
import tarfile

import pytest

from omniroute.backups import archive
from omniroute.backups.archive import build_archive, read_archive_config
from omniroute.backups.errors import BackupError
from omniroute.backups.folder import BackupFolder

CONFIG = {"schema": 1, "version": 7, "combos": [{"name": "team"}]}


def written(tmp_path, entries: list[tuple[tarfile.TarInfo, bytes | None]]) -> str:
    path = tmp_path / "upload.tar.gz"
    with tarfile.open(path, mode="w:gz") as tar:
        for info, data in entries:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return str(path)


def member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info


def good_archive(tmp_path) -> str:
    database = tmp_path / "db.sqlite"
    sqlite3.connect(database).close()
    path = tmp_path / "export.tar.gz"
    with open(path, "wb") as destination:
        build_archive(destination, str(database), CONFIG, {"schemaVersion": 1})
    return str(path)


def test_an_archive_reads_back_with_its_checksums(tmp_path):
    config, manifest = read_archive_config(good_archive(tmp_path))
    assert config == CONFIG
    assert manifest["schemaVersion"] == 1
    assert set(manifest["files"]) == {"omniroute.sqlite", "config.json"}


UNSAFE = {
    "absolute path": [(member("/etc/config.json"), b"{}")],
    "parent directory": [(member("data/../../config.json"), b"{}")],
    "symlink": [(member("config.json", tarfile.SYMTYPE, "/etc/passwd"), None)],
    "hard link": [(member("config.json", tarfile.LNKTYPE, "manifest.json"), None)],
    "device": [(member("config.json", tarfile.CHRTYPE), None)],
    "fifo": [(member("config.json", tarfile.FIFOTYPE), None)],
    "directory": [(member("config.json", tarfile.DIRTYPE), None)],
    "unknown name": [(member("notes.txt"), b"hello")],
    "twice": [(member("config.json"), b"{}"), (member("config.json"), b"{}")],
    "no manifest": [(member("config.json"), b"{}")],
}


@pytest.mark.parametrize("case", sorted(UNSAFE))
def test_unsafe_members_are_refused_by_name(tmp_path, case):
    with pytest.raises(BackupError) as refused:
        read_archive_config(written(tmp_path, UNSAFE[case]))
    assert refused.value.code == "unsafe_archive"
    assert refused.value.message


def test_a_member_over_its_size_bound_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setitem(archive.MEMBER_LIMITS, "config.json", 10)
    path = written(tmp_path, [(member("config.json"), b"{" + b" " * 20 + b"}")])
    with pytest.raises(BackupError, match="larger than 10 bytes"):
        read_archive_config(path)


@pytest.mark.parametrize("content", [b"not an archive", b"\x1f\x8b\x08\x00garbage"])
def test_a_file_that_is_no_tar_gz_is_corrupt(tmp_path, content):
    path = tmp_path / "upload.tar.gz"
    path.write_bytes(content)
    with pytest.raises(BackupError) as refused:
        read_archive_config(str(path))
    assert refused.value.code == "corrupt_archive"


def test_a_manifest_that_does_not_list_a_member_is_a_checksum_mismatch(tmp_path):
    manifest = json.dumps({"files": {}}).encode()
    path = written(tmp_path, [(member("config.json"), b"{}"), (member("manifest.json"), manifest)])
    with pytest.raises(BackupError) as refused:
        read_archive_config(path)
    assert refused.value.code == "checksum_mismatch"


@pytest.mark.parametrize(
    "name",
    [
        "../omniroute.db",
        "omniroute-20261207T140000.000Z-manual.sqlite/../../storage.key",
        "omniroute-20261207T140000.000Z-other.sqlite",
        "omniroute-20261207T140000Z-manual.sqlite",
        "/etc/passwd",
        "",
    ],
)
def test_names_that_are_not_backups_are_refused(tmp_path, name):
    folder = BackupFolder(str(tmp_path))
    with pytest.raises(BackupError) as refused:
        folder.file_of(name)
    assert refused.value.code == "invalid_name" and refused.value.status == 400


def test_a_missing_backup_is_404_and_prune_keeps_the_newest(tmp_path):
    folder = BackupFolder(str(tmp_path))
    with pytest.raises(BackupError) as missing:
        folder.file_of("omniroute-20261207T140000.000Z-manual.sqlite")
    assert missing.value.status == 404
    made = [folder.write("manual", lambda p: open(p, "wb").close()).name for _ in range(3)]
    (tmp_path / "backups" / "config-sync.json").write_text("{}")  # not ours: left alone
    assert folder.prune(1) == sorted(made, reverse=True)[1:]
    assert [b.name for b in folder.backups()] == [max(made)]
    assert (tmp_path / "backups" / "config-sync.json").exists()
