"""The response cache through a real gateway and the fake upstream: deterministic requests
(temperature 0) answered once by the provider and then from memory, in every client wire format,
streamed and not, across formats; the bypass header, requests that are not cached, failed
answers that are not kept, and the usage row of a hit ($0, the saving noted)."""

from __future__ import annotations

import pytest

from omniroute.store.usage_queries import recent_usage
from tests.fake_upstream import Behavior
from tests.integration import test_logging as logging_tests
from tests.integration.test_logging import CHAT, WEB_SEARCH, drop_lines, only_line, settle
from tests.replay_requests import FORMATS, ask, set_replay_options, text_of, upstream_calls

ANSWER = "echo: what is two plus two"
server_log, client = logging_tests.server_log, logging_tests.client  # the server log's fixtures


@pytest.fixture
def streams_cached(connected):
    set_replay_options(connected, cache_streams=True)
    return connected


def usage_rows(gateway) -> list:
    """Every usage row, oldest first."""
    gateway.flush_usage()
    with gateway.services.database.connection_context():
        return list(reversed(recent_usage(100)))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_repeated_question_is_answered_from_the_cache(connected, upstream, fmt):
    first = ask(connected, fmt)
    second = ask(connected, fmt)
    assert first.status_code == second.status_code == 200, second.text
    assert first.headers["X-OmniRoute-Cache"] == "MISS"
    assert second.headers["X-OmniRoute-Cache"] == "HIT"
    assert text_of(fmt, first) == text_of(fmt, second) == ANSWER
    assert second.headers["X-OmniRoute-Provider"] == "openai"
    assert upstream_calls(upstream) == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_repeated_stream_is_answered_with_a_synthesized_stream(streams_cached, upstream, fmt):
    first = ask(streams_cached, fmt, stream=True)
    second = ask(streams_cached, fmt, stream=True)
    assert first.headers["X-OmniRoute-Cache"] == "MISS"
    assert second.headers["X-OmniRoute-Cache"] == "HIT"
    assert second.headers["Content-Type"].startswith("text/event-stream")
    assert text_of(fmt, first) == text_of(fmt, second) == ANSWER
    assert upstream_calls(upstream) == 1


@pytest.mark.parametrize(
    "filler, fill_stream, caller, stream",
    [
        ("openai", False, "anthropic", True),
        ("anthropic", False, "gemini", False),
        ("gemini", True, "responses", True),
        ("responses", True, "openai", False),
        ("anthropic", True, "openai", True),
    ],
    ids=lambda value: str(value),
)
def test_a_hit_is_served_in_the_callers_format(
    streams_cached, upstream, filler, fill_stream, caller, stream
):
    assert ask(streams_cached, filler, stream=fill_stream).headers["X-OmniRoute-Cache"] == "MISS"
    hit = ask(streams_cached, caller, stream=stream)
    assert hit.headers["X-OmniRoute-Cache"] == "HIT"
    assert text_of(caller, hit) == ANSWER
    assert upstream_calls(upstream) == 1


def test_streams_are_not_cached_unless_the_option_is_on(connected, upstream):
    for _ in range(2):
        response = ask(connected, "anthropic", stream=True)
        assert text_of("anthropic", response) == ANSWER
        assert "X-OmniRoute-Cache" not in response.headers
    assert upstream_calls(upstream) == 2


def test_the_bypass_header_neither_reads_nor_writes_the_cache(connected, upstream):
    bypass = {"X-OmniRoute-No-Cache": "true"}
    for _ in range(2):
        response = ask(connected, "openai", headers=bypass)
        assert response.status_code == 200 and "X-OmniRoute-Cache" not in response.headers
    assert upstream_calls(upstream) == 2
    assert ask(connected, "openai").headers["X-OmniRoute-Cache"] == "MISS"  # nothing was kept
    assert ask(connected, "openai", headers=bypass).status_code == 200
    assert upstream_calls(upstream) == 4  # a kept answer is not read either


@pytest.mark.parametrize("temperature", [0.7, None], ids=["temperature-0.7", "no-temperature"])
def test_requests_that_are_not_deterministic_are_not_cached(connected, upstream, temperature):
    for fmt in ("openai", "gemini"):
        for _ in range(2):
            response = ask(connected, fmt, temperature=temperature)
            assert response.status_code == 200 and "X-OmniRoute-Cache" not in response.headers
    assert upstream_calls(upstream) == 4


def test_the_cache_can_be_turned_off(connected, upstream):
    set_replay_options(connected, cache_enabled=False)
    for _ in range(2):
        assert "X-OmniRoute-Cache" not in ask(connected, "anthropic").headers
    assert upstream_calls(upstream) == 2


