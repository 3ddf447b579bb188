"""Request idempotency through a real gateway and the fake upstream: a repeated
`Idempotency-Key` (or `X-Request-Id`) gets the first answer, byte for byte, marked
`X-OmniRoute-Idempotent: true`, within the window and not after it; concurrent duplicates wait
for the first instead of calling the provider; a failed first answer is not kept. The requests
here are not deterministic (no temperature), so the response cache stays out of the way."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from omniroute.replay.gate import ReplayGate
from omniroute.store.usage_queries import recent_usage
from tests.fake_clock import FakeClock
from tests.fake_upstream import Behavior
from tests.replay_requests import ask, set_replay_options, text_of, upstream_calls

IDEMPOTENT = "X-OmniRoute-Idempotent"


def with_key(value: str, header: str = "Idempotency-Key") -> dict:
    return {header: value}


@pytest.fixture
def clocked(connected):
    """The gateway's replay gate on a clock the test moves."""
    clock = FakeClock()
    pipeline = connected.services.pipeline
    pipeline.replay = ReplayGate(pipeline.replay.options, clock)
    connected.clock = clock
    return connected


@pytest.mark.parametrize("header", ["Idempotency-Key", "X-Request-Id"])
def test_a_repeat_gets_the_first_answer(connected, upstream, header):
    first = ask(connected, "openai", headers=with_key("req-1", header), temperature=None)
    again = ask(connected, "openai", headers=with_key("req-1", header), temperature=None)
    assert first.status_code == again.status_code == 200
    assert IDEMPOTENT not in first.headers
    assert again.headers[IDEMPOTENT] == "true"
    assert again.content == first.content
    assert again.headers["X-OmniRoute-Provider"] == first.headers["X-OmniRoute-Provider"]
    assert upstream_calls(upstream) == 1


def test_other_ids_and_requests_without_one_are_answered_again(connected, upstream):
    for headers in (with_key("a"), with_key("b"), {}, {}):
        response = ask(connected, "anthropic", headers=headers, temperature=None)
        assert response.status_code == 200 and IDEMPOTENT not in response.headers
    assert upstream_calls(upstream) == 4


def test_a_repeated_stream_gets_the_first_streams_bytes(connected, upstream):
    first = ask(connected, "anthropic", headers=with_key("s-1"), temperature=None, stream=True)
    again = ask(connected, "anthropic", headers=with_key("s-1"), temperature=None, stream=True)
    assert again.headers[IDEMPOTENT] == "true"
    assert again.headers["Content-Type"].startswith("text/event-stream")
    assert again.content == first.content
    assert text_of("anthropic", again) == "echo: what is two plus two"
    assert upstream_calls(upstream) == 1


def test_the_first_answer_is_kept_only_within_the_window(clocked, upstream):
    set_replay_options(clocked, idempotency_window_seconds=5.0)
    ask(clocked, "openai", headers=with_key("w-1"), temperature=None)
    clocked.clock.advance(4.5)
    assert ask(clocked, "openai", headers=with_key("w-1"), temperature=None).headers[IDEMPOTENT]
    clocked.clock.advance(1.0)  # 5.5 s after the first answer
    late = ask(clocked, "openai", headers=with_key("w-1"), temperature=None)
    assert late.status_code == 200 and IDEMPOTENT not in late.headers
    assert upstream_calls(upstream) == 2


def test_idempotency_can_be_turned_off(connected, upstream):
    set_replay_options(connected, idempotency_window_seconds=0)
    for _ in range(2):
        response = ask(connected, "openai", headers=with_key("off"), temperature=None)
        assert IDEMPOTENT not in response.headers
    assert upstream_calls(upstream) == 2


def test_ten_concurrent_duplicates_make_one_upstream_call(connected, upstream):
    upstream.add(Behavior(delay=1.0))  # the first is still being answered when the rest arrive

    def send(_):
        return ask(connected, "responses", headers=with_key("burst"), temperature=None)

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(send, range(10)))
    assert [a.status_code for a in answers] == [200] * 10
    assert len({a.content for a in answers}) == 1
    assert sum(a.headers.get(IDEMPOTENT) == "true" for a in answers) == 9
    assert upstream_calls(upstream) == 1
    stats = connected.services.pipeline.replay.stats()["idempotency"]
    assert (stats["entries"], stats["hits"], stats["misses"]) == (1, 9, 1)


def test_a_failed_first_answer_is_not_kept(connected, upstream):
    upstream.add(Behavior(status=400, error_message="refused"), times=1)
    failed = ask(connected, "openai", headers=with_key("f-1"), temperature=None)
    assert failed.status_code == 400
    retried = ask(connected, "openai", headers=with_key("f-1"), temperature=None)
    assert retried.status_code == 200 and IDEMPOTENT not in retried.headers
    assert ask(connected, "openai", headers=with_key("f-1"), temperature=None).headers[IDEMPOTENT]
    assert upstream_calls(upstream) == 2


def test_a_stream_that_ended_in_an_error_is_not_kept(connected, upstream):
    upstream.add(Behavior(text="one two three four", reset_after_chunks=2), times=1)
    cut = ask(connected, "openai", headers=with_key("c-1"), temperature=None, stream=True)
    assert "error" in cut.text
    retried = ask(connected, "openai", headers=with_key("c-1"), temperature=None, stream=True)
    assert IDEMPOTENT not in retried.headers
    assert text_of("openai", retried) == "echo: what is two plus two"
    assert upstream_calls(upstream) == 2


def test_duplicates_waiting_on_a_failed_first_make_their_own_calls(connected, upstream):
    upstream.add(Behavior(status=400, error_message="refused", delay=1.0), times=1)

    def send(_):
        return ask(connected, "openai", headers=with_key("wf"), temperature=None)

    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(send, range(3)))
    assert sorted(a.status_code for a in answers) == [200, 200, 400]
    assert all(IDEMPOTENT not in a.headers for a in answers)
    assert upstream_calls(upstream) == 3


def test_a_replay_is_recorded_as_served_without_a_provider_call(connected, upstream):
    for _ in range(2):
        ask(connected, "gemini", headers=with_key("u-1"), temperature=None)
    connected.flush_usage()
    with connected.services.database.connection_context():
        replayed, original = recent_usage(2)
    assert original.served_from is None and original.list_cost_usd > 0
    assert replayed.served_from == "idempotent"
    assert (replayed.status, replayed.provider, replayed.model) == (200, "openai", "gpt-4o-mini")
    assert replayed.cost_usd == 0
    assert replayed.list_cost_usd == pytest.approx(original.list_cost_usd)


def test_a_key_limited_to_other_models_since_gets_no_replay(keyed, upstream):
    headers = {"Authorization": f"Bearer {keyed.key}", "Idempotency-Key": "k-1"}
    assert ask(keyed, "anthropic", headers=headers, temperature=None).status_code == 200
    limited = keyed.admin().patch(
        f"{keyed.url}/api/keys/{keyed.key_id}", json={"allowedModels": ["openai/gpt-4o"]}
    )
    assert limited.status_code == 200, limited.text
    refused = ask(keyed, "anthropic", headers=headers, temperature=None)
    assert refused.status_code == 403 and IDEMPOTENT not in refused.headers
    assert upstream_calls(upstream) == 1
