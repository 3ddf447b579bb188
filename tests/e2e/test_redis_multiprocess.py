"""REDIS_URL across real gateway processes sharing one real redis-server (tests/redis_server.py):
2 and 4 `python app.py` processes on their own ports and one DATA_DIR (as machines behind a
load balancer), and 2 and 4 WEB_CONCURRENCY workers on one port, hammered at once.

A global rate limit admits exactly its limit; a budget admits exactly the requests its limit
holds while they are all in flight; a breaker opened in one process is seen by the other within
the second the issue allows (polled, failing after 5 s); a repeated Idempotency-Key gets the
first answer across processes and after a restart; a cached answer is a HIT in another process;
with Redis killed mid-test, budgets refuse (503 in the caller's format), rate-limited traffic is
still served at each process's share, idempotency and the cache are skipped with a header.
The configuration is written once through an in-process gateway on the same DATA_DIR and Redis,
stopped before the processes start (each reads it at start-up).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import threading
import time

import pytest
import requests

from tests.admin_api import AdminApi
from tests.app_process import free_port, running, spawn, wait_ready
from tests.fake_upstream import Behavior
from tests.gateway_harness import ADMIN_PASSWORD, start_gateway
from tests.redis_server import RedisServer

M = 1_000_000
CHAT = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


def configure(data_dir: str, redis_url: str, upstream, setup) -> dict:
    """Run `setup(admin)` against an in-process gateway on `data_dir`; its return value back."""
    gateway = start_gateway(data_dir, REDIS_URL=redis_url)
    try:
        admin = AdminApi(gateway)
        admin.connect(upstream.url)
        return setup(admin)
    finally:
        gateway.stop()


@contextlib.contextmanager
def processes(count: int, data_dir: str, redis_url: str):
    """`count` gateway processes on `data_dir` and `redis_url`; their base URLs."""
    with contextlib.ExitStack() as stack:
        urls = []
        for _ in range(count):
            port = free_port()
            env = {"PORT": str(port), "REDIS_URL": redis_url, "REDIS_TIMEOUT_MS": "2000",
                   "WEB_CONCURRENCY": "1", "THREADS": "64", "MAX_IN_FLIGHT": "60"}  # fmt: skip
            process = stack.enter_context(running(spawn(data_dir, **env)))
            url = f"http://127.0.0.1:{port}"
            wait_ready(url, process, seconds=30)
            urls.append(url)
        yield urls


def ready(url: str, process, seconds: float = 60) -> None:
    """Poll /health until it answers 200 (a worker may accept before it serves)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            if requests.get(url + "/health", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise AssertionError("the server did not start")


def hammer(urls: list[str], count: int, path: str, body: dict, headers=None) -> list:
    """`count` requests released at once, spread round-robin over `urls`."""
    start = threading.Barrier(count)
    raw = json.dumps(body).encode()
    sent = {"Content-Type": "application/json", **(headers or {})}

    def one(index: int) -> requests.Response:
        start.wait()
        url = urls[index % len(urls)] + path
        return requests.post(url, data=raw, headers=sent, timeout=60)

    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


@pytest.mark.parametrize("workers", [2, 4])
def test_a_rate_limit_admits_exactly_its_limit_across_processes(
    workers, tmp_path, upstream, redis_server
):
    limits = {"requestsPerMinute": 10, "minGapMs": 0, "maxWaitMs": 0, "maxConcurrent": 100,
              "tiers": ["api-key"]}  # fmt: skip
    data_dir = str(tmp_path / "data")
    configure(
        data_dir, redis_server.url, upstream, lambda admin: admin.resilience({"rateLimits": limits})
    )
    with processes(workers, data_dir, redis_server.url) as urls:
        answers = hammer(urls, 40, "/v1/chat/completions", CHAT)
        statuses = [answer.status_code for answer in answers]
        assert statuses.count(200) == 10, statuses
        assert statuses.count(429) == 30
        for url in urls:  # every process sees the one shared window as full
            later = requests.post(url + "/v1/chat/completions", json=CHAT, timeout=15)
            assert later.status_code == 429, later.text


@pytest.mark.parametrize("workers", [2, 4])
def test_a_budget_admits_exactly_what_its_limit_holds_across_processes(
    workers, tmp_path, upstream, redis_server
):
    raw = json.dumps(CHAT).encode()
    held = ((len(raw) // 4) * 0.15 + 1024 * 0.60) / M  # what one request holds in flight
    data_dir = str(tmp_path / "data")

    def setup(admin):
        key = admin.json("POST", "/api/keys", 201, json={"name": "shared"})
        budget = {"keyId": key["id"], "limit": 5.5 * held, "period": "daily"}
        admin.call("POST", "/api/usage/budget", json=budget)
        return key

    key = configure(data_dir, redis_server.url, upstream, setup)
    upstream.add(Behavior(usage=(10, 10), delay=2.0))  # every request is in flight at once
    headers = {"Authorization": f"Bearer {key['key']}"}
    with processes(workers, data_dir, redis_server.url) as urls:
        answers = hammer(urls, 24, "/v1/chat/completions", CHAT, headers)
        statuses = [answer.status_code for answer in answers]
        assert statuses.count(200) == 5, statuses  # floor(5.5 held / held), in every process
        assert statuses.count(402) == 19
        refused = next(a for a in answers if a.status_code == 402).json()["error"]
        assert refused["code"] == "budget_exceeded"


def test_redis_killed_mid_test_budgets_refuse_and_rate_limits_fall_back(
    tmp_path, upstream, redis_server
):
    limits = {"requestsPerMinute": 8, "minGapMs": 0, "maxWaitMs": 0, "maxConcurrent": 100,
              "tiers": ["api-key"]}  # fmt: skip
    data_dir = str(tmp_path / "data")

    def setup(admin):
        admin.resilience({"rateLimits": limits})
        key = admin.json("POST", "/api/keys", 201, json={"name": "budgeted"})
        budget = {"keyId": key["id"], "limit": 100, "period": "daily"}
        admin.call("POST", "/api/usage/budget", json=budget)
        return key

    key = configure(data_dir, redis_server.url, upstream, setup)
    with processes(2, data_dir, redis_server.url) as urls:
        before = hammer(urls, 4, "/v1/chat/completions", CHAT)
        assert [a.status_code for a in before] == [200] * 4  # 4 of the 8 shared starts
        redis_server.kill()
        # idempotency is skipped, and says so (one start of process 0's fallback window)
        skipped = requests.post(urls[0] + "/v1/chat/completions", json=CHAT,
                                headers={"Idempotency-Key": "k-1"}, timeout=15)  # fmt: skip
        assert skipped.status_code == 200
        assert skipped.headers["X-OmniRoute-Idempotent"] == "skipped"
        # rate limits fail open at each process's share (WEB_CONCURRENCY=1 here: the whole
        # limit), counted from a fresh window in each process
        for used, url in zip((1, 0), urls, strict=True):
            statuses = [
                requests.post(url + "/v1/chat/completions", json=CHAT, timeout=15).status_code
                for _ in range(10)
            ]
            assert statuses == [200] * (8 - used) + [429] * (2 + used)
        # budgets fail closed, in the caller's format
        headers = {"Authorization": f"Bearer {key['key']}", "anthropic-version": "2023-06-01"}
        body = {"model": "openai/gpt-4o-mini", "max_tokens": 5, "messages": CHAT["messages"]}
        for url in urls:
            refused = requests.post(url + "/v1/messages", json=body, headers=headers, timeout=15)
            assert refused.status_code == 503, refused.text
            assert refused.json()["type"] == "error"
            assert "budget" in refused.json()["error"]["message"]  # Anthropic's error shape


def logged_in(url: str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    answer = session.post(url + "/api/auth/login", json={"password": ADMIN_PASSWORD}, timeout=15)
    answer.raise_for_status()
    session.headers["X-CSRFToken"] = answer.json()["csrfToken"]
    return session


def breaker_state(session: requests.Session, url: str, provider: str) -> str:
    providers = session.get(url + "/api/health", timeout=15).json()["providers"]
    return next((p["state"] for p in providers if p["provider"] == provider), "closed")


def test_a_breaker_opened_in_one_process_is_seen_by_the_other_within_a_second(
    tmp_path, upstream, redis_server
):
    data_dir = str(tmp_path / "data")

    def setup(admin):
        admin.settings(comboRetries=0)
        admin.resilience({"profiles": {"api-key": {"failureThreshold": 2}}})

    configure(data_dir, redis_server.url, upstream, setup)
    upstream.add(Behavior(status=503))
    with processes(2, data_dir, redis_server.url) as (first, second):
        watcher = logged_in(second)
        assert breaker_state(watcher, second, "openai") == "closed"
        for _ in range(2):
            requests.post(first + "/v1/chat/completions", json=CHAT, timeout=15)
        assert breaker_state(logged_in(first), first, "openai") == "open"
        deadline = time.monotonic() + 5  # the issue allows 1 s; poll, fail after 5 s
        while breaker_state(watcher, second, "openai") != "open":
            assert time.monotonic() < deadline, "the second process never saw the open breaker"
            time.sleep(0.02)
        calls = len(upstream.requests)
        refused = requests.post(second + "/v1/chat/completions", json=CHAT, timeout=15)
        assert refused.status_code == 503 and len(upstream.requests) == calls


def test_idempotency_holds_across_processes_and_a_restart(tmp_path, upstream, redis_server):
    data_dir = str(tmp_path / "data")
    configure(
        data_dir,
        redis_server.url,
        upstream,
        lambda admin: admin.settings(idempotencyWindowSeconds=600),
    )
    upstream.add(Behavior(delay=1.0))  # the duplicates arrive while the first is answered
    headers = {"Idempotency-Key": "order-7"}
    with processes(2, data_dir, redis_server.url) as urls:
        answers = hammer(urls, 6, "/v1/chat/completions", CHAT, headers)
        assert [a.status_code for a in answers] == [200] * 6
        assert len({a.content for a in answers}) == 1
        assert len(upstream.requests) == 1
        replayed = [a for a in answers if a.headers.get("X-OmniRoute-Idempotent") == "true"]
        assert len(replayed) == 5
        first = answers[0].content
    with processes(1, data_dir, redis_server.url) as [url]:  # a restart: memory is gone
        again = requests.post(url + "/v1/chat/completions", json=CHAT, headers=headers, timeout=15)
        assert again.headers["X-OmniRoute-Idempotent"] == "true"
        assert again.content == first and len(upstream.requests) == 1


def test_a_cached_answer_is_a_hit_in_another_process(tmp_path, upstream, redis_server):
    data_dir = str(tmp_path / "data")
    configure(data_dir, redis_server.url, upstream, lambda admin: None)
    body = {**CHAT, "temperature": 0}
    with processes(2, data_dir, redis_server.url) as (first, second):
        miss = requests.post(first + "/v1/chat/completions", json=body, timeout=15)
        hit = requests.post(second + "/v1/chat/completions", json=body, timeout=15)
        assert miss.headers["X-OmniRoute-Cache"] == "MISS"
        assert hit.headers["X-OmniRoute-Cache"] == "HIT", hit.headers
        said = [answer.json()["choices"][0]["message"]["content"] for answer in (miss, hit)]
        assert said[0] == said[1] == "echo: hi" and len(upstream.requests) == 1
        redis_server.kill()
        skipped = requests.post(second + "/v1/chat/completions", json=body, timeout=15)
        assert skipped.status_code == 200
        assert skipped.headers["X-OmniRoute-Cache"] == "skipped"


@pytest.mark.parametrize("workers", [2, 4])
def test_a_rate_limit_is_exact_across_the_worker_processes_of_one_port(
    workers, tmp_path, upstream, redis_server
):
    limits = {"requestsPerMinute": 10, "minGapMs": 0, "maxWaitMs": 0, "maxConcurrent": 100,
              "tiers": ["api-key"]}  # fmt: skip
    data_dir = str(tmp_path / "data")
    configure(
        data_dir, redis_server.url, upstream, lambda admin: admin.resilience({"rateLimits": limits})
    )
    port = free_port()
    env = {"PORT": str(port), "REDIS_URL": redis_server.url, "REDIS_TIMEOUT_MS": "2000",
           "WEB_CONCURRENCY": str(workers), "WORKER_ID_HEADER": "true", "THREADS": "64",
           "MAX_IN_FLIGHT": "60"}  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    with running(spawn(data_dir, **env)) as supervisor:
        ready(url, supervisor)
        answers = hammer([url], 40, "/v1/chat/completions", CHAT)
        statuses = [answer.status_code for answer in answers]
        assert statuses.count(200) == 10 and statuses.count(429) == 30, statuses
