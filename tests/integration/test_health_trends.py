"""The Health page's last 24 hours per provider (web/health/trends.py): the median latency and
the error rate of each hour as sparklines whose text states the numbers, over plain HTTP
against a real gateway; drawn with the page, not with the polled cards."""

from __future__ import annotations

import datetime as dt
import html
import re

from omniroute.clock import utcnow
from tests.dashboard_user import browser_session
from tests.integration.stored_usage import store_usage, usage_row

HX = {"HX-Request": "true"}


def trend_row(page: str, provider: str) -> str:
    return re.search(rf'<tr data-trend="{provider}">.*?</tr>', page, re.S).group(0)


def label(row: str, cell: str) -> str:
    return html.unescape(re.search(rf'{cell}><svg[^>]*aria-label="([^"]*)"', row).group(1))


def test_health_draws_each_providers_median_latency_and_error_rate(gateway):
    now = utcnow()
    earlier = now - dt.timedelta(hours=3)
    store_usage(
        gateway,
        [
            usage_row(now, provider="openai", latency_ms=100.0),
            usage_row(now, provider="openai", latency_ms=400.0, status=500),
            usage_row(now, provider="openai", latency_ms=250.0),
            usage_row(now, provider="openai", latency_ms=1.0, served_from="cache"),  # no call
            usage_row(earlier, provider="openai", latency_ms=900.0),
            usage_row(earlier, provider="openai", latency_ms=700.0),  # lower median: 700
            usage_row(now - dt.timedelta(hours=30), provider="anthropic", latency_ms=50.0),
        ],
    )
    page = browser_session(gateway).get(gateway.url + "/dashboard/health").text
    openai = trend_row(page, "openai")
    assert re.search(r"data-count>6<", openai) and re.search(r"data-errors>1<", openai)
    assert label(openai, "data-latency-chart") == (
        "Median latency of openai over the last 24 hours: lowest 250 ms, highest 700 ms, "
        "latest 250 ms."
    )
    assert label(openai, "data-error-chart") == (
        "Error rate of openai over the last 24 hours: lowest 0%, highest 25%, latest 25%."
    )
    assert 'data-trend="anthropic"' not in page  # thirty hours ago
    polled = browser_session(gateway).get(gateway.url + "/dashboard/health", headers=HX).text
    assert 'id="health-trends"' not in polled  # drawn once with the page


def test_health_without_requests_says_so(gateway):
    page = browser_session(gateway).get(gateway.url + "/dashboard/health").text
    assert 'id="no-trends"' in page
