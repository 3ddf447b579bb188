"""dialect_of sees through the models' database proxy (the Health page's median query chose
SQLite's SQL on PostgreSQL when it was handed the proxy)."""

from __future__ import annotations

from peewee import DatabaseProxy, PostgresqlDatabase, SqliteDatabase

from omniroute.store.migrations import dialect_of


def test_the_dialect_of_a_database_and_of_a_proxy_standing_for_it():
    postgres = PostgresqlDatabase("never-connected")
    sqlite = SqliteDatabase(":memory:")
    proxy = DatabaseProxy()
    proxy.initialize(postgres)
    assert dialect_of(postgres) == dialect_of(proxy) == "postgresql"
    proxy.initialize(sqlite)
    assert dialect_of(sqlite) == dialect_of(proxy) == "sqlite"
