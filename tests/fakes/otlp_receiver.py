"""A fake OpenTelemetry collector: OTLP over HTTP/protobuf on 127.0.0.1, POST /v1/traces.

Each export is decoded with the opentelemetry-proto classes the gateway's exporter encodes
with, and its spans are kept (with their resource's attributes) for assertions.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from tests.fakes.threaded_server import ThreadedFakeServer

SPAN_KINDS = {1: "internal", 2: "server", 3: "client"}
STATUS_CODES = {0: "unset", 1: "ok", 2: "error"}


@dataclass
class ReceivedSpan:
    name: str
    kind: str
    trace_id: str  # hex, as in a traceparent header
    span_id: str
    parent_span_id: str  # "" for a root span
    start_ns: int
    end_ns: int
    status: str
    attributes: dict[str, Any]
    resource: dict[str, Any]


def plain(value: AnyValue) -> Any:
    field = value.WhichOneof("value")
    return None if field is None else getattr(value, field)


def attributes_of(key_values) -> dict[str, Any]:
    return {pair.key: plain(pair.value) for pair in key_values}


class _Handler(BaseHTTPRequestHandler):
    fake: OtlpReceiver

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.fake.received(self.path, self.headers.get("Content-Type", ""), body)
        answer = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args) -> None:
        return None


class OtlpReceiver(ThreadedFakeServer):
    handler_class = _Handler

    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        self.posts: list[tuple[str, str]] = []  # (path, content type) of every export
        self._lock = threading.Lock()

    def received(self, path: str, content_type: str, body: bytes) -> None:
        request = ExportTraceServiceRequest.FromString(body)
        spans = [
            ReceivedSpan(
                name=span.name,
                kind=SPAN_KINDS.get(span.kind, str(span.kind)),
                trace_id=span.trace_id.hex(),
                span_id=span.span_id.hex(),
                parent_span_id=span.parent_span_id.hex(),
                start_ns=span.start_time_unix_nano,
                end_ns=span.end_time_unix_nano,
                status=STATUS_CODES[span.status.code],
                attributes=attributes_of(span.attributes),
                resource=attributes_of(resource_spans.resource.attributes),
            )
            for resource_spans in request.resource_spans
            for scope_spans in resource_spans.scope_spans
            for span in scope_spans.spans
        ]
        with self._lock:
            self.posts.append((path, content_type))
            self.spans.extend(spans)

    def wait_for(self, count: int, seconds: float = 10.0) -> list[ReceivedSpan]:
        """The spans received once there are at least `count` (fewer after `seconds`)."""
        deadline = time.monotonic() + seconds
        while len(self.spans) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        with self._lock:
            return list(self.spans)
