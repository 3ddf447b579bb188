"""Two gateways in one process keep to their own databases (the models resolve to the database
of the app being served, not to whichever was opened last)."""

from __future__ import annotations

import sqlite3

import requests

from tests.gateway_harness import start_gateway


def rows(data_dir, query: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "omniroute.db") as database:
        return database.execute(query).fetchall()


def test_two_gateways_in_one_process_keep_their_own_data(tmp_path, upstream):
    first = start_gateway(str(tmp_path / "first"))
    second = start_gateway(str(tmp_path / "second"))  # opened last: the models' fallback
    try:
        first.add_connection(upstream.url, name="first's account")
        second.add_connection(upstream.url, name="second's account")
        for gateway, count in ((first, 3), (second, 1)):
            for _ in range(count):
                answer = requests.post(
                    gateway.v1 + "/chat/completions",
                    json={
                        "model": "openai/gpt-4o-mini",
                        "messages": [{"role": "user", "content": "hi"}],
                    },
                    timeout=10,
                )
                assert answer.status_code == 200, answer.text
            gateway.flush_usage()
        with first.admin() as session:
            listed = [c["name"] for c in session.get(first.url + "/api/providers").json()["data"]]
        assert listed == ["first's account"]
        assert rows(tmp_path / "first", "SELECT name FROM provider_connections") == [
            ("first's account",)
        ]
        assert rows(tmp_path / "second", "SELECT name FROM provider_connections") == [
            ("second's account",)
        ]
        assert rows(tmp_path / "first", "SELECT count(*) FROM usage_records") == [(3,)]
        assert rows(tmp_path / "second", "SELECT count(*) FROM usage_records") == [(1,)]
        with second.admin() as session:
            models = session.get(second.url + "/v1/models").json()["data"]
        assert any(m["id"].startswith("openai/") for m in models)
    finally:
        second.stop()
        first.stop()