def test_a_failed_answer_is_not_cached(connected, upstream):
    upstream.add(Behavior(status=400, error_message="bad request"), times=1)
    failed = ask(connected, "openai")
    assert failed.status_code == 400
    assert ask(connected, "openai").headers["X-OmniRoute-Cache"] == "MISS"
    assert ask(connected, "openai").headers["X-OmniRoute-Cache"] == "HIT"
    assert upstream_calls(upstream) == 2


def test_a_stream_cut_short_is_not_cached(streams_cached, upstream):
    upstream.add(Behavior(text="one two three four", reset_after_chunks=2), times=1)
    cut = ask(streams_cached, "openai", stream=True)
    assert cut.headers["X-OmniRoute-Cache"] == "MISS"
    assert "error" in cut.text
    assert ask(streams_cached, "openai", stream=True).headers["X-OmniRoute-Cache"] == "MISS"
    assert ask(streams_cached, "openai", stream=True).headers["X-OmniRoute-Cache"] == "HIT"
    assert upstream_calls(upstream) == 2


def test_callers_with_different_api_keys_do_not_share_answers(keyed, upstream):
    with keyed.admin() as session:
        other = session.post(keyed.url + "/api/keys", json={"name": "other"}).json()["key"]
    for key in (keyed.key, other):
        headers = {"Authorization": f"Bearer {key}"}
        assert ask(keyed, "openai", headers=headers).headers["X-OmniRoute-Cache"] == "MISS"
        assert ask(keyed, "openai", headers=headers).headers["X-OmniRoute-Cache"] == "HIT"
    assert upstream_calls(upstream) == 2


def test_a_hit_costs_nothing_and_records_the_saving(connected, upstream):
    ask(connected, "openai")
    ask(connected, "anthropic")
    original, hit = usage_rows(connected)
    assert original.served_from is None and original.cost_usd > 0
    assert (hit.status, hit.provider, hit.model) == (200, "openai", "gpt-4o-mini")
    assert hit.served_from == "cache"
    assert hit.cost_usd == 0
    assert hit.list_cost_usd == pytest.approx(original.list_cost_usd)
    assert (hit.prompt_tokens, hit.completion_tokens) == (0, 0)  # no provider tokens used
    assert hit.format_in == "anthropic"
    stats = connected.services.pipeline.replay.stats()["cache"]
    assert (stats["entries"], stats["hits"], stats["misses"]) == (1, 1, 1)
    assert stats["bytes"] > 0 and stats["hit_rate"] == 0.5


def test_a_hit_is_in_the_request_log_when_bodies_are_kept(start, upstream):
    logging = start(ENABLE_REQUEST_LOGS=True)
    logging.add_connection(upstream.url)
    ask(logging, "openai")
    assert ask(logging, "responses").headers["X-OmniRoute-Cache"] == "HIT"
    hit = usage_rows(logging)[-1]
    assert hit.served_from == "cache" and hit.request_id
    log = logging.admin().get(f"{logging.url}/api/usage/requests/{hit.request_id}/log").json()
    assert log["status"] == 200
    assert "what is two plus two" in log["request"]
    assert "echo: what is two plus two" in log["response"]


def test_what_a_cached_request_loses_in_translation_is_logged_under_its_request_id(
    connected, upstream, server_log, client
):
    """The cache reads the request before the pipeline names its drop log: the drop line of
    a temperature-0 request still carries the request's id, once."""
    body = {**CHAT, "max_tokens": 64, "temperature": 0, "tools": [WEB_SEARCH]}
    log = server_log()
    answer = client.post(connected.v1 + "/messages", json=body)
    assert answer.headers["X-OmniRoute-Cache"] == "MISS"
    settle(client, connected)
    log.finish()
    [drop] = drop_lines(log)
    assert drop["request_id"] == only_line(log, "/v1/messages")["request_id"]


def test_a_key_limited_to_other_models_since_is_refused_not_served_from_memory(keyed, upstream):
    headers = {"Authorization": f"Bearer {keyed.key}"}
    assert ask(keyed, "openai", headers=headers).headers["X-OmniRoute-Cache"] == "MISS"
    limited = keyed.admin().patch(
        f"{keyed.url}/api/keys/{keyed.key_id}", json={"allowedModels": ["openai/gpt-4o"]}
    )
    assert limited.status_code == 200, limited.text
    refused = ask(keyed, "openai", headers=headers)
    assert refused.status_code == 403
    assert "may not use model" in refused.json()["error"]["message"]
    assert upstream_calls(upstream) == 1
