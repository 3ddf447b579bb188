"""The one stylesheet the dashboard loads: every `static/css/*.css` file, `app.css` first and
then the others in name order, joined into one text kept in memory.

Each area of the dashboard writes its own file; the bundle is built once, when the app is
created, from whatever files are there.
"""

from __future__ import annotations

from pathlib import Path

BUNDLE_NAME = "css/app.css"  # the name templates ask for; it resolves to the bundle
FIRST_FILE = "app.css"


def stylesheet_files(static_folder: Path) -> list[Path]:
    """The files of the bundle, in bundle order."""
    found = sorted((static_folder / "css").glob("*.css"), key=lambda path: path.name)
    return sorted(found, key=lambda path: path.name != FIRST_FILE)  # stable: app.css first


def build_stylesheet_bundle(static_folder: Path) -> bytes:
    """The bundle's bytes: each file under a comment naming it, separated by a newline."""
    parts = []
    for path in stylesheet_files(static_folder):
        text = path.read_bytes().rstrip(b"\n")
        parts.append(b"/* css/" + path.name.encode() + b" */\n" + text + b"\n")
    return b"\n".join(parts)
