"""OpenTelemetry traces of client requests, sent over OTLP/HTTP; off unless
OTEL_EXPORTER_OTLP_ENDPOINT is set.

Off, nothing of OpenTelemetry is imported and a request pays one `is None` check in the
pipeline. On, the spans of a request are made when its usage row is recorded (spans.py), from
what the pipeline already noted: its start, every upstream call's start and end, the row's
tokens, cost and status. The exporter (exporter.py) batches them on its own thread.

    <endpoint>            SERVER  one per client request (chat.completions, messages, …),
     │                            continuing the client's W3C `traceparent` when it sends one
     ├─ upstream.call     CLIENT  one per upstream call: provider, account id, model, status,
     ├─ fallback|retry    INTERNAL  latency, time to first byte; between two calls, why the
     └─ upstream.call     CLIENT  gateway moved on (the failed call's status and message)

The standard OTEL_* variables the SDK reads are honoured as they are (OTEL_EXPORTER_OTLP_HEADERS,
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER, OTEL_BSP_*,
OTEL_SDK_DISABLED). The client's trace context is never forwarded to a provider.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .spans import RequestTracer


def start_tracing(settings: dict[str, Any]) -> RequestTracer | None:
    """The request tracer exporting to OTEL_EXPORTER_OTLP_ENDPOINT; None (and nothing imported)
    when that is empty or OTEL_SDK_DISABLED is true."""
    endpoint = settings["OTEL_EXPORTER_OTLP_ENDPOINT"]
    if not endpoint or os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    from .exporter import build_tracer

    return build_tracer(endpoint, settings["OTEL_SERVICE_NAME"])
