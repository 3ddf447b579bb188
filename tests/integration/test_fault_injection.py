"""Fault injection: every way a provider fails, through a real gateway, with short timeouts.

A real waitress gateway (UPSTREAM_READ_TIMEOUT = UPSTREAM_IDLE_TIMEOUT = 0.5 s) talks real HTTP to
the fake upstream, scripted per account key to fail: 429 with Retry-After, 5xx, a closed port, no
headers in time, a stream that stalls or is cut after its first event, a 200 with a body that is
not JSON, a 200 stream that never sends an event, a provider failing until its circuit breaker
opens, accounts over their rate limit, hint-less 429s in a row, a gateway at capacity. Each test
checks what the client gets (the answer, or the error in its own wire format), who was called,
what the gateway now remembers (GET /api/health) and that the client never waited longer than
the configured timeouts allow.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from tests.admin_api import AdminApi, key
from tests.fake_upstream import Behavior
from tests.fakes import probe
from tests.fakes.probe import sse_events
from tests.gateway_harness import start_gateway

READ_TIMEOUT = IDLE_TIMEOUT = 0.5
MARGIN = 1.5  # scheduling slack on top of a timeout or a backoff (faults last 5 s)
BACKOFF = 0.25  # the first same-account retry waits this long
MINI = "openai/gpt-4o-mini"
HELLO = "hello there"
PATHS = {"openai": "/chat/completions", "anthropic": "/messages", "responses": "/responses"}
FORMATS = list(PATHS)


# -- helpers --------------------------------------------------------------------------------------
def body_for(fmt: str, model: str, stream: bool) -> dict:
    return probe.ask_body(fmt, model, HELLO, stream)


def send(gateway, fmt: str = "openai", model: str = MINI, stream: bool = False):
    """(response, seconds the client waited for all of it)."""
    started = time.monotonic()
    response = requests.post(gateway.v1 + PATHS[fmt], json=body_for(fmt, model, stream), timeout=15)
    _ = response.content
    return response, time.monotonic() - started


def text_of(fmt: str, response) -> str:
    """The answer's text, streamed or not, in any of the three formats."""
    assert response.status_code == 200, response.text
    if not response.headers["Content-Type"].startswith("text/event-stream"):
        body = response.json()
        if fmt == "openai":
            return body["choices"][0]["message"]["content"]
        if fmt == "anthropic":
            return "".join(b["text"] for b in body["content"] if b["type"] == "text")
        return "".join(
            p["text"] for i in body["output"] if i["type"] == "message" for p in i["content"]
        )
    text = ""
    for _, data in sse_events(response):
        if fmt == "openai" and data != "[DONE]" and data.get("choices"):
            text += data["choices"][0]["delta"].get("content") or ""
        elif fmt == "anthropic" and data["type"] == "content_block_delta":
            text += data["delta"].get("text", "")
        elif fmt == "responses" and data["type"] == "response.output_text.delta":
            text += data["delta"]
    return text


def assert_error_shape(fmt: str, body: dict) -> dict:
    """The error object of a non-stream error answer in the caller's format."""
    if fmt == "anthropic":
        assert body["type"] == "error"
    error = body["error"]
    assert error["message"]
    return error


def assert_in_band_error(fmt: str, response) -> str:
    """The stream ends with an error in the caller's format and nothing after it; its message."""
    events = sse_events(response)
    if fmt == "openai":
        assert events[-1] == (None, "[DONE]")
        error = events[-2][1]["error"]
        assert error["code"] and error["type"]
        return error["message"]
    if fmt == "anthropic":
        name, data = events[-1]
        assert name == "error" and data["type"] == "error"
        return data["error"]["message"]
    name, data = events[-1]
    assert name == "response.failed"
    assert data["response"]["status"] == "failed"
    numbers = [event["sequence_number"] for _, event in events]
    assert numbers == list(range(len(events)))  # one response, numbered without a restart
    assert [n for n, _ in events].count("response.created") == 1
    return data["response"]["error"]["message"]


