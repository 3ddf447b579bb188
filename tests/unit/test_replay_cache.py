"""The response cache's parts without sockets: the cache key (stable across wire formats and
field order, blind to the stream choice and per-request noise, namespaced per API key), the
cache's TTL and its bounds in entries and bytes, the idempotency table's window, waits and
bounds, and the stored options (an invalid value is its default) — on a fake clock."""

from __future__ import annotations

import dataclasses
import json
import threading

import pytest

from omniroute.formats import canonical as c
from omniroute.formats.registry import FORMATS
from omniroute.replay.cache_key import request_key
from omniroute.replay.idempotency import IdempotencyTable, KeptReply
from omniroute.replay.response_cache import CachedAnswer, ResponseCache
from omniroute.store.replay_options import (
    DEFAULT_REPLAY_OPTIONS,
    ReplayOptions,
    options_from_json,
    options_to_json,
)
from tests.replay_requests import FORMATS as CLIENT_FORMATS
from tests.replay_requests import question


def canonical(fmt: str, body: dict) -> c.Request:
    return FORMATS[fmt].parse_request(body)


def key_of(fmt: str, api_key_id: int | None = None, **kwargs) -> str:
    _, body = question(fmt, **kwargs)
    request = canonical(fmt, body)
    if fmt == "gemini":  # the model is in the URL: the pipeline sets it
        request = dataclasses.replace(request, model="openai/gpt-4o-mini")
    return request_key(request, api_key_id)


# -- the key ------------------------------------------------------------------------------


def test_the_same_question_has_the_same_key_in_every_format():
    keys = {fmt: key_of(fmt) for fmt in CLIENT_FORMATS}
    assert len(set(keys.values())) == 1, keys
    assert len(keys["openai"]) == 64 and int(keys["openai"], 16) >= 0  # sha256 hex


def test_field_order_stream_and_noise_do_not_change_the_key():
    _, body = question("openai")
    reordered = json.loads(json.dumps(dict(reversed(list(body.items())))))
    noisy = {**body, "stream": True, "user": "someone", "metadata": {"run": "42"}}
    plain = request_key(canonical("openai", body), None)
    assert request_key(canonical("openai", reordered), None) == plain
    assert request_key(canonical("openai", noisy), None) == plain
    anthropic = question("anthropic")[1]
    with_metadata = {**anthropic, "metadata": {"user_id": "session-9"}}
    assert request_key(canonical("anthropic", with_metadata), None) == key_of("anthropic")


def test_prompt_cache_markers_do_not_change_the_key():
    _, body = question("anthropic")
    body["messages"][0]["content"][0]["cache_control"] = {"type": "ephemeral"}
    assert request_key(canonical("anthropic", body), None) == key_of("anthropic")


def test_temperature_zero_is_one_value_whatever_its_spelling():
    assert key_of("openai", temperature=0) == key_of("openai", temperature=0.0)


@pytest.mark.parametrize(
    "change",
    [
        {"text": "what is three plus three"},
        {"temperature": 0.5},
        {"api_key_id": 7},
    ],
    ids=["question", "temperature", "api-key"],
)
def test_what_changes_the_meaning_changes_the_key(change):
    assert key_of("openai", **change) != key_of("openai")


@pytest.mark.parametrize(
    "field, value",
    [
        ("max_tokens", 65),
        ("tools", [{"type": "function", "function": {"name": "f", "parameters": {}}}]),
        ("stop", ["END"]),
        ("top_p", 0.5),
        ("response_format", {"type": "json_object"}),
        ("model", "openai/gpt-4o"),
    ],
)
def test_each_parameter_of_the_answer_is_in_the_key(field, value):
    _, body = question("openai")
    assert request_key(canonical("openai", {**body, field: value}), None) != key_of("openai")


def test_keys_are_namespaced_per_api_key():
    assert key_of("anthropic", api_key_id=1) != key_of("anthropic", api_key_id=2)
    assert key_of("anthropic", api_key_id=None) != key_of("anthropic", api_key_id=1)


# -- the response cache -------------------------------------------------------------------


def answer(size: int = 100, text: str = "hi") -> CachedAnswer:
    response = c.Response("id", "m", (c.TextPart(text),))
    return CachedAnswer(response, "openai", "gpt", 0.01, size)


def test_an_entry_lives_for_its_ttl(clock):
    cache = ResponseCache(10, 10_000, 60, clock)
    cache.put("k", answer())
    clock.advance(59.9)
    assert cache.get("k") is not None
    clock.advance(0.2)
    assert cache.get("k") is None
    assert cache.stats()["entries"] == 0 and cache.stats()["bytes"] == 0


def test_the_least_recently_used_entry_goes_first_past_the_entry_bound(clock):
    cache = ResponseCache(2, 10_000, 60, clock)
    cache.put("a", answer())
    cache.put("b", answer())
    assert cache.get("a") is not None  # "b" is now the least recently used
    cache.put("c", answer())
    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") is not None
    assert cache.stats()["entries"] == 2


