"""Quota windows read from Claude's and Codex's answers (oauth/quota_headers.py) and kept per
account at a bounded save rate (oauth/quota.py)."""

from __future__ import annotations

import json

import pytest

from omniroute.oauth.quota import QuotaBook, QuotaSnapshot, QuotaWindow
from omniroute.oauth.quota_headers import (
    claude_snapshot,
    codex_snapshot,
    codex_usage_limit,
    read_snapshot,
    refusal_snapshot,
    window_name,
)
from tests.fake_clock import FakeClock

NOW = 1_900_000_000.0
UNIFIED = "anthropic-ratelimit-unified-"


def claude_headers(**windows: tuple[str, str, int]) -> dict[str, str]:
    """{window: (status, utilization, reset offset from NOW)} as Claude's unified headers."""
    headers = {}
    for name, (status, used, offset) in windows.items():
        headers[f"{UNIFIED}{name}-status"] = status
        headers[f"{UNIFIED}{name}-utilization"] = used
        headers[f"{UNIFIED}{name}-reset"] = str(int(NOW + offset))
    return headers


# -- Claude ------------------------------------------------------------------------------------
def test_claude_windows_of_an_allowed_answer():
    headers = {
        **claude_headers(
            **{"5h": ("allowed", "0.42", 3600), "7d": ("allowed_warning", "0.8", 86400)}
        ),
        f"{UNIFIED}status": "allowed",
        f"{UNIFIED}representative-claim": "five_hour",
        f"{UNIFIED}overage-status": "rejected",  # extra usage is not a window
    }
    snapshot = claude_snapshot(headers, NOW)
    assert snapshot == QuotaSnapshot(
        "claude-code",
        (QuotaWindow("5h", 0.42, NOW + 3600), QuotaWindow("7d", 0.8, NOW + 86400)),
        NOW,
    )


def test_claude_header_names_match_in_any_case():
    headers = {"Anthropic-Ratelimit-Unified-5h-Utilization": "0.5"}
    assert claude_snapshot(headers, NOW).window("5h").used == 0.5


def test_a_rejected_claude_window_exhausts_the_account_until_its_reset():
    headers = {
        **claude_headers(**{"5h": ("allowed", "0.3", 3600), "7d": ("rejected", "1.0", 90000)}),
        f"{UNIFIED}status": "rejected",
    }
    snapshot = claude_snapshot(headers, NOW)
    assert snapshot.exhausted and snapshot.resets_at == NOW + 90000
    assert snapshot.window("7d").exhausted and not snapshot.window("5h").exhausted
    assert snapshot.rest_seconds(NOW + 1000) == 89000


def test_a_rejected_model_window_does_not_exhaust_the_account():
    headers = {
        **claude_headers(**{"5h": ("allowed", "0.3", 3600), "7d_oi": ("rejected", "1.0", 7200)}),
        f"{UNIFIED}status": "rejected",
    }
    snapshot = claude_snapshot(headers, NOW)
    assert not snapshot.exhausted
    assert snapshot.window("7d_oi").exhausted


def test_an_overall_rejection_without_windows_uses_the_overall_reset():
    headers = {f"{UNIFIED}status": "rejected", f"{UNIFIED}reset": str(int(NOW + 600))}
    snapshot = claude_snapshot(headers, NOW)
    assert snapshot.windows == () and snapshot.exhausted and snapshot.resets_at == NOW + 600


@pytest.mark.parametrize(
    "headers",
    [{}, {"content-type": "application/json"}, {f"{UNIFIED}status": "allowed"}],
    ids=["none", "unrelated", "status-only"],
)
def test_no_windows_no_snapshot(headers):
    assert claude_snapshot(headers, NOW) is None


def test_odd_claude_values_are_skipped():
    headers = claude_headers(**{"5h": ("allowed", "lots", 0)})
    headers[f"{UNIFIED}5h-reset"] = "soon"
    assert claude_snapshot(headers, NOW).window("5h") == QuotaWindow("5h", None, None)


def test_a_reset_in_milliseconds_is_read_as_seconds():
    headers = {f"{UNIFIED}5h-reset": str(int(NOW * 1000))}
    assert claude_snapshot(headers, NOW).window("5h").resets_at == NOW


# -- Codex -------------------------------------------------------------------------------------
def codex_headers(position: str, percent: str, minutes: str, **more: str) -> dict[str, str]:
    headers = {
        f"x-codex-{position}-used-percent": percent,
        f"x-codex-{position}-window-minutes": minutes,
    }
    headers.update({f"x-codex-{position}-{k.replace('_', '-')}": v for k, v in more.items()})
    return headers


def test_codex_windows_are_named_by_length_and_reset_at_the_given_time():
    headers = {
        **codex_headers("primary", "37.5", "300", reset_at=str(int(NOW + 100))),
        **codex_headers("secondary", "12", "10080", reset_after_seconds="5000"),
    }
    snapshot = codex_snapshot(headers, NOW)
    assert snapshot.windows == (
        QuotaWindow("5h", 0.375, NOW + 100),
        QuotaWindow("7d", 0.12, NOW + 5000),
    )
    assert not snapshot.exhausted