def keys_called(upstream) -> list[str]:
    return [request.api_key for request in upstream.requests]


def dead_port_url() -> str:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/v1"


@pytest.fixture
def fast_gateway(tmp_path):
    running = start_gateway(
        str(tmp_path / "data"),
        UPSTREAM_READ_TIMEOUT=READ_TIMEOUT,
        UPSTREAM_IDLE_TIMEOUT=IDLE_TIMEOUT,
    )
    yield running
    running.stop()


@pytest.fixture
def admin(fast_gateway) -> AdminApi:
    return AdminApi(fast_gateway)


def concurrently(count: int, call) -> list:
    """Run `call()` in `count` threads released together; their results in thread order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    return results


# -- 429 with Retry-After: that account rests, the next one answers -----------------------------
def test_429_with_retry_after_rests_the_account_and_the_next_answers(fast_gateway, admin, upstream):
    admin.accounts(upstream, 2)
    for fmt in FORMATS:
        admin.forget(upstream)
        upstream.add(Behavior(status=429, headers={"Retry-After": "30"}), api_key=key(1))

        response, elapsed = send(fast_gateway, fmt)
        assert text_of(fmt, response) == "echo: " + HELLO, fmt
        assert response.headers["X-OmniRoute-Fallback-Attempts"] == "1"
        assert keys_called(upstream) == [key(1), key(2)]  # a 429 is not retried on the same account
        assert elapsed < MARGIN, fmt
        assert admin.resting() == {("acct-1", "gpt-4o-mini"): pytest.approx(30, abs=2)}

        upstream.requests.clear()
        response, _ = send(fast_gateway, fmt, stream=True)
        assert text_of(fmt, response) == "echo: " + HELLO, fmt
        assert keys_called(upstream) == [key(2)]  # the resting account is not asked at all


# -- 500/502/503: the same account once more after a backoff, then the next ---------------------
@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_5xx_is_retried_once_then_the_next_account_answers(fast_gateway, admin, upstream, status):
    admin.accounts(upstream, 2)
    for stream in (False, True):
        admin.forget(upstream)
        upstream.add(Behavior(status=status), api_key=key(1))

        response, elapsed = send(fast_gateway, stream=stream)
        assert text_of("openai", response) == "echo: " + HELLO, stream
        assert keys_called(upstream) == [key(1), key(1), key(2)]
        assert response.headers["X-OmniRoute-Fallback-Attempts"] == "2"
        assert BACKOFF * 0.9 <= elapsed < BACKOFF + MARGIN, stream
        assert admin.resting() == {}  # a plain 5xx rests nobody


def test_every_account_failing_with_5xx_is_a_502_in_the_callers_format(
    fast_gateway, admin, upstream
):
    admin.accounts(upstream, 2)
    upstream.add(Behavior(status=503, error_message="overloaded, sorry"))

    response, elapsed = send(fast_gateway, "anthropic")
    assert response.status_code == 502
    assert "overloaded, sorry" in assert_error_shape("anthropic", response.json())["message"]
    assert keys_called(upstream) == [key(1), key(1), key(2), key(2)]
    assert elapsed < 2 * BACKOFF + MARGIN


# -- connection refused: an account whose base URL is a closed port ------------------------------
def test_a_closed_port_is_retried_then_the_next_account_answers(fast_gateway, admin, upstream):
    admin.connect(dead_port_url(), name="closed-port", apiKey=key(9))
    admin.accounts(upstream, 1)
    for stream in (False, True):
        admin.forget(upstream)
        response, elapsed = send(fast_gateway, stream=stream)
        assert text_of("openai", response) == "echo: " + HELLO, stream
        assert response.headers["X-OmniRoute-Fallback-Attempts"] == "2"  # refused twice
        assert keys_called(upstream) == [key(1)]
        assert elapsed < BACKOFF + MARGIN, stream


# -- no headers within the read timeout ----------------------------------------------------------
def test_no_headers_in_time_moves_on_within_the_read_timeout(fast_gateway, admin, upstream):
    admin.accounts(upstream, 2)
    for stream in (False, True):
        admin.forget(upstream)
        upstream.add(Behavior(delay=5.0), api_key=key(1))

        response, elapsed = send(fast_gateway, stream=stream)
        assert text_of("openai", response) == "echo: " + HELLO, stream
        assert keys_called(upstream) == [key(1), key(2)]  # a timed-out call is not repeated
        assert READ_TIMEOUT * 0.9 <= elapsed < READ_TIMEOUT + MARGIN, stream


def test_the_only_account_timing_out_is_a_504_in_the_callers_format(fast_gateway, admin, upstream):
    admin.accounts(upstream, 1)
    upstream.add(Behavior(delay=5.0))
    for fmt in FORMATS:
        response, elapsed = send(fast_gateway, fmt, stream=True)
        assert response.status_code == 504, fmt
        assert "did not answer in time" in assert_error_shape(fmt, response.json())["message"]
        assert elapsed < READ_TIMEOUT + MARGIN, fmt


# -- a stream that stalls or is cut after its first event: an in-band error, no second call ------
# Events each provider format sends before the delta carrying "one" (then "one" goes out).
EVENTS_UP_TO_ONE = {"openai": 2, "anthropic": 4, "responses": 5}
CHUNKS = ["one", " two", " three"]


def mid_stream_fault(fault: str, wire_format: str) -> Behavior:
    after = EVENTS_UP_TO_ONE[wire_format]
    if fault == "stall":
        return Behavior(chunks=CHUNKS, stall_after_chunks=after, stall_seconds=5)
    return Behavior(chunks=CHUNKS, reset_after_chunks=after)


ROUTES = [  # (client format, provider, model, the provider's wire format)
    ("openai", "openai", MINI, "openai"),  # passthrough
    ("anthropic", "openai", MINI, "openai"),  # translated
    ("responses", "openai", MINI, "openai"),  # translated
    ("responses", "codex", "cx/gpt-5.1-codex", "responses"),  # passthrough
    ("anthropic", "anthropic", "anthropic/claude-sonnet-4-5", "anthropic"),  # passthrough
]


@pytest.mark.parametrize("fault", ["stall", "reset"])
def test_a_stream_failing_after_its_first_event_ends_with_an_in_band_error(
    fast_gateway, admin, upstream, fault
):
    for provider in ("openai", "codex", "anthropic"):
        admin.accounts(upstream, 2, provider=provider)
    for fmt, _, model, wire_format in ROUTES:
        where = (fmt, model)
        admin.forget(upstream)
        upstream.add(mid_stream_fault(fault, wire_format), api_key=key(1))

        response, elapsed = send(fast_gateway, fmt, model=model, stream=True)
        assert response.status_code == 200, where
        message = assert_in_band_error(fmt, response)
        expected = "did not answer in time" if fault == "stall" else "unreachable"
        assert expected in message, where
        assert text_of(fmt, response) == "one", where
        limit = IDLE_TIMEOUT if fault == "stall" else 0.0
        assert elapsed < limit + MARGIN, where
        time.sleep(0.1)
        assert keys_called(upstream) == [key(1)], where  # bytes reached the client: no more


def test_a_stalled_stream_counts_as_an_error_in_the_latency_telemetry(
    fast_gateway, admin, upstream
):
    admin.accounts(upstream, 1)
    upstream.add(mid_stream_fault("stall", "openai"))

    response, _ = send(fast_gateway, stream=True)
    assert assert_in_band_error("openai", response)
    fast_gateway.flush_usage()
    summary = admin.json("GET", "/api/telemetry/summary?window=60")["providers"]["openai"]
    assert (summary["count"], summary["errors"]) == (1, 1)


# -- a 200 whose body is not JSON: 502 in the caller's format, never a 500 -----------------------
def test_a_200_that_is_not_json_is_a_502_in_the_callers_format(fast_gateway, admin, upstream):
    admin.accounts(upstream, 1)
    for raw in (b'{"choices": [', b"<html>oops</html>", b""):
        for fmt in FORMATS:
            upstream.reset()
            upstream.add(Behavior(raw_body=raw))

            response, elapsed = send(fast_gateway, fmt)
            assert response.status_code == 502, (fmt, raw)
            error = assert_error_shape(fmt, response.json())
            assert "not a valid openai response" in error["message"]
            assert elapsed < MARGIN


# -- a 200 stream that never sends an event: the next account, within the read timeout -----------
SILENT_STREAMS = {
    "silent": (Behavior(first_event_delay=5.0), [key(1), key(2)]),
    "keep-alive-comments-only": (
        Behavior(first_event_delay=5.0, heartbeat_interval=0.1),
        [key(1), key(2)],
    ),
    "ends-without-an-event": (Behavior(raw_body=b""), [key(1), key(1), key(2)]),
}


@pytest.mark.parametrize("case", list(SILENT_STREAMS))
def test_a_200_stream_without_an_event_falls_back_within_the_read_timeout(
    fast_gateway, admin, upstream, case
):
    behavior, expected_calls = SILENT_STREAMS[case]
    admin.accounts(upstream, 2)
    for fmt in ("openai", "anthropic"):  # passthrough, translated
        admin.forget(upstream)
        upstream.add(behavior, api_key=key(1))

        response, elapsed = send(fast_gateway, fmt, stream=True)
        assert text_of(fmt, response) == "echo: " + HELLO, fmt
        assert ": keep-alive" not in response.text
        assert keys_called(upstream) == expected_calls, fmt
        assert elapsed < READ_TIMEOUT + MARGIN, fmt


# -- circuit breakers ----------------------------------------------------------------------------
def open_breaker(fast_gateway, admin, upstream, threshold: int = 3, cooldown: float = 30):
    """Two failing OpenAI accounts; `threshold` failed calls open the provider's breaker."""
    admin.resilience(
        {"profiles": {"api-key": {"failureThreshold": threshold, "cooldownSeconds": cooldown}}}
    )
    admin.settings(comboRetries=0)
    admin.accounts(upstream, 2)
    upstream.add(Behavior(status=500, error_message="down"), times=threshold)
    for _ in range(threshold):  # one or two calls each (two accounts, no retries)
        response, _ = send(fast_gateway)
        if len(upstream.requests) >= threshold:
            break
    assert len(upstream.requests) == threshold
    return response


