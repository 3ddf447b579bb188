"""Home as the owner's daily view, over plain HTTP against a real gateway: today's requests,
tokens, errors and spend with their 24-hour sparklines, budgets past their warning level, a
health chip per provider, the activity heatmap, cost by provider, the base URL the browser
used, and the onboarding steps until the gateway is in use. The same page in chromium:
tests/e2e/test_daily_views_browser.py."""

from __future__ import annotations

import datetime as dt
import html
import re
import time

import requests

from omniroute.clock import utcnow
from tests.dashboard_user import browser_session
from tests.integration.stored_usage import store_usage, usage_row
from tests.integration.test_costs_budgets import admin_call, create_key

HX = {"HX-Request": "true"}


def midnight(moment: dt.datetime) -> dt.datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def stat(page: str, name: str) -> str:
    return html.unescape(re.search(rf'data-stat="{name}">([^<]*)<', page).group(1))


def chart_label(page: str, container: str) -> str:
    """The aria-label of the first chart inside the element marked `container`."""
    found = re.search(rf'{container}[^>]*>.*?<svg[^>]*aria-label="([^"]*)"', page, re.S)
    return html.unescape(found.group(1))


def section(page: str, section_id: str) -> str:
    return re.search(rf'<section[^>]*id="{section_id}".*?</section>', page, re.S).group(0)


def test_home_shows_today_with_sparklines_heatmap_and_cost_by_provider(gateway):
    now = utcnow()
    rows = [
        usage_row(now, provider="openai", cost_usd=0.5),
        usage_row(now, provider="openai", cost_usd=0.25, status=502, error="bad gateway"),
        usage_row(now - dt.timedelta(hours=2), provider="anthropic", cost_usd=1.0),
        usage_row(now - dt.timedelta(days=3), provider="anthropic", cost_usd=2.0),
        usage_row(now - dt.timedelta(days=40), provider="deepseek", cost_usd=4.0),  # past 30 days
    ]
    store_usage(gateway, rows)
    today = [r for r in rows if r["created_at"] >= midnight(now)]
    page = browser_session(gateway).get(gateway.url + "/").text

    assert stat(page, "requests") == str(len(today))
    assert stat(page, "errors") == "1"
    assert stat(page, "tokens") == str(110 * len(today))
    assert stat(page, "spend") == f"${sum(r['cost_usd'] for r in today):.2f}"
    requests_line = chart_label(page, 'data-kpi="requests"')
    assert requests_line.startswith("Requests over the last 24 hours: lowest 0, highest 2,")
    assert requests_line.endswith("latest 2.")  # two requests this hour
    assert chart_label(page, 'data-kpi="spend"').endswith("latest $0.75.")
    assert chart_label(page, 'data-kpi="errors"').endswith("highest 1, latest 1.")

    activity = section(page, "home-activity")
    assert activity.count("<rect") == 84  # twelve weeks, a square per day
    assert "Requests over 84 days: 5 in total on " in html.unescape(activity)

    cost = html.unescape(section(page, "home-cost"))
    assert "Cost by provider: anthropic $3.00 (80%); openai $0.75 (20%)." in cost
    shares = re.findall(r'data-share="([^"]+)".*?class="share-value">([^<]+)<', cost, re.S)
    assert shares == [("anthropic", "$3.00 · 80%"), ("openai", "$0.75 · 20%")]
    assert "deepseek" not in cost  # forty days ago

    assert 'id="onboarding"' not in page  # a request was answered: the gateway is in use


def test_the_polled_fragment_carries_the_figures_and_their_sparklines(gateway):
    store_usage(gateway, [usage_row(utcnow(), cost_usd=0.01)])
    fragment = browser_session(gateway).get(gateway.url + "/", headers=HX).text
    assert "<html" not in fragment and 'id="home-activity"' not in fragment
    assert stat(fragment, "requests") == "1"
    assert fragment.count('role="img"') == 4  # requests, tokens, errors, spend


def test_a_fresh_gateway_keeps_its_onboarding_and_draws_empty_charts(gateway):
    page = browser_session(gateway).get(gateway.url + "/").text
    assert 'id="onboarding"' in page and 'data-step="provider"' in page
    assert stat(page, "requests") == "0" and stat(page, "spend") == "$0.00"
    assert 'id="no-cost"' in page and 'id="home-budgets"' not in page
    assert "Requests over 84 days: none." in html.unescape(section(page, "home-activity"))
    assert "No provider is connected yet." in section(page, "home-health")


def test_health_chips_and_budgets_past_their_warning(gateway, upstream):
    gateway.add_connection(upstream.url)
    warned, calm = create_key(gateway, "warned"), create_key(gateway, "calm")
    now = utcnow()
    store_usage(
        gateway,
        [
            usage_row(now, api_key_id=warned["id"], cost_usd=0.9),
            usage_row(now, api_key_id=calm["id"], cost_usd=0.1),
        ],
    )
    for key in (warned, calm):
        body = {"keyId": key["id"], "limit": 1.0, "period": "monthly", "warnAt": 80}
        assert admin_call(gateway, "POST", "/api/usage/budget", json=body).status_code == 200
    page = browser_session(gateway).get(gateway.url + "/").text

    chips = section(page, "home-health")
    assert re.search(r'data-provider="openai" data-state="closed"[^>]*>openai: healthy<', chips)
    budgets = section(page, "home-budgets")
    assert f'data-budget="{warned["id"]}" data-state="warn"' in budgets
    assert f'data-budget="{calm["id"]}"' not in budgets  # 10 %: below its warning
    label = html.unescape(re.search(r'aria-label="([^"]*)"', budgets).group(1))
    assert label == "warned: $0.90 of $1.00 spent (90%); warning at 80%."


def test_home_shows_the_base_url_the_browser_used(gateway):
    page = browser_session(gateway).get(gateway.url + "/").text
    assert f"<code>{gateway.url}/v1</code>" in page


def test_home_with_ten_thousand_usage_rows(gateway):
    """Renders the right totals with 10,000 rows over 12 weeks; the time it took is printed
    (measured, not asserted)."""
    now = utcnow()
    rows = [
        usage_row(now - dt.timedelta(minutes=10 * n), provider=("openai", "anthropic")[n % 2],
                  status=502 if n % 10 == 0 else 200, cost_usd=0.001)
        for n in range(10_000)
    ]  # fmt: skip
    store_usage(gateway, rows)
    session = browser_session(gateway)
    session.get(gateway.url + "/")  # warm
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        page = session.get(gateway.url + "/").text
        timings.append((time.perf_counter() - started) * 1000)
    today = [r for r in rows if r["created_at"] >= midnight(now)]
    assert stat(page, "requests") == f"{len(today):,}"
    in_heatmap = sum(1 for r in rows if r["created_at"] >= midnight(now) - dt.timedelta(days=83))
    assert f"Requests over 84 days: {in_heatmap:,} in total" in html.unescape(page)
    print(f"Home with 10,000 usage rows: {sorted(timings)[2]:.0f} ms (median of 5)")


def test_home_needs_a_login(gateway):
    response = requests.get(gateway.url + "/", allow_redirects=False)
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
