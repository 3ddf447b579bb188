"""REDIS_URL: shared state through a real redis-server on loopback (tests/redis_server.py).

Several limiters and ledgers sharing one Redis stand for several processes (the e2e tests run
real processes): a global rate limit admits exactly its limit, budgets reserve exactly what the
limit holds, a permit frees its concurrency slot. Through a real gateway: a budget refuses once
spent; with Redis killed, budgets refuse with 503 in the caller's format (fail closed) and rate
limits fall back to the process's share (fail open). An unreachable Redis stops start-up.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import threading
import time

import pytest
import requests

from omniroute.errors import ServiceUnavailableError
from omniroute.formats import canonical as c
from omniroute.replay.response_cache import CachedAnswer, ResponseCache
from omniroute.resilience.lockout import Lockout
from omniroute.resilience.rate_limits import RateLimits
from omniroute.routing.affinity import AffinityTable
from omniroute.settings import SettingsError
from omniroute.shared_state.breakers import SharedBreakers
from omniroute.shared_state.budgets import SharedBudgetLedger
from omniroute.shared_state.client import connect
from omniroute.shared_state.events import SharedEvents
from omniroute.shared_state.monitor import SharedLiveMonitor
from omniroute.shared_state.rate_limits import SharedRateLimiter
from omniroute.shared_state.response_cache import SharedResponseCache
from omniroute.shared_state.resting import SharedCooldowns, SharedLockout
from omniroute.shared_state.routing import SharedAffinityTable, SharedRoutingState
from omniroute.usage.budgets import Budget, BudgetExceeded
from tests.admin_api import AdminApi
from tests.app_process import free_port, spawn
from tests.fake_upstream import Behavior
from tests.gateway_harness import start_gateway
from tests.redis_server import RedisServer

CHAT = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
NOW = dt.datetime(2026, 12, 7, 12, 0)


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


def shared(url: str):
    """A client with room for a loaded test machine (a killed server refuses at once anyway)."""
    client = connect({"REDIS_URL": url, "REDIS_TIMEOUT_MS": 2000, "THREADS": 64})
    assert client is not None
    return client


def hammer(count: int, call) -> list:
    """`call(i)` for i in range(count), all released at once from their own threads."""
    start = threading.Barrier(count)

    def one(index):
        start.wait()
        return call(index)

    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


# -- start-up ------------------------------------------------------------------------------------


def test_connect_without_redis_url_is_off():
    assert connect({"REDIS_URL": "", "REDIS_TIMEOUT_MS": 500}) is None


def test_an_unreachable_redis_stops_start_up_without_showing_the_password():
    url = f"redis://:hunter2-secret@127.0.0.1:{free_port()}/0"
    with pytest.raises(SettingsError) as raised:
        connect({"REDIS_URL": url, "REDIS_TIMEOUT_MS": 200})
    assert "REDIS_URL" in str(raised.value) and "does not answer" in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_the_app_exits_with_the_message_when_redis_is_unreachable(tmp_path):
    process = spawn(tmp_path, PORT=str(free_port()), REDIS_URL=f"redis://127.0.0.1:{free_port()}")
    out, err = process.communicate(timeout=60)
    assert process.returncode == 2, (out, err)
    assert "OmniRoute cannot start: REDIS_URL is set but Redis does not answer" in err


def test_a_bad_redis_url_names_the_variable(tmp_path):
    process = spawn(tmp_path, PORT=str(free_port()), REDIS_URL="http://nope")
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2 and "REDIS_URL is not valid" in err


# -- rate limits ---------------------------------------------------------------------------------


def test_four_limiters_admit_exactly_the_limit_per_minute(redis_server):
    limiters = [SharedRateLimiter(shared(redis_server.url), workers=4) for _ in range(4)]
    limits = RateLimits(requests_per_minute=13, min_gap_ms=0, max_concurrent=100, max_wait_ms=0)
    permits = hammer(60, lambda i: limiters[i % 4].acquire("acct-1", limits))
    assert sum(p is not None for p in permits) == 13
    assert limiters[0].wait_estimate("acct-1", limits) > 50  # the window frees in ~60 s
    assert limiters[1].acquire("acct-2", limits) is not None  # another account: its own window


def test_max_concurrent_is_global_and_a_release_frees_a_slot(redis_server):
    one, two = (SharedRateLimiter(shared(redis_server.url)) for _ in range(2))
    limits = RateLimits(requests_per_minute=1000, min_gap_ms=0, max_concurrent=3, max_wait_ms=0)
    held = [one.acquire("a", limits), two.acquire("a", limits), one.acquire("a", limits)]
    assert all(held) and two.acquire("a", limits) is None
    assert one.snapshot()["a"]["inFlight"] == 3
    held[0].release()
    assert two.acquire("a", limits) is not None


def test_a_waiting_request_gets_the_slot_a_release_frees(redis_server):
    one, two = (SharedRateLimiter(shared(redis_server.url)) for _ in range(2))
    limits = RateLimits(requests_per_minute=1000, min_gap_ms=0, max_concurrent=1, max_wait_ms=5000)
    held = one.acquire("a", limits)
    threading.Timer(0.2, held.release).start()
    assert two.acquire("a", limits) is not None


def test_a_learned_limit_lowers_the_window_for_every_process(redis_server):
    one, two = (SharedRateLimiter(shared(redis_server.url)) for _ in range(2))
    limits = RateLimits(requests_per_minute=50, min_gap_ms=0, max_concurrent=100, max_wait_ms=0)
    one.learn("a", {"x-ratelimit-limit-requests": "2"})
    assert [two.acquire("a", limits) is not None for _ in range(3)] == [True, True, False]
    assert one.snapshot()["a"]["learnedRpm"] == 2


def test_without_redis_the_limit_falls_back_to_this_process_share(redis_server):
    limiter = SharedRateLimiter(shared(redis_server.url), workers=2)
    redis_server.kill()
    limits = RateLimits(requests_per_minute=6, min_gap_ms=0, max_concurrent=100, max_wait_ms=0)
    admitted = [limiter.acquire("a", limits) is not None for _ in range(6)]
    assert admitted == [True] * 3 + [False] * 3  # 6 per minute over 2 workers: 3 here
    assert limiter.shared.health()["ok"] is False


# -- budgets -------------------------------------------------------------------------------------


def ledgers(url: str, count: int, spent_before: float = 0.0) -> list[SharedBudgetLedger]:
    made = [
        SharedBudgetLedger(shared(url), lambda k, s: spent_before, lambda: NOW)
        for _ in range(count)
    ]
    for ledger in made:
        ledger.set_budgets([Budget(key_id=7, limit=1.0, period="daily")])
    return made


def reserve_or_none(ledger, estimate: float):
    try:
        return ledger.reserve(7, estimate)
    except BudgetExceeded:
        return None


def test_four_ledgers_reserve_exactly_what_the_limit_holds(redis_server):
    books = ledgers(redis_server.url, 4, spent_before=0.3)
    held = hammer(40, lambda i: reserve_or_none(books[i % 4], 0.1))
    assert sum(h is not None for h in held) == 7  # (1.0 − 0.3) / 0.1, exactly
    status = books[3].status(7)
    assert status["spent"] == pytest.approx(0.3) and status["reserved"] == pytest.approx(0.7)


def test_settling_replaces_the_reservation_with_the_real_cost(redis_server):
    one, two = ledgers(redis_server.url, 2)
    assert one.reserve(7, 0.6) == 0.6
    assert reserve_or_none(two, 0.6) is None  # 0.6 held: 0.4 left
    one.settle(7, 0.6, 0.25)
    assert two.reserve(7, 0.6) == 0.6  # spent 0.25: 0.75 left
    two.settle(7, 0.6, 0.75)
    status = one.status(7)
    assert status["spent"] == pytest.approx(1.0) and status["reserved"] == 0
    assert status["exceeded"] is True
    with pytest.raises(BudgetExceeded) as over:
        two.reserve(7, 0.0)
    assert over.value.spent == pytest.approx(1.0)


def test_without_redis_budgets_refuse(redis_server):
    [ledger] = ledgers(redis_server.url, 1)
    redis_server.kill()
    with pytest.raises(ServiceUnavailableError) as refused:
        ledger.reserve(7, 0.1)
    assert refused.value.status == 503 and refused.value.code == "budget_unavailable"


# -- through a gateway ---------------------------------------------------------------------------


@pytest.fixture
def redis_gateway(tmp_path, upstream, redis_server):
    gateway = start_gateway(
        str(tmp_path / "data"), REDIS_URL=redis_server.url, REDIS_TIMEOUT_MS=2000
    )
    admin = AdminApi(gateway)
    admin.connect(upstream.url)
    yield gateway, admin
    gateway.stop()


def test_a_gateway_on_redis_enforces_budgets_and_fails_closed(
    redis_gateway, upstream, redis_server
):
    gateway, admin = redis_gateway
    key = admin.json("POST", "/api/keys", 201, json={"name": "ci"})
    headers = {"Authorization": f"Bearer {key['key']}"}
    budget = {"keyId": key["id"], "limit": 0.01, "period": "daily"}  # holds ~0.0006
    admin.call("POST", "/api/usage/budget", json=budget)
    upstream.add(Behavior(usage=(100, 100_000)))  # 0.06 USD: past the limit at once
    first = requests.post(gateway.v1 + "/chat/completions", json=CHAT, headers=headers, timeout=15)
    assert first.status_code == 200, first.text
    refused = requests.post(
        gateway.v1 + "/chat/completions", json=CHAT, headers=headers, timeout=15
    )
    assert refused.status_code == 402 and refused.json()["error"]["code"] == "budget_exceeded"
    [status] = admin.json("GET", "/api/usage/budget")["data"]
    assert status["exceeded"] is True and status["reserved"] == 0
    assert admin.health()["system"]["sharedState"]["ok"] is True
    assert "Answering" in admin.call("GET", "/dashboard/health").text
    redis_server.kill()
    anthropic = {"model": "openai/gpt-4o-mini", "max_tokens": 10, "messages": CHAT["messages"]}
    down = requests.post(gateway.v1 + "/messages", json=anthropic, headers=headers, timeout=15)
    assert down.status_code == 503, down.text
    assert down.json()["type"] == "error" and "budget" in down.json()["error"]["message"]
    assert down.headers["Retry-After"] == "5"


def test_a_gateway_on_redis_rate_limits_then_falls_back_when_redis_dies(
    redis_gateway, redis_server
):
    gateway, admin = redis_gateway
    limits = {"requestsPerMinute": 2, "minGapMs": 0, "maxWaitMs": 0, "tiers": ["api-key"]}
    admin.resilience({"rateLimits": limits})
    statuses = [
        requests.post(gateway.v1 + "/chat/completions", json=CHAT, timeout=15).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    redis_server.kill()
    # fail open: a fresh in-process window at this process's share (WEB_CONCURRENCY=1: all of it)
    again = [
        requests.post(gateway.v1 + "/chat/completions", json=CHAT, timeout=15).status_code
        for _ in range(3)
    ]
    assert again == [200, 200, 429]
    shared_state = admin.health()["system"]["sharedState"]
    assert shared_state["ok"] is False and "budgets refuse" in shared_state["warning"]
    page = admin.call("GET", "/dashboard/health").text
    assert 'data-system="sharedState"' in page and "Not answering" in page


# -- breakers, cooldowns, lockouts ---------------------------------------------------------------


def poll(condition, seconds: float = 5.0) -> None:
    """Wait until `condition()` is true; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not seen within the time allowed"
        time.sleep(0.01)


