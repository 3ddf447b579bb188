"""Fan-out work runs on the one requests-futures pool, many targets at once.

`POST /api/providers/test-all` tests every connection (or one provider's) in parallel: the
upstream here answers only once all three test calls are waiting together (a barrier), so a
sequential run would fail every test. The combo test and the local-server probes share the pool.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from omniroute.fanout import FanOut

ANSWER = {
    "id": "c1",
    "object": "chat.completion",
    "created": 0,
    "model": "gpt-4o-mini",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "p"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}


class BarrierUpstream:
    """Answers a chat call only when `parties` calls are in flight at once (else 503)."""

    def __init__(self, parties: int):
        self.barrier = threading.Barrier(parties, timeout=10)
        self.calls = 0
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                upstream.calls += 1
                try:
                    upstream.barrier.wait()
                    status, body = 200, ANSWER
                except threading.BrokenBarrierError:
                    status, body = 503, {"error": {"message": "called one at a time"}}
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def barrier_upstream():
    upstream = BarrierUpstream(3)
    yield upstream
    upstream.stop()


def test_test_all_tests_every_connection_at_once(gateway, barrier_upstream):
    for n in range(3):
        gateway.add_connection(barrier_upstream.url, name=f"account {n}")
    with gateway.admin() as session:
        response = session.post(gateway.url + "/api/providers/test-all", json={})
        assert response.status_code == 200, response.text
        results = response.json()["data"]
        listed = session.get(gateway.url + "/api/providers").json()["data"]
    assert [r["name"] for r in results] == ["account 0", "account 1", "account 2"]
    assert all(r["ok"] for r in results), results
    assert barrier_upstream.calls == 3
    assert all(c["lastTest"]["ok"] for c in listed)  # saved, as a single test saves it


def test_test_all_can_be_limited_to_one_provider(gateway, upstream):
    gateway.add_connection(upstream.url, name="mine")
    gateway.add_connection(upstream.url, provider="groq", name="other")
    with gateway.admin() as session:
        response = session.post(
            gateway.url + "/api/providers/test-all", json={"provider": "openai"}
        )
        unknown = session.post(gateway.url + "/api/providers/test-all", json={"provider": "zz"})
        wrong = session.post(gateway.url + "/api/providers/test-all", json={"provider": 3})
    assert [r["name"] for r in response.json()["data"]] == ["mine"]
    assert unknown.status_code == 200 and unknown.json()["data"] == []
    assert wrong.status_code == 400 and wrong.json()["error"]["param"] == "provider"


def test_fanout_map_keeps_the_order_and_runs_on_the_pool():
    fanout = FanOut(workers=4)
    try:
        barrier = threading.Barrier(4, timeout=10)

        def work(n: int) -> tuple[int, str]:
            barrier.wait()  # four at once, or BrokenBarrierError
            return n, threading.current_thread().name

        results = fanout.map(work, range(4))
    finally:
        fanout.close()
    assert [n for n, _ in results] == [0, 1, 2, 3]
    assert len({name for _, name in results}) == 4


def test_fanout_get_is_a_future_of_the_response(barrier_upstream):
    fanout = FanOut()
    try:
        future = fanout.get(barrier_upstream.url + "/models", timeout=5)
        assert future.result().status_code == 501  # the barrier server has no GET
    finally:
        fanout.close()
