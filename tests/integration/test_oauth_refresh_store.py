"""Signed-in accounts in the store, on SQLite and on a real PostgreSQL: saved as connections (one
per provider and account), tokens sealed, refreshed sets saved by compare-and-swap on the refresh
token, the refresh lease, the sign-in-again mark, quota snapshots, and migration 10 on a
database that already holds connections."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from omniroute.store import connections
from omniroute.store import oauth_accounts as accounts
from omniroute.store.database import open_database
from omniroute.store.migrations import LATEST_VERSION, migrate
from omniroute.store.models import ProviderConnection
from omniroute.store.oauth_accounts import TokenSet
from omniroute.store.secret_box import SecretBox

ACCESS = "sk-ant-oat01-ACCESS-PLAINTEXT-0001"
REFRESH = "sk-ant-ort01-REFRESH-PLAINTEXT-0001"
SIGNED_IN_SINCE = 10  # the migration that made connections signed-in accounts


@pytest.fixture
def box():
    return SecretBox(bytes(range(32)))


@pytest.fixture
def db(database_url):
    database = open_database(database_url)
    migrate(database)
    database.connect(reuse_if_open=True)
    yield database
    database.close()
    database.close_all()


def tokens(access=ACCESS, refresh=REFRESH, **extra) -> TokenSet:
    return TokenSet(access, refresh, 1_900_000_000.0, extra)


def save(box, account="ada@example.com", provider="claude-code", token_set=None) -> int:
    return accounts.save_account(
        box, provider=provider, account=account, tokens=token_set or tokens()
    )


def test_a_sign_in_is_a_connection_listed_without_its_tokens(db, box):
    connection_id = save(box, token_set=tokens(chatgpt_account_id="acct-1"))

    record = connections.get_connection(connection_id)
    assert (record.provider, record.name, record.auth_kind) == (
        "claude-code",
        "ada@example.com",
        "oauth",
    )
    assert (record.account_label, record.sign_in_state, record.api_key_hint) == (
        "ada@example.com",
        "ok",
        "",
    )
    assert ACCESS not in repr(connections.list_connections())
    stored = accounts.read_account(box, connection_id)
    assert stored.tokens == tokens(chatgpt_account_id="acct-1")
    active = connections.load_active_connections(box)
    assert [(c.id, c.auth_kind, c.api_key) for c in active] == [(connection_id, "oauth", "")]


def test_the_token_set_is_one_sealed_blob(db, box):
    connection_id = save(box)
    row = ProviderConnection.get_by_id(connection_id)
    assert row.oauth_tokens_encrypted.startswith("v1:")
    for column in (row.oauth_tokens_encrypted, row.api_key_encrypted, row.name):
        assert ACCESS not in column and REFRESH not in column
    assert TokenSet.unsealed(box, row.oauth_tokens_encrypted) == tokens()


def test_the_same_account_signed_in_again_updates_its_connection(db, box):
    first = save(box)
    other = save(box, account="bob@example.com")
    accounts.mark_sign_in_again(box, first, "invalid_grant", refreshed_from=REFRESH)
    connections.update_connection(box, first, name="Work", priority=3)

    again = save(box, token_set=tokens("new-access", "new-refresh"))

    assert again == first and other != first
    record = connections.get_connection(first)
    assert (record.name, record.priority, record.sign_in_state) == ("Work", 3, "ok")
    assert record.sign_in_reason is None
    assert accounts.read_account(box, first).tokens.refresh_token == "new-refresh"
    same_label_other_provider = save(box, provider="codex")
    assert same_label_other_provider not in (first, other)


def test_an_account_without_a_label_is_always_a_new_connection(db, box):
    assert save(box, account="") != save(box, account="")


def test_a_refreshed_set_replaces_only_the_set_it_was_refreshed_from(db, box):
    connection_id = save(box)
    rotated = tokens("access-2", "refresh-2")

    assert accounts.replace_tokens(box, connection_id, refreshed_from=REFRESH, tokens=rotated)
    late = tokens("access-late", "refresh-late")
    assert not accounts.replace_tokens(box, connection_id, refreshed_from=REFRESH, tokens=late)

    assert accounts.read_account(box, connection_id).tokens == rotated


def test_of_two_concurrent_swaps_from_one_refresh_token_exactly_one_wins(database_url, box):
    database = open_database(database_url)
    try:
        migrate(database)
        with database.connection_context():
            connection_id = save(box)
        results: list[bool] = []
        barrier = threading.Barrier(8)

        def swap(n: int) -> None:
            barrier.wait()
            with database.connection_context():
                new = tokens(f"access-{n}", f"refresh-{n}")
                won = accounts.replace_tokens(
                    box, connection_id, refreshed_from=REFRESH, tokens=new
                )
            results.append(won)

        threads = [threading.Thread(target=swap, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(results) == [False] * 7 + [True]
        with database.connection_context():
            stored = accounts.read_account(box, connection_id).tokens
        assert stored.refresh_token != REFRESH
    finally:
        database.close_all()


def test_the_refresh_lease_is_held_by_one_until_released_or_expired(db, box):
    connection_id = save(box)
    assert accounts.claim_refresh(connection_id, now=100.0, until=220.0)
    assert not accounts.claim_refresh(connection_id, now=150.0, until=270.0)
    assert accounts.read_account(box, connection_id).refresh_lease_until == 220.0
    assert accounts.claim_refresh(connection_id, now=221.0, until=341.0)  # it expired
    accounts.release_refresh(connection_id)
    assert accounts.claim_refresh(connection_id, now=222.0, until=342.0)


def test_sign_in_again_is_marked_only_while_the_failed_refresh_token_is_stored(db, box):
    connection_id = save(box)
    accounts.replace_tokens(box, connection_id, refreshed_from=REFRESH, tokens=tokens("a", "r2"))

    assert not accounts.mark_sign_in_again(
        box, connection_id, "invalid_grant", refreshed_from=REFRESH
    )
    assert not accounts.read_account(box, connection_id).needs_sign_in

    assert accounts.mark_sign_in_again(
        box, connection_id, "invalid_grant: revoked", refreshed_from="r2"
    )
    stored = accounts.read_account(box, connection_id)
    assert stored.needs_sign_in and stored.sign_in_reason == "invalid_grant: revoked"
    record = connections.get_connection(connection_id)
    assert (record.sign_in_state, record.sign_in_reason) == (
        "sign_in_again",
        "invalid_grant: revoked",
    )


def test_the_last_quota_snapshot_is_kept_with_its_time(db, box):
    connection_id = save(box)
    at = dt.datetime(2026, 11, 22, 10, 30)
    snapshot = {"windows": [{"name": "5h", "used": 0.25, "resetsAt": 1_900_000_000}]}

    accounts.save_quota_snapshot(connection_id, snapshot, at)

    record = connections.get_connection(connection_id)
    assert (record.quota, record.quota_updated_at) == (snapshot, at)


def test_an_api_key_connection_is_not_a_signed_in_account(db, box):
    created = connections.create_connection(box, provider="openai", name="k", api_key="sk-12345678")
    record = connections.get_connection(created.id)
    assert (record.auth_kind, record.sign_in_state, record.account_label) == ("api_key", "ok", None)
    assert accounts.read_account(box, created.id) is None
    assert accounts.read_account(box, 9999) is None


def test_migration_10_turns_existing_connections_into_api_key_accounts(database_url, box):
    database = open_database(database_url)
    try:
        migrate(database, upto=SIGNED_IN_SINCE - 1)
        with database.connection_context():
            created = connections.create_connection(
                box, provider="openai", name="before", api_key="sk-before-12345678"
            )

        assert migrate(database) == list(range(SIGNED_IN_SINCE, LATEST_VERSION + 1))

        with database.connection_context():
            record = connections.get_connection(created.id)
            assert (record.name, record.auth_kind, record.sign_in_state) == (
                "before",
                "api_key",
                "ok",
            )
            assert (record.account_label, record.quota) == (None, None)
            active = connections.load_active_connections(box)
            assert [(a.api_key, a.auth_kind) for a in active] == [("sk-before-12345678", "api_key")]
            signed_in = save(box)
            assert accounts.read_account(box, signed_in).tokens == tokens()
    finally:
        database.close_all()