@pytest.fixture
def two_processes(redis_server):
    """Two sets of shared breakers, cooldowns and lockouts, each with its own client and listener,
    as two processes have."""
    made = []
    for _ in range(2):
        client = shared(redis_server.url)
        events = SharedEvents(client)
        parts = {
            "breakers": SharedBreakers(client, events),
            "cooldowns": SharedCooldowns(client, events),
            "lockout": SharedLockout(client, events, "login", Lockout(max_failures=2)),
        }
        events.start()
        made.append((events, parts))
    yield [parts for _, parts in made]
    for events, _ in made:
        events.close()


def test_a_breaker_opened_in_one_process_is_seen_by_the_other(two_processes, redis_server):
    one, two = two_processes
    for _ in range(12):
        one["breakers"].record("openai", "api-key", 503)
    assert not one["breakers"].available("openai")
    poll(lambda: not two["breakers"].available("openai"))
    [seen] = two["breakers"].snapshot()
    assert seen["state"] == "open" and 25 < seen["retryInSeconds"] <= 30
    late = SharedBreakers(shared(redis_server.url), SharedEvents(shared(redis_server.url)))
    late.load()  # a process started later reads the stored breaker
    assert not late.available("openai")
    one["breakers"].reset("openai")
    poll(lambda: two["breakers"].available("openai"))


