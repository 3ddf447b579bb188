"""The static files as the app serves them: read once at start, each with its content hash,
its fingerprinted name (`css/app.3f9a1c2e7b.css`) and, for text types, its gzip body.

`css/app.css` is the stylesheet bundle (bundle.py), not the file of that name.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from .bundle import BUNDLE_NAME, build_stylesheet_bundle

HASH_LENGTH = 10
GZIP_LEVEL = 9
TEXT_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
}
FINGERPRINT = re.compile(rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{HASH_LENGTH}}})(?P<ext>\.[^./]+)$")


@dataclass(frozen=True)
class Asset:
    """One static file in memory."""

    name: str  # the path under static/, with "/" separators
    body: bytes
    content_type: str
    digest: str
    gzip_body: bytes | None  # None when the type is not compressed or gzip does not help

    @property
    def fingerprinted_name(self) -> str:
        stem, dot, ext = self.name.rpartition(".")
        if not dot or "/" in ext:
            return f"{self.name}.{self.digest}"
        return f"{stem}.{self.digest}.{ext}"

    @property
    def etag(self) -> str:
        return self.digest

    @property
    def gzip_etag(self) -> str:
        return f"{self.digest}-gz"


def content_type_of(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in TEXT_TYPES:
        return TEXT_TYPES[suffix]
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def make_asset(name: str, body: bytes) -> Asset:
    digest = hashlib.sha256(body).hexdigest()[:HASH_LENGTH]
    compressed = None
    if Path(name).suffix.lower() in TEXT_TYPES:
        packed = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
        compressed = packed if len(packed) < len(body) else None
    return Asset(name, body, content_type_of(name), digest, compressed)


class AssetCatalog:
    """Every file under the static folder (and the bundle), by name and by fingerprinted name."""

    def __init__(self, static_folder: str | Path):
        folder = Path(static_folder)
        self.by_name: dict[str, Asset] = {}
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                name = path.relative_to(folder).as_posix()
                self.by_name[name] = make_asset(name, path.read_bytes())
        self.by_name[BUNDLE_NAME] = make_asset(BUNDLE_NAME, build_stylesheet_bundle(folder))
        self.by_fingerprint = {asset.fingerprinted_name: asset for asset in self.by_name.values()}

    def url_name(self, name: str) -> str:
        """The fingerprinted name templates link to (the name itself for an unknown file)."""
        asset = self.by_name.get(name)
        return asset.fingerprinted_name if asset else name

    def find(self, requested: str) -> tuple[Asset | None, bool]:
        """(the asset, whether `requested` is its current fingerprinted name).

        A name with an outdated fingerprint finds today's file (an old page's link still
        works) but is not the current fingerprint, so it is not cached for long."""
        asset = self.by_name.get(requested)
        if asset is not None:
            return asset, False
        asset = self.by_fingerprint.get(requested)
        if asset is not None:
            return asset, True
        match = FINGERPRINT.match(requested)
        if match is None:
            return None, False
        return self.by_name.get(match["stem"] + match["ext"]), False