def test_the_breaker_opens_after_the_profiles_failures(fast_gateway, admin, upstream):
    admin.connect(upstream.url, "openai", name="healthy until now", apiKey="sk-first")
    assert admin.breaker("openai")["state"] == "closed"
    last = open_breaker(fast_gateway, admin, upstream, threshold=3)
    assert last.status_code == 502
    breaker = admin.breaker("openai")
    assert (breaker["state"], breaker["totalFailures"]) == ("open", 3)
    assert breaker["retryInSeconds"] == pytest.approx(30, abs=2)


def test_an_open_breaker_is_a_503_circuit_open_without_calling_the_provider(
    fast_gateway, admin, upstream
):
    open_breaker(fast_gateway, admin, upstream, threshold=3)
    upstream.requests.clear()
    for fmt in FORMATS:
        response, elapsed = send(fast_gateway, fmt, stream=True)
        assert response.status_code == 503, fmt
        error = assert_error_shape(fmt, response.json())
        assert "circuit open" in error["message"]
        if fmt != "anthropic":
            assert error["code"] == "circuit_open"
        assert 25 <= int(response.headers["Retry-After"]) <= 30
        assert elapsed < MARGIN
    assert upstream.requests == []


def test_an_open_breaker_sends_a_combo_to_its_next_target(fast_gateway, admin, upstream):
    open_breaker(fast_gateway, admin, upstream, threshold=3)
    admin.connect(upstream.url, "glm", name="glm", apiKey="sk-glm")
    admin.combo("coding", [MINI, "glm/glm-4.7"])
    upstream.requests.clear()

    response, _ = send(fast_gateway, model="coding")
    assert text_of("openai", response) == "echo: " + HELLO
    assert response.headers["X-OmniRoute-Provider"] == "glm"
    assert response.headers["X-OmniRoute-Fallback-Attempts"] == "0"
    assert keys_called(upstream) == ["sk-glm"]


