"""A bounded soak: mixed load through a real gateway while a fifth of the upstream calls fail,
then checks that no client saw an unexpected error and memory stayed flat. The measured load
lasts SOAK_SECONDS: 10 s by default (the run in `make test` and CI), 45 s with `make soak`.

Set-up: three OpenAI accounts, two Anthropic accounts, one GLM account (all on the fake
upstream) and a local provider node on a closed port; a combo over all four providers, fallback
chains from each direct model to the others, round-robin accounts. Each account key answers from
a scripted cycle: 500/502/503/529, 429 with Retry-After, a hint-less 429 (backoff), no headers
within the read timeout, a stream cut or silent before its first event — about 20% of the calls.
The node trips its breaker (local profile) again and again: half-open probes that fail, longer
cooldowns. Streams for `openai/gpt-4.1` are always cut after their first event: those, and only
those, must end with an in-band error.

Eight client threads send requests in three wire formats, streamed and not. After a warm-up the
test notes the process RSS and starts tracemalloc; at the end every request must have succeeded
(or failed in band exactly where scripted), every stream must be complete, every resilience and
routing structure must be within a bound set by the configuration (not by the request count),
and the Python memory still allocated since the warm-up and the RSS growth must be small.
"""

from __future__ import annotations

import collections
import gc
import json
import os
import random
import socket
import threading
import time
import tracemalloc

import pytest
import requests

from omniroute.resilience.breakers import HISTORY_FACTOR
from omniroute.resilience.health_report import rss_mb
from omniroute.usage.telemetry import SAMPLES_PER_PROVIDER
from tests.fake_upstream import Behavior, FakeUpstream
from tests.fakes import probe
from tests.gateway_harness import start_gateway

WARM_UP_SECONDS = 10.0
MEASURED_SECONDS = float(os.environ.get("SOAK_SECONDS", "10"))
FULL_SECONDS = 45.0  # the measured load of `make soak`
# The traffic minimums are those of the full run, in proportion to the time the load runs:
# enough requests (warm-up included) and upstream calls (while measuring) that a leak shows.
MIN_REQUESTS = 600 * (WARM_UP_SECONDS + MEASURED_SECONDS) / (WARM_UP_SECONDS + FULL_SECONDS)
MIN_SERVED = 1000 * MEASURED_SECONDS / FULL_SECONDS
CLIENT_THREADS = 8
READ_TIMEOUT = 1.0
# Python memory still allocated since the warm-up, by where it was allocated: the latency rings
# (their samples hold floats made in usage/trace.py) and the rate limiter's start times fill up
# by design (bounded by SAMPLES_PER_PROVIDER and requestsPerMinute); nothing else may grow.
BOUNDED_FILES = ("usage/telemetry.py", "usage/trace.py", "resilience/rate_limits.py")
MAX_BOUNDED_GROWTH_MB = 3.0
MAX_OTHER_GROWTH_MB = 1.0  # about 300 bytes per request measured: a per-request leak shows
MAX_RSS_GROWTH_MB = 40.0
RATE_LIMITS = {"requestsPerMinute": 100000, "minGapMs": 0, "maxConcurrent": 16, "maxWaitMs": 2000}

OPENAI_KEYS = ["sk-oa-1", "sk-oa-2", "sk-oa-3"]
ANTHROPIC_KEYS = ["sk-an-1", "sk-an-2"]
GLM_KEY = "sk-glm"
ACCOUNTS = len(OPENAI_KEYS) + len(ANTHROPIC_KEYS) + 2  # + glm + the node
PROVIDERS = 4  # openai, anthropic, glm, the node
MODELS = {  # client model → scripted to break after a stream's first event
    "soak": False,
    "openai/gpt-4o-mini": False,
    "anthropic/claude-sonnet-4-5": False,
    "openai/gpt-4.1": True,
}
PATHS = {"openai": "/chat/completions", "anthropic": "/messages", "responses": "/responses"}
STREAM_END_PAIR = ("response.completed", "response.failed")