def test_a_cooldown_and_its_lifting_reach_the_other_process(two_processes):
    one, two = two_processes
    one["cooldowns"].cool(41, "gpt-4o", 30, "429 from upstream")
    poll(lambda: two["cooldowns"].remaining(41, "gpt-4o") > 25)
    assert two["cooldowns"].remaining(41, "other-model") == 0
    [(account, model, _, reason)] = two["cooldowns"].active()
    assert (account, model, reason) == (41, "gpt-4o", "429 from upstream")
    two["cooldowns"].forget(41)
    poll(lambda: one["cooldowns"].remaining(41, "gpt-4o") == 0)


def test_failures_in_two_processes_add_up_to_one_lockout_seen_by_both(two_processes):
    one, two = two_processes  # each allows 2 failures: one here and one there lock the address
    assert one["lockout"].record_failure("203.0.113.9") == 0
    assert two["lockout"].record_failure("203.0.113.9") > 0
    poll(lambda: one["lockout"].retry_after("203.0.113.9") > 800)
    one["lockout"].unlock("203.0.113.9")
    poll(lambda: two["lockout"].retry_after("203.0.113.9") == 0)
    assert one["lockout"].record_failure("203.0.113.9") == 0  # the count starts again


def test_a_lockout_taken_in_one_process_locks_the_address_in_the_other(two_processes):
    one, two = two_processes
    one["lockout"].record_failure("203.0.113.9")
    assert one["lockout"].record_failure("203.0.113.9") > 0
    poll(lambda: two["lockout"].retry_after("203.0.113.9") > 800)
    two["lockout"].unlock("203.0.113.9")
    poll(lambda: one["lockout"].retry_after("203.0.113.9") == 0)


