"""The tracer provider behind RequestTracer: a resource naming the service, a batching span
processor and the OTLP HTTP/protobuf exporter. Imported only when tracing is on."""

from __future__ import annotations

import os

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from .spans import RequestTracer

TRACES_PATH = "/v1/traces"


def build_tracer(endpoint: str, service_name: str) -> RequestTracer:
    """Spans of client requests, batched to the collector at `endpoint` (its base URL)."""
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
    exporter = OTLPSpanExporter(endpoint=traces_url(endpoint))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return RequestTracer(provider)


def traces_url(endpoint: str) -> str | None:
    """Where spans are posted: the base endpoint + /v1/traces, as the OTLP specification says,
    unless OTEL_EXPORTER_OTLP_TRACES_ENDPOINT names the full URL (None: the exporter reads it)."""
    if os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        return None
    return endpoint.rstrip("/") + TRACES_PATH
