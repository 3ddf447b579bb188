"""Each app's own database: the models resolve to the database of the app being served.

peewee binds models to one database object; two gateways in one process (tests, or an app
embedded next to another) would otherwise write into whichever database was opened last. The
models are bound to `AppDatabaseProxy`, which answers with the database bound to the current
thread or context (a ContextVar), falling back to the one opened last. A database opened with
`open_database` binds itself whenever it is used — `connection_context()`, `atomic()`,
`connect()` — so every request, the usage writer and the snapshot reloads use their own app's
database without naming it; `bind(database)` does it by hand where nothing else would.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from peewee import Database, DatabaseProxy
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

_CURRENT: ContextVar[Any] = ContextVar("omniroute_database", default=None)
_FALLBACK = DatabaseProxy.__dict__["obj"]  # the proxy's own slot: the database opened last


class AppDatabaseProxy(DatabaseProxy):
    """A DatabaseProxy whose target is the database bound to the current context."""

    __slots__ = ()

    @property
    def obj(self):
        return _CURRENT.get() or _FALLBACK.__get__(self)

    def __setattr__(self, attr: str, value: Any) -> None:
        if attr not in DatabaseProxy.__slots__:
            raise AttributeError("Cannot set attribute on proxy.")
        if attr == "obj":  # initialize(): the database opened last, the fallback
            _FALLBACK.__set__(self, value)
        else:
            object.__setattr__(self, attr, value)


def bind(database) -> None:
    """Make `database` the one the models use in this thread or context."""
    if _CURRENT.get() is not database:
        _CURRENT.set(database)


class SelfBinding(Database):
    """Mixin for peewee databases: using one binds it (see the module docstring)."""

    def connect(self, *args, **kwargs):
        bind(self)
        return super().connect(*args, **kwargs)

    def connection_context(self):
        bind(self)
        return super().connection_context()

    def atomic(self, *args, **kwargs):
        bind(self)
        return super().atomic(*args, **kwargs)


class AppSqliteDatabase(SelfBinding, PooledSqliteDatabase):
    pass


class AppPostgresqlDatabase(SelfBinding, PooledPostgresqlDatabase):
    pass
