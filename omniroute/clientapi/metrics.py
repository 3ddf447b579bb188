"""GET /metrics: the Prometheus text exposition (omniroute/metrics/), served by the client API's
WSGI entry like /health, no Flask request context. Who may scrape: metrics/access.py."""

from __future__ import annotations

from ..metrics.access import scrape_refusal
from ..metrics.registry import CONTENT_TYPE
from ..proxy.reply import Reply
from .request import ClientRequest


def scrape(request: ClientRequest) -> Reply:
    services, environ = request.services, request.environ
    refusal = scrape_refusal(
        services.settings["METRICS_TOKEN"],
        services.settings["METRICS_PUBLIC"],
        environ.get("HTTP_AUTHORIZATION"),
        environ.get("REMOTE_ADDR"),
    )
    if refusal is not None:
        raise refusal
    body = services.metrics.exposition()
    return Reply(200, body, {"Content-Type": CONTENT_TYPE, "Cache-Control": "no-store"})