def test_the_byte_bound_evicts_and_refuses_an_answer_bigger_than_the_budget(clock):
    cache = ResponseCache(100, 250, 60, clock)
    for key in "abc":
        cache.put(key, answer(100))
    assert cache.get("a") is None  # 300 bytes > 250: the oldest went
    assert cache.stats()["bytes"] == 200
    assert cache.put("big", answer(251)) is False
    assert cache.get("big") is None and cache.stats()["bytes"] == 200


def test_resizing_applies_the_new_bounds_at_once(clock):
    cache = ResponseCache(10, 10_000, 60, clock)
    for key in "abcd":
        cache.put(key, answer(100))
    cache.resize(2, 10_000, 60)
    assert cache.stats()["entries"] == 2
    cache.resize(2, 150, 60)
    assert cache.stats()["entries"] == 1 and cache.stats()["bytes"] == 100


def test_the_counters_tell_hits_misses_and_the_hit_rate(clock):
    cache = ResponseCache(10, 10_000, 60, clock)
    cache.get("k")
    cache.put("k", answer(42))
    cache.get("k")
    cache.get("k")
    stats = cache.stats()
    assert (stats["hits"], stats["misses"], stats["entries"], stats["bytes"]) == (2, 1, 1, 42)
    assert stats["hit_rate"] == pytest.approx(2 / 3)


# -- the idempotency table ----------------------------------------------------------------


def kept(body: bytes = b"{}") -> KeptReply:
    return KeptReply(200, {"Content-Type": "application/json"}, body, "openai", "gpt", 0.01)


def test_a_kept_answer_is_replayed_within_the_window_only(clock):
    table = IdempotencyTable(5.0, 10, 10_000, clock)
    first = table.claim("id")
    assert first.first
    table.keep(first, kept(b"one"))
    clock.advance(4.9)
    repeat = table.claim("id")
    assert not repeat.first and repeat.kept is not None and repeat.kept.body == b"one"
    clock.advance(0.2)
    assert table.claim("id").first  # the window ended: a new first call


def test_a_duplicate_waits_for_the_first_answer(clock):
    table = IdempotencyTable(5.0, 10, 10_000, clock)
    first = table.claim("id")
    waiting = table.claim("id")
    assert not waiting.first and waiting.kept is None
    got = []
    waiter = threading.Thread(target=lambda: got.append(table.wait(waiting, 10)))
    waiter.start()
    table.keep(first, kept(b"answer"))
    waiter.join(10)
    assert got[0] is not None and got[0].body == b"answer"


def test_a_dropped_first_call_sends_waiters_on_their_own(clock):
    table = IdempotencyTable(5.0, 10, 10_000, clock)
    first = table.claim("id")
    waiting = table.claim("id")
    table.drop(first)
    assert table.wait(waiting, 10) is None
    assert table.claim("id").first
    assert table.stats()["entries"] == 1


def test_the_table_is_bounded_in_entries_and_bytes(clock):
    table = IdempotencyTable(60.0, 3, 250, clock)
    for name in "abcd":
        table.keep(table.claim(name), kept(b"x" * 100))
    stats = table.stats()
    assert stats["entries"] == 2 and stats["bytes"] == 200  # 4 > 3 entries, 300 > 250 bytes
    assert table.claim("a").first and table.claim("b").first
    big = table.claim("big")
    table.keep(big, kept(b"x" * 300))  # too big to keep, but a waiter still gets it
    assert table.wait(big, 0) is not None
    assert table.claim("big").first


def test_answered_ids_past_the_window_are_swept(clock):
    table = IdempotencyTable(5.0, 10, 10_000, clock)
    for name in "abc":
        table.keep(table.claim(name), kept(b"12345"))
    clock.advance(6)
    table.claim("d")
    assert table.stats()["entries"] == 1 and table.stats()["bytes"] == 0


# -- the stored options -------------------------------------------------------------------


def test_options_round_trip_through_their_json():
    options = ReplayOptions(False, True, 30.0, 5, 4096, 2.5)
    assert options_from_json(options_to_json(options)) == options


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "not json",
        "[1, 2]",
        '{"cache_enabled": "yes", "ttl_seconds": -1, "max_entries": 1.5, "max_bytes": true}',
        '{"idempotency_window_seconds": "5", "cache_streams": 1, "ttl_seconds": NaN}',
    ],
)
def test_invalid_stored_options_are_their_defaults(stored):
    assert options_from_json(stored) == DEFAULT_REPLAY_OPTIONS


def test_valid_values_are_kept_beside_invalid_ones():
    options = options_from_json('{"ttl_seconds": 10, "max_entries": "many"}')
    assert options.ttl_seconds == 10
    assert options.max_entries == DEFAULT_REPLAY_OPTIONS.max_entries
