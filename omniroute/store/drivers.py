"""Keep the PostgreSQL driver out of a process whose database is SQLite.

peewee imports psycopg2 whenever it is installed, which adds about 12 MB to every process and
a few milliseconds to its start. A `None` entry in `sys.modules` makes that import fail as if
the package were missing (the documented meaning of such an entry), which peewee expects; the
gateway's entry point calls `skip_postgres_driver` before anything imports peewee.
"""

from __future__ import annotations

import sys
from urllib.parse import urlparse

POSTGRES_SCHEMES = frozenset({"postgresql", "postgres"})


def uses_postgres(database_url: str) -> bool:
    return urlparse(database_url).scheme in POSTGRES_SCHEMES


def skip_postgres_driver(database_url: str) -> bool:
    """Mark psycopg2 as absent unless `database_url` needs it or it is loaded already; True if
    it was marked."""
    if uses_postgres(database_url) or "psycopg2" in sys.modules or "peewee" in sys.modules:
        return False
    sys.modules["psycopg2"] = None  # type: ignore[assignment]
    return True