def test_half_open_lets_exactly_one_probe_through_and_closes_on_success(tmp_path, upstream):
    gateway = start_gateway(str(tmp_path / "probe"), UPSTREAM_READ_TIMEOUT=5.0)
    try:
        admin = AdminApi(gateway)
        open_breaker(gateway, admin, upstream, threshold=2, cooldown=1)
        time.sleep(1.1)
        upstream.requests.clear()
        upstream.add(Behavior(delay=1.5), api_key=key(1))  # the probe is out a good while

        results = concurrently(6, lambda: send(gateway))
        statuses = sorted(response.status_code for response, _ in results)
        assert statuses == [200] + [503] * 5
        assert len(upstream.requests) == 1  # only the probe reached the provider
        for refused, elapsed in (r for r in results if r[0].status_code == 503):
            assert refused.json()["error"]["code"] == "circuit_open"
            assert refused.headers["Retry-After"] == "1"
            assert elapsed < MARGIN  # refused at once, not queued behind the probe
        assert admin.breaker("openai")["state"] == "closed"

        upstream.reset()
        assert [send(gateway)[0].status_code for _ in range(3)] == [200] * 3
        assert len(upstream.requests) == 3
    finally:
        gateway.stop()


def test_a_failed_probe_reopens_the_breaker_with_a_doubled_cooldown(fast_gateway, admin, upstream):
    open_breaker(fast_gateway, admin, upstream, threshold=2, cooldown=1)
    assert admin.breaker("openai")["cooldownSeconds"] == 1
    time.sleep(1.1)
    upstream.requests.clear()
    upstream.add(Behavior(status=502), times=1)

    assert send(fast_gateway)[0].status_code == 502  # the probe fails
    assert len(upstream.requests) == 1
    breaker = admin.breaker("openai")
    assert (breaker["state"], breaker["cooldownSeconds"]) == ("open", 2)
    time.sleep(1.1)  # the first cooldown is over, the doubled one is not
    response, _ = send(fast_gateway)
    assert response.status_code == 503 and len(upstream.requests) == 1

    time.sleep(1.0)
    assert send(fast_gateway)[0].status_code == 200  # the next probe succeeds
    breaker = admin.breaker("openai")
    assert (breaker["state"], breaker["cooldownSeconds"]) == ("closed", 1)


