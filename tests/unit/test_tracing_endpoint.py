"""Where the tracer posts its spans (omniroute/tracing/exporter.py), and the client's trace
context it continues (spans.py): the standard OTEL_* rules, without a collector."""

from __future__ import annotations

from opentelemetry import trace as otel

from omniroute.tracing import start_tracing
from omniroute.tracing.exporter import traces_url
from omniroute.tracing.spans import client_context

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_the_base_endpoint_gets_the_otlp_traces_path(monkeypatch):
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    assert traces_url("http://collector:4318/") == "http://collector:4318/v1/traces"


def test_the_traces_endpoint_variable_wins_and_is_left_to_the_exporter(monkeypatch):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://other:4318/custom")
    assert traces_url("http://collector:4318") is None


def test_otel_sdk_disabled_keeps_tracing_off(monkeypatch):
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    settings = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SERVICE_NAME": "x"}
    assert start_tracing(settings) is None


def test_the_clients_traceparent_is_read_and_a_bad_one_ignored():
    continued = otel.get_current_span(
        client_context({"traceparent": TRACEPARENT})
    ).get_span_context()
    assert format(continued.trace_id, "032x") == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert continued.is_remote
    assert client_context({}) is None and client_context(None) is None
    broken = client_context({"traceparent": "00-not-a-trace"})
    assert not otel.get_current_span(broken).get_span_context().is_valid
