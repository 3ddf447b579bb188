"""Session affinity without sockets: the pin table (bounds, expiry with a fake clock, kept and
moved counts), the plan reordering, the stored options, and the conversation identity read from
every source — including the bodies and headers Claude Code and Codex really send
(../shared/fixtures/clients)."""

from __future__ import annotations

import json

import pytest
from werkzeug.datastructures import Headers

from omniroute.providers import provider_for_prefix
from omniroute.providers.accounts import ActiveConnection
from omniroute.proxy.conversation_identity import (
    MAX_IDENTITY_CHARS,
    affinity_identity,
    claude_code_session,
    conversation_identity,
)
from omniroute.routing.affinity import (
    AffinityOptions,
    AffinityTable,
    SessionAffinity,
    attempt_key,
)
from omniroute.routing.plan import Attempt
from omniroute.store.affinity_options import options_from_json
from tests.formats.client_fixtures import client_records

GLM = provider_for_prefix("glm")


def attempt(account_id: int, model: str = "glm-4.7") -> Attempt:
    assert GLM is not None
    connection = ActiveConnection(account_id, "glm", f"a{account_id}", "sk", None, account_id)
    return Attempt(GLM, connection, model)


class Options:
    """A stand-in for the options' SnapshotCache."""

    def __init__(self, options: AffinityOptions):
        self.current = options
        self.invalidated = 0

    def snapshot(self) -> AffinityOptions:
        return self.current

    def invalidate(self) -> None:
        self.invalidated += 1


# --- the table ---------------------------------------------------------------------------------


def test_a_pin_names_the_attempt_that_answered_and_counts_kept_and_moved(clock):
    table = AffinityTable(10, 60, clock)
    assert table.pinned("c") is None
    table.answered("c", "a1")
    assert table.pinned("c") == "a1"
    table.answered("c", "a1")
    table.answered("c", "a2")
    assert table.pinned("c") == "a2"
    assert table.stats() == {"entries": 1, "kept": 1, "moved": 1}


def test_a_pin_expires_ttl_seconds_after_its_last_answer(clock):
    table = AffinityTable(10, 60, clock)
    table.answered("c", "a1")
    clock.advance(59)
    assert table.pinned("c") == "a1"
    table.answered("c", "a1")  # answering again renews it
    clock.advance(59)
    assert table.pinned("c") == "a1"
    clock.advance(1)
    assert table.pinned("c") is None
    assert len(table) == 0
    table.answered("c", "a2")  # after expiry a new pin is neither kept nor moved
    assert table.stats() == {"entries": 1, "kept": 1, "moved": 0}


def test_expired_entries_are_dropped_when_others_are_answered(clock):
    table = AffinityTable(10, 60, clock)
    for name in ("a", "b", "c"):
        table.answered(name, 1)
    clock.advance(61)
    table.answered("d", 1)
    assert len(table) == 1


def test_the_table_keeps_at_most_max_entries_dropping_the_least_recently_answered(clock):
    table = AffinityTable(3, 3600, clock)
    for name in ("a", "b", "c"):
        table.answered(name, name)
        clock.advance(1)
    table.answered("a", "a")  # a answered again: b is now the oldest
    table.answered("d", "d")
    assert len(table) == 3
    assert table.pinned("b") is None
    assert [table.pinned(n) for n in ("a", "c", "d")] == ["a", "c", "d"]


def test_resizing_drops_the_oldest_at_once(clock):
    table = AffinityTable(10, 3600, clock)
    for number in range(10):
        table.answered(number, number)
    table.resize(4, 3600)
    assert len(table) == 4
    assert table.pinned(5) is None and table.pinned(6) == 6


# --- the plan ----------------------------------------------------------------------------------


def test_the_pinned_attempt_goes_first_and_the_others_keep_the_strategy_order(clock):
    affinity = SessionAffinity(Options(AffinityOptions()), clock)
    conversation = ("s1", 7, "glm/glm-4.7")
    plan = [attempt(1), attempt(2), attempt(3)]
    assert affinity.order(conversation, plan) == plan  # no pin yet: the strategy's order
    affinity.answered(conversation, attempt(3))
    assert [a.connection.id for a in affinity.order(conversation, plan)] == [3, 1, 2]


def test_a_pinned_account_the_plan_left_out_changes_nothing_and_the_pin_moves(clock):
    affinity = SessionAffinity(Options(AffinityOptions()), clock)
    conversation = ("s1", None, "glm/glm-4.7")
    affinity.answered(conversation, attempt(2))
    resting = [attempt(3), attempt(1)]  # account 2 is cooling down: not in the plan
    assert affinity.order(conversation, resting) == resting
    affinity.answered(conversation, resting[0])
    assert affinity.table.pinned(conversation) == attempt_key(attempt(3))
    assert affinity.stats() == {"entries": 1, "kept": 0, "moved": 1}


def test_a_pin_names_the_model_too(clock):
    """The same account serving another model of a combo is not the conversation's pin."""
    affinity = SessionAffinity(Options(AffinityOptions()), clock)
    conversation = ("s1", None, "my-combo")
    affinity.answered(conversation, attempt(2, "glm-4.6"))
    plan = [attempt(1, "glm-4.7"), attempt(2, "glm-4.7"), attempt(2, "glm-4.6")]
    assert affinity.order(conversation, plan)[0] == attempt(2, "glm-4.6")