def test_a_request_that_cannot_be_built_takes_no_probe_and_no_rate_limit_slot(
    fast_gateway, admin, upstream
):
    open_breaker(fast_gateway, admin, upstream, threshold=2, cooldown=1)
    limit_accounts(admin, maxConcurrent=1)
    time.sleep(1.1)  # half-open: the next call is the probe
    upstream.requests.clear()
    bad = body_for("anthropic", MINI, False)
    bad["messages"][0]["content"] = 5  # refused when translated for the OpenAI account

    for _ in range(2):
        refused = requests.post(fast_gateway.v1 + "/messages", json=bad, timeout=10)
        assert refused.status_code == 400
        assert "messages[0].content" in refused.json()["error"]["message"]
    assert upstream.requests == []
    assert send(fast_gateway)[0].status_code == 200  # the probe and the slot were free
    assert admin.breaker("openai")["state"] == "closed"
    assert send(fast_gateway)[0].status_code == 200


# -- per-account rate limits ---------------------------------------------------------------------
def limit_accounts(admin, **limits) -> None:
    changes = {"requestsPerMinute": 1000, "minGapMs": 0, "maxConcurrent": 10, "maxWaitMs": 0}
    admin.resilience({"rateLimits": {**changes, **limits, "tiers": ["api-key"]}})


