"""The Costs overview (/costs) and its export (GET /api/costs/export), over plain HTTP against a
real gateway: spend today, over 7 and 30 days, the month's forecast, cost by provider and by
model, money in the user's locale, the CSV (RFC 4180) and JSON exports matching the rows
stored, and the 400s for a bad format or day count."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import html
import io
import json
import re
from collections import defaultdict

import pytest
import requests

from omniroute.clock import utcnow
from tests.dashboard_user import browser_session
from tests.integration.stored_usage import store_usage, usage_row
from tests.integration.test_costs_budgets import admin_call, create_key


def midnight(moment: dt.datetime, days_back: int = 0) -> dt.datetime:
    start = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return start - dt.timedelta(days=days_back)


@pytest.fixture
def spent(gateway):
    """Rows today, 3, 10 and 40 days ago across providers, models and a key."""
    key = create_key(gateway, "team")
    now = utcnow()
    rows = [
        usage_row(now, provider="openai", model="gpt-4o", cost_usd=0.5, api_key_id=key["id"]),
        usage_row(now, provider="openai", model="gpt-4o", cost_usd=0.25, status=502),
        usage_row(now - dt.timedelta(days=3), provider="anthropic", model='claude, "big"',
                  cost_usd=1.0, prompt_tokens=7, completion_tokens=3),
        usage_row(now - dt.timedelta(days=10), provider="anthropic", model="haiku", cost_usd=2.0),
        usage_row(now - dt.timedelta(days=40), provider="deepseek", model="chat", cost_usd=4.0),
    ]  # fmt: skip
    store_usage(gateway, rows)
    gateway.test_key = key
    return rows


def spend_since(rows, start: dt.datetime) -> float:
    return sum(r["cost_usd"] for r in rows if r["created_at"] >= start)


def test_the_overview_sums_today_seven_and_thirty_days(gateway, spent):
    now = utcnow()
    page = browser_session(gateway).get(gateway.url + "/costs").text
    for days in (1, 7, 30):
        shown = re.search(rf'data-spend="{days}">([^<]+)<', page).group(1)
        assert shown == f"${spend_since(spent, midnight(now, days - 1)):,.2f}", days
    assert 'aria-current="page">Overview<' in page


def test_the_forecast_extrapolates_the_month_so_far(gateway, spent):
    now = utcnow()
    month_to_date = spend_since(spent, midnight(now).replace(day=1))
    days_in_month = calendar.monthrange(now.year, now.month)[1]
    expected = month_to_date / now.day * days_in_month
    page = browser_session(gateway).get(gateway.url + "/costs").text
    forecast = re.search(r'<div class="kpi" id="forecast".*?</div>', page, re.S).group(0)
    assert float(re.search(r'data-forecast="([^"]+)"', forecast).group(1)) == pytest.approx(
        expected
    )
    assert f">${expected:,.2f}<" in forecast and "(estimate)" in forecast
    text = html.unescape(forecast)
    assert f"${month_to_date:,.2f} in the first {now.day} of {days_in_month} days" in text


def test_cost_by_provider_and_model_cover_the_last_thirty_days(gateway, spent):
    page = browser_session(gateway).get(gateway.url + "/costs").text
    providers = re.search(r'id="costs-by-provider".*?</section>', html.unescape(page), re.S)[0]
    assert "Cost by provider: anthropic $3.00 (80%); openai $0.75 (20%)." in providers
    assert "deepseek" not in providers  # forty days ago
    found = re.findall(r'<tr data-model="([^"]+)">.*?data-cost>([^<]+)<', page, re.S)
    models = [(html.unescape(model), cost) for model, cost in found]
    assert models == [
        ("anthropic/haiku", "$2.00"), ('anthropic/claude, "big"', "$1.00"),
        ("openai/gpt-4o", "$0.75"),
    ]  # fmt: skip


def test_money_follows_the_locale(gateway, spent):
    session = browser_session(gateway)
    page = session.get(gateway.url + "/costs", headers={"Accept-Language": "de"}).text
    today = spend_since(spent, midnight(utcnow()))
    german = f"{today:.2f}".replace(".", ",") + "\xa0$"
    assert re.search(r'data-spend="1">([^<]+)<', page).group(1) == german


def expected_rows(rows, start: dt.datetime, names: dict[int, str]) -> list[dict]:
    """The export as the rows imply it: summed per hour, key, provider and model."""
    groups: dict[tuple, dict] = defaultdict(lambda: defaultdict(float))
    for r in rows:
        if r["created_at"] < start:
            continue
        hour = r["created_at"].replace(minute=0, second=0, microsecond=0)
        key = (hour, r["api_key_id"] or 0, r["provider"], r["model"])
        group = groups[key]
        group["requests"] += 1
        group["errors"] += r["status"] >= 400
        group["promptTokens"] += r["prompt_tokens"]
        group["completionTokens"] += r["completion_tokens"]
        group["costUsd"] += r["cost_usd"]
    return [
        {
            "hour": hour.isoformat() + "Z",
            "apiKeyId": key_id or None,
            "apiKeyName": names.get(key_id),
            "provider": provider,
            "model": model,
            "requests": int(g["requests"]),
            "errors": int(g["errors"]),
            "promptTokens": int(g["promptTokens"]),
            "completionTokens": int(g["completionTokens"]),
            "costUsd": pytest.approx(g["costUsd"]),
            "listCostUsd": 0.0,
        }  # fmt: skip
        for (hour, key_id, provider, model), g in sorted(
            groups.items(), key=lambda item: (item[0][0], item[0][2], item[0][3], item[0][1])
        )
    ]


def test_the_json_export_matches_the_rows_stored(gateway, spent):
    response = admin_call(gateway, "GET", "/api/costs/export", params={"format": "json"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith(
        "application/json"
    )
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.json()
    start = midnight(utcnow(), 29)
    assert body["days"] == 30 and body["start"] == start.isoformat() + "Z"
    names = {gateway.test_key["id"]: "team"}
    assert body["data"] == expected_rows(spent, start, names)
    seven = admin_call(gateway, "GET", "/api/costs/export?format=json&days=7").json()
    assert seven["data"] == expected_rows(spent, midnight(utcnow(), 6), names)


def test_the_csv_export_is_rfc_4180_and_matches_the_json(gateway, spent):
    response = admin_call(gateway, "GET", "/api/costs/export?format=csv&days=30")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    raw = response.content.decode()
    lines = raw.split("\r\n")
    assert lines[0] == (
        "hour,apiKeyId,apiKeyName,provider,model,requests,errors,promptTokens,"
        "completionTokens,costUsd,listCostUsd"
    )
    assert lines[-1] == "" and "\n" not in raw.replace("\r\n", "")  # CRLF after every record
    assert any(',"claude, ""big""",' in line for line in lines)  # quoted, quotes doubled
    table = list(csv.DictReader(io.StringIO(raw, newline="")))
    as_json = admin_call(gateway, "GET", "/api/costs/export?format=json&days=30").json()["data"]
    assert len(table) == len(as_json) == 4  # two keys share openai/gpt-4o today
    for row, item in zip(table, as_json, strict=True):
        assert row["hour"] == item["hour"] and row["model"] == item["model"]
        assert row["apiKeyName"] == (item["apiKeyName"] or "")
        assert int(row["requests"]) == item["requests"]
        assert float(row["costUsd"]) == pytest.approx(item["costUsd"])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("format=xml", "format"),
        ("format=csv&days=0", "days"),
        ("format=json&days=367", "days"),
        ("format=json&days=abc", "days"),
        ("days=-3", "days"),
        ("format=", "format"),
    ],
)
def test_a_bad_format_or_day_count_is_a_400_naming_it(gateway, query, field):
    response = admin_call(gateway, "GET", "/api/costs/export?" + query)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == field


def test_the_export_needs_a_login(gateway):
    response = requests.get(gateway.url + "/api/costs/export?format=json")
    assert response.status_code == 401 and "error" in response.json()


def test_budgets_moved_to_their_tab_and_the_export_links_are_on_the_overview(gateway):
    session = browser_session(gateway)
    budgets = session.get(gateway.url + "/costs/budgets").text
    assert 'id="budget-form"' in budgets and 'aria-current="page">Budgets<' in budgets
    overview = session.get(gateway.url + "/costs").text
    links = re.findall(r'href="([^"]*/api/costs/export[^"]*)"', overview)
    assert [html.unescape(link) for link in links] == [
        "/api/costs/export?format=csv&days=30",
        "/api/costs/export?format=json&days=30",
    ]
    assert json.loads(session.get(gateway.url + html.unescape(links[1])).text)["days"] == 30
