"""OpenTelemetry traces (omniroute/tracing), sent to a fake OTLP/HTTP collector on 127.0.0.1.

A request through a real gateway to the fake upstream is one server span named after its
endpoint (continuing the client's W3C traceparent) with a client span per upstream call and a
span per fallback decision between calls; the spans are decoded from the protobuf the exporter
posts. With OTEL_EXPORTER_OTLP_ENDPOINT unset, OpenTelemetry is not even imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import requests

from omniroute import ROOT
from tests.fake_upstream import Behavior
from tests.fakes.otlp_receiver import OtlpReceiver, ReceivedSpan
from tests.replay_requests import ask

CLIENT_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CLIENT_SPAN_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{CLIENT_TRACE_ID}-{CLIENT_SPAN_ID}-01"
KEY = "sk-test-key-0001"


@pytest.fixture
def receiver():
    running = OtlpReceiver().start()
    yield running
    running.stop()


@pytest.fixture
def traced(start, upstream, receiver):
    """A gateway sending its spans to the fake collector, and its one OpenAI account."""
    gateway = start(OTEL_EXPORTER_OTLP_ENDPOINT=receiver.base, OTEL_SERVICE_NAME="gateway-test")
    return gateway, gateway.add_connection(upstream.url, apiKey=KEY)


def chat(gateway, stream: bool = False, headers: dict | None = None) -> requests.Response:
    body = {
        "model": "openai/gpt-4o-mini",
        "messages": [{"role": "user", "content": "hi"}],
        "stream": stream,
    }
    with requests.Session() as session:
        session.trust_env = False
        return session.post(
            gateway.v1 + "/chat/completions", json=body, headers=headers, timeout=10
        )


def exported(gateway, receiver, count: int) -> list[ReceivedSpan]:
    """The spans the collector received, once the requests in flight are recorded and sent."""
    gateway.flush_usage()
    assert gateway.services.pipeline.tracer.flush()
    return receiver.wait_for(count)


def only(spans: list[ReceivedSpan], name: str) -> ReceivedSpan:
    found = [span for span in spans if span.name == name]
    assert len(found) == 1, [span.name for span in spans]
    return found[0]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_a_request_is_a_server_span_continuing_the_clients_trace_with_a_call_span(
    traced, upstream, receiver, stream
):
    gateway, connection = traced
    answer = chat(gateway, stream, headers={"traceparent": TRACEPARENT})
    assert answer.status_code == 200, answer.text
    spans = exported(gateway, receiver, 2)
    assert receiver.posts and receiver.posts[0] == ("/v1/traces", "application/x-protobuf")

    server = only(spans, "chat.completions")
    assert server.kind == "server"
    assert (server.trace_id, server.parent_span_id) == (CLIENT_TRACE_ID, CLIENT_SPAN_ID)
    assert server.resource["service.name"] == "gateway-test"
    attributes = server.attributes
    assert attributes["omniroute.format_in"] == "openai"
    assert attributes["gen_ai.request.model"] == "openai/gpt-4o-mini"
    assert attributes["gen_ai.provider.name"] == "openai"
    assert attributes["http.response.status_code"] == 200
    assert attributes["omniroute.stream"] is stream
    assert attributes["gen_ai.usage.input_tokens"] == 11
    assert attributes["gen_ai.usage.output_tokens"] == 7
    assert attributes["omniroute.cost_usd"] > 0
    assert attributes["omniroute.cache_hit"] is False

    call = only(spans, "upstream.call")
    assert call.kind == "client" and call.status != "error"
    assert (call.trace_id, call.parent_span_id) == (CLIENT_TRACE_ID, server.span_id)
    assert call.attributes["gen_ai.provider.name"] == "openai"
    assert call.attributes["gen_ai.request.model"] == "gpt-4o-mini"
    assert call.attributes["http.response.status_code"] == 200
    assert call.attributes["omniroute.account_id"] == connection["id"]
    assert call.attributes["omniroute.ttfb_ms"] >= 0
    assert server.start_ns <= call.start_ns <= call.end_ns <= server.end_ns

    everything = json.dumps([span.attributes for span in spans])
    assert KEY not in everything  # an account is named by its id, never its key
    sent = upstream.requests[-1].headers
    assert "traceparent" not in sent and "tracestate" not in sent  # not forwarded upstream


def test_without_a_traceparent_the_request_starts_a_trace(traced, receiver):
    gateway, _ = traced
    assert chat(gateway).status_code == 200
    server = only(exported(gateway, receiver, 2), "chat.completions")
    assert server.parent_span_id == "" and server.trace_id != CLIENT_TRACE_ID


def test_a_fallback_is_two_call_spans_and_the_decision_between_them(start, upstream, receiver):
    gateway = start(OTEL_EXPORTER_OTLP_ENDPOINT=receiver.base)
    first = gateway.add_connection(upstream.url, name="acct-1", apiKey="sk-acct-1")
    second = gateway.add_connection(upstream.url, name="acct-2", apiKey="sk-acct-2")
    upstream.add(Behavior(status=429, error_message="Rate limit reached"), api_key="sk-acct-1")

    answer = chat(gateway)
    assert answer.status_code == 200 and answer.headers["X-OmniRoute-Fallback-Attempts"] == "1"
    spans = exported(gateway, receiver, 4)
    server = only(spans, "chat.completions")
    assert server.attributes["omniroute.attempts"] == 2
    calls = sorted((s for s in spans if s.name == "upstream.call"), key=lambda s: s.start_ns)
    assert [c.attributes["omniroute.account_id"] for c in calls] == [first["id"], second["id"]]
    assert [c.attributes["http.response.status_code"] for c in calls] == [429, 200]
    assert [c.status for c in calls] == ["error", "unset"]
    assert "omniroute.ttfb_ms" in calls[1].attributes
    decision = only(spans, "fallback")
    assert decision.attributes["omniroute.fallback.reason_status"] == 429
    assert decision.attributes["omniroute.fallback.from_account_id"] == first["id"]
    assert decision.attributes["omniroute.fallback.to_account_id"] == second["id"]
    assert calls[0].end_ns <= decision.start_ns <= decision.end_ns <= calls[1].start_ns
    for span in [*calls, decision]:
        assert (span.trace_id, span.parent_span_id) == (server.trace_id, server.span_id)


def test_a_retry_of_the_same_target_and_the_failed_request_are_marked(start, upstream, receiver):
    gateway = start(OTEL_EXPORTER_OTLP_ENDPOINT=receiver.base)
    gateway.add_connection(upstream.url, apiKey=KEY)
    with gateway.admin() as session:
        assert session.patch(gateway.url + "/api/settings", json={"comboRetries": 1}).ok
    upstream.add(Behavior(status=502, error_message="bad gateway"))

    assert chat(gateway).status_code == 502
    spans = exported(gateway, receiver, 4)
    server = only(spans, "chat.completions")
    assert server.status == "error" and server.attributes["http.response.status_code"] == 502
    calls = [span for span in spans if span.name == "upstream.call"]
    assert [c.attributes["http.response.status_code"] for c in calls] == [502, 502]
    assert all(c.status == "error" and "omniroute.ttfb_ms" not in c.attributes for c in calls)
    decision = only(spans, "retry")  # the same account and model again, after a backoff
    assert decision.attributes["omniroute.fallback.reason_status"] == 502


def test_an_answer_from_the_response_cache_is_a_server_span_marked_as_a_hit(traced, receiver):
    gateway, _ = traced
    first = ask(gateway, "openai")
    again = ask(gateway, "openai", headers={"traceparent": TRACEPARENT})
    assert (first.headers["X-OmniRoute-Cache"], again.headers["X-OmniRoute-Cache"]) == (
        "MISS",
        "HIT",
    )
    spans = exported(gateway, receiver, 3)
    hit = [span for span in spans if span.trace_id == CLIENT_TRACE_ID]
    assert [span.name for span in hit] == ["chat.completions"]  # no upstream call
    assert hit[0].attributes["omniroute.cache_hit"] is True
    assert hit[0].attributes["omniroute.served_from"] == "cache"
    missed = [span for span in spans if span.trace_id != CLIENT_TRACE_ID]
    assert sorted(span.name for span in missed) == ["chat.completions", "upstream.call"]
    assert only(missed, "chat.completions").attributes["omniroute.cache_hit"] is False


OFF_SCRIPT = """
import sys
from omniroute import create_app

settings = {"DATA_DIR": sys.argv[1], "PORT": 0, "INITIAL_PASSWORD": "test-password-123"}
app = create_app(settings, environ={})
services = app.extensions["omniroute"]
body = {"model": "nowhere/model", "messages": [{"role": "user", "content": "hi"}]}
status = app.test_client().post("/v1/chat/completions", json=body).status_code
services.usage.flush()
loaded = sorted(name for name in sys.modules if name.startswith("opentelemetry"))
services.close()
print(status, services.pipeline.tracer is None, loaded)
"""


def test_with_the_endpoint_unset_nothing_is_imported_and_nothing_sent(tmp_path, receiver):
    # the SDK's own variable alone does not turn tracing on
    env = {**os.environ, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": receiver.base + "/v1/traces"}
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    ran = subprocess.run(
        [sys.executable, "-c", OFF_SCRIPT, str(tmp_path / "data")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    status, off, loaded = ran.stdout.strip().splitlines()[-1].split(" ", 2)
    assert int(status) >= 400  # the request went through the pipeline and was recorded
    assert (off, loaded) == ("True", "[]")
    assert receiver.posts == []