def test_a_request_over_the_limit_waits_for_a_slot_then_goes(fast_gateway, admin, upstream):
    admin.accounts(upstream, 1)
    limit_accounts(admin, maxConcurrent=1, maxWaitMs=3000)
    upstream.add(Behavior(delay=0.3))

    results = concurrently(2, lambda: send(fast_gateway))
    assert [r.status_code for r, _ in results] == [200, 200]
    first, second = sorted(request.at for request in upstream.requests)
    assert second - first >= 0.25  # the second call started when the first ended
    assert max(elapsed for _, elapsed in results) < 2 * 0.3 + MARGIN


def test_a_request_over_the_limit_moves_to_another_account(fast_gateway, admin, upstream):
    admin.accounts(upstream, 2)
    limit_accounts(admin, maxConcurrent=1, maxWaitMs=0)
    upstream.add(Behavior(delay=0.3))

    results = concurrently(2, lambda: send(fast_gateway))
    assert [r.status_code for r, _ in results] == [200, 200]
    assert sorted(keys_called(upstream)) == [key(1), key(2)]
    assert max(elapsed for _, elapsed in results) < 0.3 + MARGIN


def test_every_account_at_its_limit_is_a_429_with_retry_after(fast_gateway, admin, upstream):
    admin.accounts(upstream, 2)
    limit_accounts(admin, requestsPerMinute=1)
    assert [send(fast_gateway)[0].status_code for _ in range(2)] == [200, 200]

    for fmt in FORMATS:
        response, elapsed = send(fast_gateway, fmt)
        assert response.status_code == 429, fmt
        assert "rate limit" in assert_error_shape(fmt, response.json())["message"]
        assert 55 <= int(response.headers["Retry-After"]) <= 60
        assert elapsed < MARGIN
    assert keys_called(upstream) == [key(1), key(2)]  # the refused requests called nobody


def test_a_stream_holds_its_slot_until_it_ends(fast_gateway, admin, upstream):
    admin.accounts(upstream, 1)
    limit_accounts(admin, maxConcurrent=1)
    upstream.add(Behavior(chunks=["a", "b", "c", "d"], chunk_interval=0.2), times=1)

    with requests.post(
        fast_gateway.v1 + "/chat/completions",
        json=body_for("openai", MINI, True),
        stream=True,
        timeout=10,
    ) as streaming:
        assert streaming.status_code == 200
        assert send(fast_gateway)[0].status_code == 429  # while the stream runs
        assert b"[DONE]" in streaming.content
    fast_gateway.flush_usage()  # waits until the stream's request has ended in the gateway
    assert send(fast_gateway)[0].status_code == 200


def test_a_limit_learned_from_the_provider_tightens_the_account(fast_gateway, admin, upstream):
    (account,) = admin.accounts(upstream, 1)
    limit_accounts(admin, requestsPerMinute=100)
    upstream.add(Behavior(headers={"x-ratelimit-limit-requests": "2"}))

    assert [send(fast_gateway)[0].status_code for _ in range(3)] == [200, 200, 429]
    assert len(upstream.requests) == 2
    queue = next(q for q in admin.health()["queues"] if q["account"] == account["id"])
    assert (queue["learnedRpm"], queue["lastMinute"], queue["inFlight"]) == (2, 2, 0)


