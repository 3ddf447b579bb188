"""Response cache (issue 17): the latency of a cache hit, side by side with the plain path.

A gateway of its own (tests.gateway_harness, waitress on 127.0.0.1, a fresh data dir) in front
of the fake upstream (its default echo answer), one keep-alive client sending non-streamed
OpenAI Chat requests one after another:
- direct:         the request straight to the upstream;
- plain:          through the gateway, the response cache switched off (Settings);
- miss:           the cache on, a new question each time (the key, the lookup, the answer read
                  back and stored: what the cache adds to a request it cannot answer);
- hit:            the cache on, the same question each time (served from memory, no upstream);
- hit, Anthropic: the same question's cached answer asked for as an Anthropic stream (the
                  stream synthesized in the caller's format).
Each path runs ROUNDS rounds of REQUESTS requests; the figure is the median round's mean
latency. `measure()` returns the results, `render_table(results)` the table.
"""

from __future__ import annotations

import itertools
import statistics
import tempfile
import time
from collections.abc import Callable

import requests

from bench.table import ms, plus_ms, versus_plain
from omniroute.store.replay_options import ReplayOptions, save_replay_options
from tests.fake_upstream import FakeUpstream
from tests.gateway_harness import start_gateway

HEADING = "response cache (issue 17)"
MODEL = "openai/gpt-4o-mini"
ROUNDS = 7
REQUESTS = 100
PATHS = (
    ("direct", "direct to the upstream"),
    ("plain", "plain path (cache off)"),
    ("miss", "cache miss (new question each time)"),
    ("hit", "cache hit, same format"),
    ("hit_stream", "cache hit, served as an Anthropic stream"),
)


def _chat(text: str, model: str = MODEL) -> dict:
    return {"model": model, "messages": [{"role": "user", "content": text}], "temperature": 0}


def _median_ms(send: Callable[[int], None]) -> float:
    numbers = itertools.count()
    rounds = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(REQUESTS):
            send(next(numbers))
        rounds.append((time.perf_counter() - started) / REQUESTS * 1000)
    return statistics.median(rounds)


def _poster(session: requests.Session, url: str, body: Callable[[int], dict], headers=None):
    def send(number: int) -> None:
        response = session.post(url, json=body(number), headers=headers or {}, timeout=30)
        assert response.status_code == 200, response.text
        response.content  # noqa: B018  (read the whole answer)

    return send


def _set_cache(gateway, enabled: bool) -> None:
    with gateway.services.database.connection_context():
        save_replay_options(ReplayOptions(cache_enabled=enabled, cache_streams=True))
    gateway.services.pipeline.replay.options.invalidate()


def measure() -> dict:
    """{path: {"ms_per_request": median ms}} for every path in PATHS."""
    upstream = FakeUpstream(record=False).start()
    with tempfile.TemporaryDirectory() as data_dir:
        gateway = start_gateway(data_dir)
        try:
            gateway.add_connection(upstream.url)
            with requests.Session() as session:
                session.trust_env = False
                results = _measure_paths(gateway, upstream, session)
        finally:
            gateway.stop()
            upstream.stop()
    return {name: {"ms_per_request": value} for name, value in results.items()}


def _measure_paths(gateway, upstream, session: requests.Session) -> dict[str, float]:
    chat_url = gateway.v1 + "/chat/completions"
    same = _chat("the same question")
    stream = {**same, "max_tokens": 64, "stream": True}
    results = {
        "direct": _median_ms(
            _poster(session, upstream.url + "/chat/completions", lambda n: _chat("q", "gpt-4o"))
        )
    }
    _set_cache(gateway, False)
    results["plain"] = _median_ms(_poster(session, chat_url, lambda n: same))
    _set_cache(gateway, True)
    results["miss"] = _median_ms(_poster(session, chat_url, lambda n: _chat(f"question {n}")))
    results["hit"] = _median_ms(_poster(session, chat_url, lambda n: same))
    results["hit_stream"] = _median_ms(_poster(session, gateway.v1 + "/messages", lambda n: stream))
    return results


def render_table(results: dict) -> str:
    """The side-by-side table of `results["replay"]` (what measure() returned)."""
    heading = (
        f"{HEADING}: one client, non-streamed OpenAI Chat requests in a row to the fake "
        f"upstream, median of {ROUNDS} rounds of {REQUESTS} requests"
    )
    return heading + "\n" + versus_plain(results, "replay", PATHS, "ms_per_request", ms, plus_ms)


if __name__ == "__main__":
    print(render_table({"replay": measure()}))