def test_a_codex_window_at_100_percent_exhausts_the_account():
    headers = {
        **codex_headers("primary", "100", "300", reset_at=str(int(NOW + 100))),
        **codex_headers("secondary", "60", "10080", reset_at=str(int(NOW + 9000))),
    }
    snapshot = codex_snapshot(headers, NOW)
    assert snapshot.exhausted and snapshot.resets_at == NOW + 100


def test_codex_limit_reached_without_a_full_window_waits_for_the_latest_reset():
    headers = {
        **codex_headers("primary", "90", "300", reset_at=str(int(NOW + 100))),
        **codex_headers("secondary", "60", "10080", reset_at=str(int(NOW + 9000))),
        "x-codex-limit-reached": "true",
    }
    snapshot = codex_snapshot(headers, NOW)
    assert snapshot.exhausted and snapshot.resets_at == NOW + 9000


@pytest.mark.parametrize(("minutes", "name"), [(300, "5h"), (10080, "7d"), (90, "90m"), (60, "1h")])
def test_window_names(minutes, name):
    assert window_name(minutes) == name


def usage_limit_body(**error) -> bytes:
    return json.dumps(
        {"error": {"type": "usage_limit_reached", "message": "limit", **error}}
    ).encode()


def test_codex_usage_limit_body_names_the_reset():
    spent = codex_usage_limit(usage_limit_body(resets_at=int(NOW + 500)), NOW)
    assert spent == QuotaWindow("usage_limit", 1.0, NOW + 500, exhausted=True)
    later = codex_usage_limit(usage_limit_body(resets_in_seconds=60), NOW)
    assert later.resets_at == NOW + 60


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[]", b'{"error": "x"}', b'{"error": {"type": "rate_limit_exceeded"}}'],
)
def test_other_bodies_are_no_usage_limit(body):
    assert codex_usage_limit(body, NOW) is None


def test_a_refusal_snapshot_marks_the_spent_window_over_the_headers():
    headers = codex_headers("primary", "80", "300", reset_at=str(int(NOW + 100)))
    snapshot = refusal_snapshot("codex", headers, usage_limit_body(resets_at=int(NOW + 700)), NOW)
    assert snapshot.exhausted and snapshot.resets_at == NOW + 700
    assert [w.name for w in snapshot.windows] == ["5h", "usage_limit"]


def test_providers_without_quota_headers_report_nothing():
    assert read_snapshot("github-copilot", {"x-codex-primary-used-percent": "5"}, NOW) is None


def test_as_json_is_camel_case():
    window = QuotaWindow("5h", 0.5, NOW + 1, exhausted=True)
    snapshot = QuotaSnapshot("codex", (window,), NOW, True, NOW + 1)
    assert snapshot.as_json() == {
        "provider": "codex",
        "takenAt": NOW,
        "exhausted": True,
        "resetsAt": NOW + 1,
        "windows": [{"name": "5h", "used": 0.5, "resetsAt": NOW + 1, "exhausted": True}],
    }


# -- the book: latest in memory, saved at a bounded rate -----------------------------------------
def snapshot_at(now: float, exhausted: bool = False, used: float = 0.1) -> QuotaSnapshot:
    return QuotaSnapshot("claude-code", (QuotaWindow("5h", used),), now, exhausted)


def test_the_book_keeps_the_latest_and_saves_at_most_every_interval():
    clock, saved = FakeClock(NOW), []
    book = QuotaBook(lambda cid, snapshot: saved.append((cid, snapshot.windows[0].used)), clock)
    book.note(1, snapshot_at(NOW, used=0.1))
    clock.advance(10)
    book.note(1, snapshot_at(NOW + 10, used=0.2))
    book.note(2, snapshot_at(NOW + 10, used=0.7))
    assert book.latest(1).windows[0].used == 0.2
    assert saved == [(1, 0.1), (2, 0.7)]
    clock.advance(20)
    book.note(1, snapshot_at(NOW + 30, used=0.3))
    assert saved[-1] == (1, 0.3)


def test_the_book_saves_at_once_when_the_account_is_spent_or_back():
    clock, saved = FakeClock(NOW), []
    book = QuotaBook(lambda cid, snapshot: saved.append(snapshot.exhausted), clock)
    book.note(1, snapshot_at(NOW))
    book.note(1, snapshot_at(NOW, exhausted=True))
    book.note(1, snapshot_at(NOW, exhausted=True))
    book.note(1, snapshot_at(NOW))
    assert saved == [False, True, False]


def test_a_forgotten_account_is_saved_again_at_once():
    saved: list = []
    book = QuotaBook(lambda cid, snapshot: saved.append(cid), FakeClock(NOW))
    book.note(1, snapshot_at(NOW))
    book.forget(1)
    assert book.latest(1) is None
    book.note(1, snapshot_at(NOW))
    assert saved == [1, 1]