# -- exponential backoff for hint-less 429s -----------------------------------------------------
def test_hintless_429s_in_a_row_rest_5_then_10_seconds_and_a_success_clears_it(
    fast_gateway, admin, upstream
):
    admin.accounts(upstream, 1)
    upstream.add(Behavior(status=429, error_message="slow down"), model="gpt-4o-mini")
    upstream.add(Behavior(status=429, error_message="slow down"), model="gpt-4o")
    upstream.add(Behavior(status=429, error_message="slow down"), model="o3")

    first, _ = send(fast_gateway, model="openai/gpt-4o-mini")
    second, _ = send(fast_gateway, model="openai/gpt-4o")
    assert (first.status_code, first.headers["Retry-After"]) == (429, "5")
    assert (second.status_code, second.headers["Retry-After"]) == (429, "10")
    resting = admin.resting()
    assert resting[("acct-1", "gpt-4o-mini")] == pytest.approx(5, abs=1)
    assert resting[("acct-1", "gpt-4o")] == pytest.approx(10, abs=1)

    assert send(fast_gateway, model="openai/gpt-4.1")[0].status_code == 200  # clears the level
    third, _ = send(fast_gateway, model="openai/o3")
    assert (third.status_code, third.headers["Retry-After"]) == (429, "5")


# -- admission control ---------------------------------------------------------------------------
def test_past_max_in_flight_the_extra_request_gets_a_503_in_its_format(tmp_path, upstream):
    gateway = start_gateway(str(tmp_path / "small"), MAX_IN_FLIGHT=2, THREADS=8)
    try:
        AdminApi(gateway).accounts(upstream, 1)
        upstream.add(Behavior(delay=1.0), times=2)
        slow = [threading.Thread(target=send, args=(gateway,)) for _ in range(2)]
        for thread in slow:
            thread.start()
        deadline = time.monotonic() + 5
        while gateway.app.wsgi_app.in_flight < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        for fmt in FORMATS:
            response, elapsed = send(gateway, fmt, stream=True)
            assert response.status_code == 503
            assert response.headers["Retry-After"] == "1"
            assert "at capacity" in assert_error_shape(fmt, response.json())["message"]
            assert elapsed < MARGIN
        for thread in slow:
            thread.join(10)
        assert len(upstream.requests) == 2
        assert send(gateway)[0].status_code == 200
    finally:
        gateway.stop()


# -- the fake upstream's faults are real ---------------------------------------------------------
def test_the_fake_upstreams_scripted_faults_behave_as_described(upstream):
    session = requests.Session()
    session.trust_env = False

    def ask(stream: bool = True) -> requests.Response:
        body = probe.body_for("openai", [probe.user_turn("openai", HELLO)], stream)
        url = probe.endpoint(upstream, "openai", stream)
        return session.post(url, json=body, headers=probe.key_headers("openai"), timeout=10)

    upstream.add(Behavior(first_event_delay=0.6, heartbeat_interval=0.1), times=1)
    upstream.add(Behavior(chunks=["a", "b"], stall_after_chunks=2, stall_seconds=0.5), times=1)
    upstream.add(Behavior(raw_body=b""), times=1)
    cycle = upstream.add_cycle([Behavior(status=500), None])

    started = time.monotonic()
    heartbeat = ask()
    assert time.monotonic() - started >= 0.6
    before_first_event = heartbeat.text.split("data:", 1)[0]
    assert before_first_event.count(": keep-alive\n\n") >= 3  # comments only, meanwhile
    assert heartbeat.text.rstrip().endswith("data: [DONE]")

    ask()
    times = [at for at, _ in upstream.stream_log[-4:]]  # role, a, b, finish
    assert times[2] - times[1] >= 0.45  # silent before the third event

    empty = ask()
    assert (empty.status_code, empty.content) == (200, b"")
    statuses = [ask(stream=False).status_code for _ in range(4)]
    assert statuses == [500, 200, 500, 200]  # the same keep-alive connection still works
    assert cycle.served == 4
    session.close()