OK = None  # the fake's conventions: echo the user's text
SILENT = Behavior(first_event_delay=3.0, heartbeat_interval=0.2)  # comments, never an event
FAULT_CYCLES = {  # two failures in ten calls per key (stream-only faults answer JSON normally)
    "sk-oa-1": [OK] * 4
    + [Behavior(status=500)]
    + [OK] * 4
    + [Behavior(status=429, headers={"Retry-After": "1"})],
    "sk-oa-2": [OK] * 4
    + [Behavior(delay=2 * READ_TIMEOUT)]
    + [OK] * 4
    + [Behavior(reset_after_chunks=0)],
    "sk-oa-3": [OK] * 4 + [Behavior(status=502)] + [OK] * 4 + [SILENT],
    "sk-an-1": [OK] * 4
    + [Behavior(status=529)]
    + [OK] * 4
    + [Behavior(status=429, error_message="slow down")],
    "sk-an-2": [OK] * 4 + [Behavior(status=503)] + [OK] * 4 + [Behavior(first_event_delay=3.0)],
    "sk-glm": [OK] * 4 + [Behavior(status=500)] + [OK] * 5,
}


def dead_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/v1"


def stream_outcome(fmt: str, raw: str) -> tuple[str, str]:
    """(text, "complete" | "error" | "cut") of a streamed answer: complete when it ends the way
    its format ends a stream, error when its last event is the format's in-band error."""
    text, events = "", []
    for block in filter(None, raw.split("\n\n")):
        name, data = None, None
        for line in block.splitlines():
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                data = line[len("data: ") :]
        if data is None:
            continue
        payload = data if data == "[DONE]" else json.loads(data)
        events.append((name, payload))
        if fmt == "openai" and data != "[DONE]" and payload.get("choices"):
            text += payload["choices"][0]["delta"].get("content") or ""
        elif fmt == "anthropic" and payload.get("type") == "content_block_delta":
            text += payload["delta"].get("text", "")
        elif fmt == "responses" and payload.get("type") == "response.output_text.delta":
            text += payload["delta"]
    names = [name for name, _ in events]
    if fmt == "openai":
        errors = [p for _, p in events if isinstance(p, dict) and "error" in p]
        if events[-1:] == [(None, "[DONE]")]:
            return text, "error" if errors else "complete"
        return text, "cut"
    ending = {"anthropic": ("message_stop", "error"), "responses": STREAM_END_PAIR}[fmt]
    if names[-1:] == [ending[0]] and ending[1] not in names:
        return text, "complete"
    return text, "error" if names[-1:] == [ending[1]] else "cut"


def answer_text(fmt: str, body: dict) -> str:
    if fmt == "openai":
        return body["choices"][0]["message"]["content"]
    if fmt == "anthropic":
        return "".join(b["text"] for b in body["content"] if b["type"] == "text")
    return "".join(
        p["text"] for i in body["output"] if i["type"] == "message" for p in i["content"]
    )


class Load:
    """Client threads sending mixed requests until told to stop; outcomes are counted."""

    def __init__(self, gateway):
        self.gateway = gateway
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.counts: collections.Counter = collections.Counter()
        self.unexpected: list[str] = []

    def run_thread(self, index: int) -> None:
        rng = random.Random(index)
        session = requests.Session()
        session.trust_env = False
        serial = 0
        try:
            while not self.stop.is_set():
                serial += 1
                fmt = rng.choice(list(PATHS))
                model = rng.choice(list(MODELS))
                stream = rng.random() < 0.5
                verdict = self.one(session, fmt, model, stream, f"soak {index}-{serial}")
                with self.lock:
                    self.counts[verdict] += 1
        finally:
            session.close()

    def one(self, session, fmt: str, model: str, stream: bool, text: str) -> str:
        try:
            response = session.post(
                self.gateway.v1 + PATHS[fmt],
                json=probe.ask_body(fmt, model, text, stream),
                timeout=30,
            )
        except requests.RequestException as exc:
            return self.fail(f"{fmt} {model} stream={stream}: {exc!r}")
        where = f"{fmt} {model} stream={stream}: {response.status_code} {response.text[-300:]}"
        if response.status_code != 200:
            return self.fail(where)
        if not stream:
            ok = answer_text(fmt, response.json()) == "echo: " + text
            return "ok" if ok else self.fail(where)
        got, ending = stream_outcome(fmt, response.text)
        full = "echo: " + text
        if MODELS[model]:  # cut after its first piece: that piece, then the in-band error
            if ending == "error" and got and full.startswith(got) and got != full:
                return "broken-in-band"
        elif ending == "complete" and got == full:
            return "ok-stream"
        return self.fail(f"{where} [{ending}]")

    def fail(self, what: str) -> str:
        with self.lock:
            if len(self.unexpected) < 20:
                self.unexpected.append(what)
        return "unexpected"