# -- round-robin cursors and affinity ------------------------------------------------------------


def test_round_robin_cursors_are_one_sequence_across_processes(redis_server):
    one, two = (SharedRoutingState(shared(redis_server.url)) for _ in range(2))
    turns = [state.next_rotation(("combo", "fast")) for state in (one, two, one, two, two)]
    assert turns == [0, 1, 2, 3, 4]
    accounts = [1, 2, 3]
    picks = [
        accounts[state.sticky_choice(("accounts", "openai"), accounts, 2)]
        for state in (one, two, two, one, one, two, one)
    ]
    assert picks == [1, 1, 2, 2, 3, 3, 1]  # two calls each, in turn, whichever process asks
    assert one.sticky_choice(("accounts", "openai"), [2, 3], 2, accounts) == 0  # 1 gone: 2 next


def test_an_affinity_pin_made_in_one_process_is_read_by_the_other(redis_server):
    one, two = (SharedAffinityTable(shared(redis_server.url), AffinityTable()) for _ in range(2))
    conversation = ("conv-1", 3, "gpt-4o")
    one.answered(conversation, (41, "openai", "gpt-4o-mini"))
    assert two.pinned(conversation) == (41, "openai", "gpt-4o-mini")
    assert two.pinned(("conv-2", 3, "gpt-4o")) is None


