"""Per-account rate limits: requests per minute, minimum gap, concurrency, bounded waiting."""

from __future__ import annotations

import threading
import time

import pytest

from omniroute.resilience.rate_limits import RateLimiter, RateLimits
from tests.fake_clock import FakeClock


def test_requests_per_minute_refuses_past_the_limit_without_waiting_beyond_max_wait():
    clock = FakeClock(500.0)
    limiter = RateLimiter(clock)
    limits = RateLimits(requests_per_minute=3, min_gap_ms=0, max_concurrent=10, max_wait_ms=0)
    permits = [limiter.acquire("a", limits) for _ in range(3)]
    assert all(permits)
    assert limiter.acquire("a", limits) is None
    assert limiter.wait_estimate("a", limits) == pytest.approx(60.0)
    clock.now += 60
    assert limiter.acquire("a", limits) is not None
    assert limiter.acquire("b", limits) is not None  # accounts are independent


def test_minimum_gap_between_calls():
    clock = FakeClock(500.0)
    limiter = RateLimiter(clock)
    limits = RateLimits(requests_per_minute=100, min_gap_ms=350, max_concurrent=10, max_wait_ms=0)
    assert limiter.acquire("a", limits)
    assert limiter.acquire("a", limits) is None
    assert limiter.wait_estimate("a", limits) == pytest.approx(0.35)
    clock.now += 0.35
    assert limiter.acquire("a", limits)


def test_a_request_waits_for_the_gap_when_max_wait_allows_it():
    limiter = RateLimiter()
    limits = RateLimits(
        requests_per_minute=100, min_gap_ms=100, max_concurrent=10, max_wait_ms=1000
    )
    assert limiter.acquire("a", limits)
    started = time.monotonic()
    assert limiter.acquire("a", limits)
    assert time.monotonic() - started >= 0.09


def test_concurrency_cap_and_release_wakes_a_waiter():
    limiter = RateLimiter()
    limits = RateLimits(requests_per_minute=100, min_gap_ms=0, max_concurrent=2, max_wait_ms=2000)
    first, second = limiter.acquire("a", limits), limiter.acquire("a", limits)
    got = []
    waiter = threading.Thread(target=lambda: got.append(limiter.acquire("a", limits)))
    waiter.start()
    time.sleep(0.1)
    assert got == []  # still waiting for a slot
    first.release()
    waiter.join(2)
    assert got and got[0] is not None
    second.release()
    second.release()  # releasing twice frees one slot only
    assert limiter.snapshot()["a"]["inFlight"] == 1


def test_concurrency_wait_gives_up_after_max_wait():
    limiter = RateLimiter()
    limits = RateLimits(requests_per_minute=100, min_gap_ms=0, max_concurrent=1, max_wait_ms=100)
    assert limiter.acquire("a", limits)
    started = time.monotonic()
    assert limiter.acquire("a", limits) is None
    assert 0.09 <= time.monotonic() - started < 1.0


def test_the_queue_is_bounded():
    limiter = RateLimiter()
    limits = RateLimits(
        requests_per_minute=100, min_gap_ms=0, max_concurrent=1, max_wait_ms=500, max_queue=2
    )
    held = limiter.acquire("a", limits)
    results = []
    waiters = [
        threading.Thread(target=lambda: results.append(limiter.acquire("a", limits)))
        for _ in range(2)
    ]
    for waiter in waiters:
        waiter.start()
    time.sleep(0.1)
    started = time.monotonic()
    assert limiter.acquire("a", limits) is None  # the queue is full: refused at once
    assert time.monotonic() - started < 0.1
    held.release()
    for waiter in waiters:
        waiter.join(2)
    assert sum(1 for r in results if r is not None) >= 1


def test_learned_limits_only_tighten():
    clock = FakeClock(500.0)
    limiter = RateLimiter(clock)
    limits = RateLimits(requests_per_minute=10, min_gap_ms=0, max_concurrent=10, max_wait_ms=0)
    limiter.learn("a", {"x-ratelimit-limit-requests": "2"})
    limiter.learn("a", {"anthropic-ratelimit-requests-limit": "50"})  # never raises it
    limiter.learn("a", {"x-ratelimit-limit-requests": "garbage"})
    assert limiter.acquire("a", limits) and limiter.acquire("a", limits)
    assert limiter.acquire("a", limits) is None
    assert limiter.snapshot()["a"]["learnedRpm"] == 2


def test_memory_is_bounded_by_the_limit():
    clock = FakeClock(500.0)
    limiter = RateLimiter(clock)
    limits = RateLimits(requests_per_minute=5, min_gap_ms=0, max_concurrent=10**6, max_wait_ms=0)
    for _ in range(10_000):
        permit = limiter.acquire("a", limits)
        if permit:
            permit.release()
        clock.now += 1
    assert len(limiter._accounts["a"].starts) <= 5
