"""The captured client requests in ../shared/fixtures/clients (next to the repository).

The path is found from this file, never hard-coded. When the directory is missing, the loaders
return nothing (so collection does not crash) and `missing_fixtures_message()` says why, for the
tests that check the fixtures are there.
"""

from __future__ import annotations

import json
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / ".." / "shared" / "fixtures" / "clients"


def client_records() -> list[tuple[str, int, dict]]:
    """(file stem, position, record) of every captured request, in file order."""
    if not FIXTURES.is_dir():
        return []
    return [
        (path.stem, number, record)
        for path in sorted(FIXTURES.glob("*.json"))
        for number, record in enumerate(json.loads(path.read_text()))
    ]


def missing_fixtures_message() -> str | None:
    if not FIXTURES.is_dir():
        return f"the client fixtures directory {FIXTURES.resolve()} is missing"
    if not any(FIXTURES.glob("*.json")):
        return f"no *.json client fixtures in {FIXTURES.resolve()}"
    return None