def test_without_redis_cursors_and_pins_are_this_process_own(redis_server):
    state = SharedRoutingState(shared(redis_server.url))
    table = SharedAffinityTable(shared(redis_server.url), AffinityTable())
    table.answered(("c", None, "m"), ("a", "openai", "m"))
    redis_server.kill()
    assert [state.next_rotation("k") for _ in range(3)] == [0, 1, 2]
    assert table.pinned(("c", None, "m")) == ("a", "openai", "m")
    assert state.shared.health()["ok"] is False


# -- the live monitor ----------------------------------------------------------------------------


def test_the_live_monitor_shows_requests_served_by_another_process(redis_server):
    made = []
    for _ in range(2):
        events = SharedEvents(shared(redis_server.url))
        made.append((events, SharedLiveMonitor(events)))
        events.start()
    (_, serving), (_, watching) = made
    try:
        assert serving.watching is False  # nobody watches: the pipeline hands over nothing
        feed = watching.subscribe()
        assert feed is not None
        poll(lambda: serving.watching)
        serving.publish({"endpoint": "chat", "model": "gpt-4o-mini", "status": 200})
        received: list[dict] = []
        poll(lambda: received.extend(feed.get(0.05)) or bool(received))
        assert received[0]["model"] == "gpt-4o-mini" and received[0]["seq"] == 1
        assert watching.recent()[0]["status"] == 200
    finally:
        for events, _ in made:
            events.close()


# -- the response cache --------------------------------------------------------------------------


def test_a_cached_answer_is_shared_whole_and_skipped_without_redis(redis_server):
    one, two = (
        SharedResponseCache(shared(redis_server.url), ResponseCache(10, 10_000, 60))
        for _ in range(2)
    )
    response = c.Response(
        id="r-1",
        model="gpt-4o-mini",
        parts=(c.ThinkingPart(text="hm", signature="sig"), c.TextPart("hello", {"type": "x"})),
        usage=c.Usage(input_tokens=3, output_tokens=5),
    )
    assert one.put("k", CachedAnswer(response, "openai", "gpt-4o-mini", 0.25, 120))
    assert not one.put("big", CachedAnswer(response, "openai", "gpt-4o-mini", 0.25, 20_000))
    answer = two.get("k")
    assert answer == CachedAnswer(response, "openai", "gpt-4o-mini", 0.25, 120)
    assert two.get("other") is None and two.stats()["hits"] == 1
    redis_server.kill()
    assert two.get("k") is None and two.skipped is True


def test_a_half_open_breaker_is_probed_by_one_process_only(two_processes):
    one, two = two_processes
    for _ in range(12):
        one["breakers"].record("openai", "api-key", 503)
    poll(lambda: not two["breakers"].available("openai"))
    for breakers in (one["breakers"], two["breakers"]):  # the cooldown ends everywhere
        breakers._breakers["openai"].opened_at -= 31
    assert one["breakers"].allow("openai", "api-key") is True  # the probe
    assert two["breakers"].allow("openai", "api-key") is False  # not a second one
    one["breakers"].record("openai", "api-key", 200)  # the provider is back
    poll(lambda: two["breakers"].snapshot()[0]["state"] == "closed")
    assert two["breakers"].allow("openai", "api-key") is True
