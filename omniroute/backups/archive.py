"""The export-all archive: `omniroute.sqlite` (no credentials), `config.json` (the configuration
bundle), `manifest.json` (versions, creation time, every member's size and sha256).

Reading one back trusts nothing: only the three known names as regular files (no absolute path,
no `..`, no link or device), each under its size bound, each matching the manifest's checksum.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from typing import IO, Any

from .errors import BackupError

DATABASE_MEMBER = "omniroute.sqlite"
CONFIG_MEMBER = "config.json"
MANIFEST_MEMBER = "manifest.json"
MEMBER_LIMITS = {
    DATABASE_MEMBER: 100 * 1024 * 1024,
    CONFIG_MEMBER: 20 * 1024 * 1024,
    MANIFEST_MEMBER: 1024 * 1024,
}
HASH_CHUNK = 1024 * 1024


def build_archive(
    destination: IO[bytes], database_path: str, config: dict, manifest_fields: dict
) -> None:
    """Write the archive to `destination`: the database file, `config` and the manifest."""
    config_bytes = json.dumps(config, sort_keys=True, indent=1).encode("utf-8")
    with open(database_path, "rb") as database_file:
        files = {
            DATABASE_MEMBER: _digest(database_file),
            CONFIG_MEMBER: _digest_bytes(config_bytes),
        }
    manifest = {**manifest_fields, "files": files}
    manifest_bytes = json.dumps(manifest, sort_keys=True, indent=1).encode("utf-8")
    with tarfile.open(fileobj=destination, mode="w:gz") as archive:
        archive.add(database_path, arcname=DATABASE_MEMBER, filter=_plain_entry)
        _add_bytes(archive, CONFIG_MEMBER, config_bytes)
        _add_bytes(archive, MANIFEST_MEMBER, manifest_bytes)


def read_archive_config(path: str) -> tuple[dict, dict]:
    """The configuration bundle and manifest of the archive at `path`, every member checked;
    BackupError("unsafe_archive" | "corrupt_archive", …) names what is wrong."""
    try:
        with tarfile.open(path, mode="r:gz") as archive:
            members = _checked_members(archive)
            contents = {name: _read_member(archive, member) for name, member in members.items()}
    except (tarfile.TarError, EOFError, OSError) as error:
        message = f"the file is not a readable .tar.gz: {error}"
        raise BackupError("corrupt_archive", message) from None
    manifest = _json_member(contents, MANIFEST_MEMBER)
    _check_checksums(manifest, contents)
    return _json_member(contents, CONFIG_MEMBER), manifest


def _checked_members(archive: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    members: dict[str, tarfile.TarInfo] = {}
    for member in archive:
        name = member.name
        if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
            raise _unsafe(f"member {name!r} points outside the archive")
        if not member.isreg():
            raise _unsafe(f"member {name!r} is not a regular file (a link or device)")
        if name not in MEMBER_LIMITS:
            raise _unsafe(f"member {name!r} is not one of {', '.join(sorted(MEMBER_LIMITS))}")
        if name in members:
            raise _unsafe(f"member {name!r} appears twice")
        if member.size > MEMBER_LIMITS[name]:
            raise _unsafe(f"member {name!r} is larger than {MEMBER_LIMITS[name]} bytes")
        members[name] = member
    for name in (CONFIG_MEMBER, MANIFEST_MEMBER):
        if name not in members:
            raise _unsafe(f"the archive has no {name}")
    return members


def _read_member(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    extracted = archive.extractfile(member)
    assert extracted is not None  # a regular file always has content
    return extracted.read(MEMBER_LIMITS[member.name] + 1)


def _json_member(contents: dict[str, bytes], name: str) -> dict:
    try:
        value = json.loads(contents[name])
    except (ValueError, UnicodeDecodeError):
        raise BackupError("corrupt_archive", f"{name} is not valid JSON") from None
    if not isinstance(value, dict):
        raise BackupError("corrupt_archive", f"{name} is not a JSON object")
    return value


def _check_checksums(manifest: dict, contents: dict[str, bytes]) -> None:
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise BackupError("corrupt_archive", "manifest.json lists no files")
    for name, data in contents.items():
        if name == MANIFEST_MEMBER:
            continue
        listed = files.get(name)
        expected = listed.get("sha256") if isinstance(listed, dict) else None
        if expected != hashlib.sha256(data).hexdigest():
            raise BackupError("checksum_mismatch", f"{name} does not match its manifest checksum")


def _unsafe(message: str) -> BackupError:
    return BackupError("unsafe_archive", message)


def _digest(stream: IO[bytes]) -> dict[str, Any]:
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: stream.read(HASH_CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


def _digest_bytes(data: bytes) -> dict[str, Any]:
    return _digest(io.BytesIO(data))


def _plain_entry(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = _plain_entry(tarfile.TarInfo(name))
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))