def structure_sizes(gateway) -> dict[str, int]:
    """The size of every resilience and routing structure that could grow."""
    resilience = gateway.services.resilience
    state = gateway.services.pipeline.state
    limiter_accounts = resilience.limiter._accounts
    return {
        "breakers": len(resilience.breakers._breakers),
        "breaker outcomes": max(
            (len(b.outcomes) for b in resilience.breakers._breakers.values()), default=0
        ),
        "cooldowns": len(resilience.cooldowns._until),
        "cooldown reasons": len(resilience.cooldowns._reasons),
        "backoff levels": len(resilience._levels),
        "limiter accounts": len(limiter_accounts),
        "limiter in flight": sum(a.in_flight for a in limiter_accounts.values()),
        "login lockouts": len(resilience.login_lockout._failures)
        + len(resilience.login_lockout._locked_until),
        "key lockouts": len(resilience.key_lockout._failures)
        + len(resilience.key_lockout._locked_until),
        "telemetry providers": len(gateway.services.telemetry._samples),
        "telemetry samples": max(
            (len(ring) for ring in gateway.services.telemetry._samples.values()), default=0
        ),
        "rotation": len(state._rotation),
        "sticky": len(state._sticky),
        "last used": len(state._last_used),
        "failure counters": len(state._failures._values),
        "target counters": len(state._target_use._values),
    }


BOUNDS = {  # set by the configuration: providers, accounts, models, combo targets
    "breakers": PROVIDERS,
    "breaker outcomes": HISTORY_FACTOR * 12,  # the API-key profile's threshold
    "cooldowns": ACCOUNTS * 3,  # per account: the whole account and at most two models
    "cooldown reasons": ACCOUNTS * 3,
    "backoff levels": ACCOUNTS,
    "limiter accounts": ACCOUNTS,
    "limiter in flight": 0,
    "login lockouts": 0,
    "key lockouts": 0,
    "telemetry providers": PROVIDERS,
    "telemetry samples": SAMPLES_PER_PROVIDER,
    "rotation": PROVIDERS + 1,
    "sticky": PROVIDERS + 1,
    "last used": ACCOUNTS,
    "failure counters": ACCOUNTS,
    "target counters": 4,
}


@pytest.fixture
def soak_upstream():
    upstream = FakeUpstream(record=False).start()
    upstream.stream_log = collections.deque(maxlen=100)  # it logs every event otherwise
    yield upstream
    upstream.stop()


def set_up(gateway, upstream) -> None:
    admin = gateway.admin()
    try:
        post = lambda path, body: admin.post(gateway.url + path, json=body, timeout=10)  # noqa: E731
        for n, api_key in enumerate(OPENAI_KEYS, 1):
            body = {"provider": "openai", "name": f"oa-{n}", "apiKey": api_key}
            assert post("/api/providers", {**body, "baseUrl": upstream.url}).status_code == 201
        for n, api_key in enumerate(ANTHROPIC_KEYS, 1):
            body = {"provider": "anthropic", "name": f"an-{n}", "apiKey": api_key}
            assert post("/api/providers", {**body, "baseUrl": upstream.url}).status_code == 201
        body = {"provider": "glm", "name": "glm", "apiKey": GLM_KEY, "baseUrl": upstream.url}
        assert post("/api/providers", body).status_code == 201
        node = {
            "name": "dead",
            "prefix": "deadnode",
            "baseUrl": dead_port_url(),
            "apiType": "openai",
        }
        assert post("/api/provider-nodes", node).status_code == 201
        combo = ["deadnode/m", "openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5", "glm/glm-4.7"]
        body = {"name": "soak", "strategy": "priority", "models": combo}
        assert post("/api/combos", body).status_code == 201
        chains = {
            "openai/gpt-4o-mini": ["glm/glm-4.7", "anthropic/claude-sonnet-4-5"],
            "anthropic/claude-sonnet-4-5": ["openai/gpt-4o-mini", "glm/glm-4.7"],
        }
        for model, chain in chains.items():
            assert post("/api/fallback/chains", {"model": model, "chain": chain}).status_code in (
                200,
                201,
            )
        settings = {"routingStrategy": "round-robin"}
        assert admin.patch(gateway.url + "/api/settings", json=settings).status_code == 200
        resilience = {  # default API-key profile: flaky (20%) is not down, breakers stay closed
            "profiles": {"local": {"failureThreshold": 2, "cooldownSeconds": 1}},  # the dead node
            "rateLimits": {**RATE_LIMITS, "tiers": ["api-key", "cheap"]},
        }
        assert admin.patch(gateway.url + "/api/resilience", json=resilience).status_code == 200
    finally:
        admin.close()
    upstream.add(Behavior(reset_after_chunks=2), model="gpt-4.1")  # streams: cut after "echo:"
    for api_key, cycle in FAULT_CYCLES.items():
        upstream.add_cycle(cycle, api_key=api_key)