def test_conversations_differ_by_api_key_and_by_model(clock):
    affinity = SessionAffinity(Options(AffinityOptions()), clock)
    affinity.answered(("s1", 1, "glm/glm-4.7"), attempt(2))
    plan = [attempt(1), attempt(2)]
    assert affinity.order(("s1", 2, "glm/glm-4.7"), plan) == plan
    assert affinity.order(("s1", 1, "glm/glm-4.6"), plan) == plan
    assert affinity.order(("s1", 1, "glm/glm-4.7"), plan)[0] == attempt(2)


def test_changed_options_resize_the_table_and_switch_identities_off(clock):
    options = Options(AffinityOptions(max_entries=5))
    affinity = SessionAffinity(options, clock)
    for number in range(5):
        affinity.answered((str(number), None, "m"), attempt(1))
    headers = Headers({"X-Session-Id": "s1"})
    assert affinity_identity(affinity, headers, {}) == "s1"
    options.current = AffinityOptions(enabled=False, max_entries=2)
    assert affinity_identity(affinity, headers, {}) is None
    assert len(affinity.table) == 2
    affinity.invalidate()
    assert options.invalidated == 1


def test_the_configured_header_is_read_only_when_set():
    options = Options(AffinityOptions(header="X-Conversation"))
    affinity = SessionAffinity(options)
    headers = Headers({"X-Conversation": "conv-9", "X-Session-Id": "s1"})
    assert affinity_identity(affinity, headers, {}) == "conv-9"
    options.current = AffinityOptions()
    assert affinity_identity(affinity, headers, {}) == "s1"


# --- the stored options ------------------------------------------------------------------------


def test_options_round_trip_and_bad_stored_values_read_as_defaults():
    stored = {"enabled": False, "header": " X-Chat ", "max_entries": 50, "ttl_seconds": 90}
    assert options_from_json(json.dumps(stored)) == AffinityOptions(False, "X-Chat", 50, 90.0)
    assert options_from_json(None) == AffinityOptions()
    assert options_from_json("not json") == AffinityOptions()
    assert options_from_json("[1]") == AffinityOptions()
    bad = {"enabled": "yes", "header": 3, "max_entries": 0, "ttl_seconds": -1}
    assert options_from_json(json.dumps(bad)) == AffinityOptions()
    assert options_from_json(json.dumps({"max_entries": True})) == AffinityOptions()


# --- the conversation identity -----------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    ["X-Session-Id", "x-session-id", "session-id", "session_id", "X-Claude-Code-Session-Id"],
)
def test_each_known_header_names_the_conversation(header):
    assert conversation_identity(Headers({header: "abc"}), {"model": "m"}) == "abc"


def test_headers_come_before_the_body_and_the_configured_header_first():
    body = {"prompt_cache_key": "from-body"}
    assert conversation_identity(Headers({"X-Session-Id": "h"}), body) == "h"
    both = Headers({"X-Session-Id": "h", "X-Mine": "mine"})
    assert conversation_identity(both, body, "X-Mine") == "mine"
    assert conversation_identity(Headers(), body, "X-Mine") == "from-body"
    assert conversation_identity(None, body) == "from-body"


def test_calls_without_an_identity_have_none():
    assert conversation_identity(Headers({"X-Other": "1"}), {"model": "m"}) is None
    assert conversation_identity(None, ["not", "a", "dict"]) is None
    assert conversation_identity(None, {"metadata": {"user_id": "plain-user"}}) is None
    assert conversation_identity(None, {"metadata": "x", "prompt_cache_key": 5}) is None
    assert conversation_identity(Headers({"X-Session-Id": ""}), {}) is None


def test_long_identities_are_cut():
    long = "s" * (MAX_IDENTITY_CHARS * 5)
    assert conversation_identity(Headers({"X-Session-Id": long}), {}) == long[:MAX_IDENTITY_CHARS]
    assert conversation_identity(None, {"prompt_cache_key": long}) == long[:MAX_IDENTITY_CHARS]


@pytest.mark.parametrize(
    "user_id, session",
    [
        ('{"device_id":"d","account_uuid":"","session_id":"2cf3a238"}', "2cf3a238"),
        ("user_abc123_account_4f1e_session_9b2c-77", "9b2c-77"),
        ('{"device_id":"d"}', None),
        ('{"session_id": 5}', None),
        ("{not json", None),
        ("user_abc123_session_", None),
        ("someone@example.com", None),
        (None, None),
        (42, None),
    ],
)
def test_claude_code_user_id_forms(user_id, session):
    assert claude_code_session(user_id) == session


def captured(prefix: str) -> list[dict]:
    records = [record for stem, _, record in client_records() if stem.startswith(prefix)]
    assert records, f"the captured {prefix} requests are in ../shared/fixtures/clients"
    return records


def test_claude_code_requests_name_their_session():
    for record in captured("claude-code-"):
        session = json.loads(record["body"]["metadata"]["user_id"])["session_id"]
        headers = Headers(record["headers"])
        assert conversation_identity(headers, record["body"]) == session
    sessions = {conversation_identity(None, r["body"]) for r in captured("claude-code-2.1.330")}
    assert len(sessions) == 1  # the two turns of one conversation


def test_codex_requests_name_their_session_by_header_and_by_prompt_cache_key():
    for record in captured("codex-"):
        header = record["headers"]["session-id"]
        assert conversation_identity(Headers(record["headers"]), record["body"]) == header
        assert conversation_identity(None, record["body"]) == header  # prompt_cache_key