@pytest.mark.timeout(WARM_UP_SECONDS + MEASURED_SECONDS + 95)
def test_mixed_load_with_failing_upstreams(tmp_path, soak_upstream):
    gateway = start_gateway(
        str(tmp_path / "data"),
        UPSTREAM_READ_TIMEOUT=READ_TIMEOUT,
        UPSTREAM_IDLE_TIMEOUT=READ_TIMEOUT,
    )
    load = Load(gateway)
    threads = [
        threading.Thread(target=load.run_thread, args=(i,), daemon=True)
        for i in range(CLIENT_THREADS)
    ]
    try:
        set_up(gateway, soak_upstream)
        for thread in threads:
            thread.start()
        time.sleep(WARM_UP_SECONDS)
        gc.collect()
        rss_before = rss_mb()
        warm_sizes = structure_sizes(gateway)
        served_before = sum(rule.served for rule in soak_upstream.rules)
        tracemalloc.start()
        time.sleep(MEASURED_SECONDS)
        load.stop.set()
        for thread in threads:
            thread.join(40)
        gateway.flush_usage()
        gc.collect()
        snapshot = tracemalloc.take_snapshot()
        tracemalloc.stop()
        rss_after = rss_mb()
        end_sizes = structure_sizes(gateway)
        served = sum(rule.served for rule in soak_upstream.rules) - served_before
    finally:
        load.stop.set()
        if tracemalloc.is_tracing():
            tracemalloc.stop()
        gateway.stop()

    counts = load.counts
    total = sum(counts.values())
    assert load.unexpected == [], f"{counts}: {load.unexpected}"
    assert total >= MIN_REQUESTS, counts  # enough traffic that a per-request leak would show
    assert counts["broken-in-band"] > 0 and counts["ok-stream"] > 0 and counts["ok"] > 0
    assert served > MIN_SERVED  # upstream calls while measuring

    breakers = {b["provider"]: b for b in gateway.services.resilience.breakers.snapshot()}
    assert breakers["deadnode"]["totalFailures"] >= 4  # it kept failing and re-opening
    assert breakers["openai"]["totalFailures"] > 20  # the scripted faults happened

    for name, bound in BOUNDS.items():
        assert end_sizes[name] <= bound, (name, warm_sizes[name], end_sizes[name], bound)
    limiter = gateway.services.resilience.limiter
    for account in limiter._accounts.values():
        assert len(account.starts) <= RATE_LIMITS["requestsPerMinute"]
    assert breakers["openai"]["state"] == breakers["anthropic"]["state"] == "closed"

    bounded, other = growth_by_kind(snapshot)
    report = "\n".join(str(stat) for stat in snapshot.statistics("lineno")[:10])
    assert bounded < MAX_BOUNDED_GROWTH_MB, f"{bounded:.2f} MB\n{report}"
    assert other < MAX_OTHER_GROWTH_MB, f"{other:.2f} MB after {total} requests\n{report}"
    assert rss_after - rss_before < MAX_RSS_GROWTH_MB, (rss_before, rss_after, report)


def growth_by_kind(snapshot: tracemalloc.Snapshot) -> tuple[float, float]:
    """MB still allocated since tracing started: (by the bounded structures, by the rest)."""
    bounded = other = 0
    for stat in snapshot.statistics("filename"):
        if stat.traceback[0].filename.endswith(BOUNDED_FILES):
            bounded += stat.size
        else:
            other += stat.size
    return bounded / 2**20, other / 2**20
