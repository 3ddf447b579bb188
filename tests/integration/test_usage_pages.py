"""The Usage and Costs pages, their JSON and CSV, and the API keys page's expiry and allowed
models: real traffic through a real gateway, checked over plain HTTP (a browser without
JavaScript, and htmx requests). The same pages in chromium: tests/e2e/test_usage_browser.py.

Usage from earlier days is queued to the gateway's own usage writer, like a request that ran
then, so the range picker has something to tell apart.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re

import pytest
import requests

from omniroute.clock import utcnow
from tests.dashboard_user import browser_session, csrf_from
from tests.fake_upstream import Behavior
from tests.gateway_harness import start_gateway
from tests.integration.test_costs_budgets import (
    CHAT,
    admin_call,
    bearer,
    connect,
    create_key,
    send,
    usage_rows,
)

HX = {"HX-Request": "true"}


# -- helpers ---------------------------------------------------------------------------------


def past_usage(gateway, hours_ago: float, count: int = 1, **fields) -> None:
    """Queue usage rows to the gateway's writer as if requests had run `hours_ago`."""
    moment = utcnow() - dt.timedelta(hours=hours_ago)
    for _ in range(count):
        row = {
            "created_at": moment, "endpoint": "chat.completions", "format_in": "openai",
            "format_out": "openai", "api_key_id": None, "provider": "openai",
            "connection_id": None, "requested_model": "openai/gpt-4o", "model": "gpt-4o",
            "status": 200, "stream": False, "prompt_tokens": 1000, "completion_tokens": 100,
            "cache_read_tokens": 0, "cache_write_tokens": 0, "reasoning_tokens": 0,
            "attempts": 1, "attempt_chain": None, "estimated": False, "cost_usd": 0.0035,
            "list_cost_usd": 0.0035, "latency_ms": 500.0, "ttft_ms": None, "error": None,
            **fields,
        }  # fmt: skip
        gateway.services.usage.submit(row)
    gateway.flush_usage()


def text_of(page_html: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page_html)))


def stat(page_html: str, name: str) -> str:
    return re.search(rf'data-stat="{name}">([^<]*)<', page_html).group(1)


def field_error(page_html: str, name: str) -> str:
    found = re.search(rf'data-error="{name}">([^<]*)<', page_html)
    return html.unescape(found.group(1)) if found else ""


def logged_in(gateway, path: str = "/usage") -> tuple[requests.Session, str]:
    session = browser_session(gateway)
    return session, csrf_from(session.get(gateway.url + path).text)


@pytest.fixture
def traffic(gateway, upstream):
    """Two accounts (the first answers 429, so requests fall back to the second), a
    subscription, two keys, and nine requests: five fall back, two stream without usage (so
    they are estimated), one is a subscription's, one an error."""
    connect(gateway, upstream.url)  # "openai test": its key gets 429s
    body = {"provider": "openai", "name": "backup", "apiKey": "sk-backup", "baseUrl": upstream.url,
            "priority": 2}  # fmt: skip
    assert admin_call(gateway, "POST", "/api/providers", json=body).status_code == 201
    body = {"provider": "claude-code", "name": "max", "apiKey": "sk-max", "baseUrl": upstream.url}
    assert admin_call(gateway, "POST", "/api/providers", json=body).status_code == 201
    price = {"provider": "claude-code", "model": "claude-opus-4-6", "input": 15, "output": 75}
    assert admin_call(gateway, "PATCH", "/api/pricing", json=price).status_code == 200
    upstream.add(Behavior(status=429, headers={"Retry-After": "1"}), api_key="sk-test-key-0001")
    upstream.add(Behavior(status=404, error_message="no such model"), model="gpt-4.1")
    upstream.add(Behavior(usage_in_stream=False, chunks=["no", " usage"]), model="gpt-4o")
    upstream.add(Behavior(usage=(1000, 200), cached_tokens=100, reasoning_tokens=20))
    keys = {"alpha": create_key(gateway, "alpha"), "beta": create_key(gateway, "beta")}
    for _ in range(5):
        send(gateway, "openai", "openai/gpt-4o-mini", headers=bearer(keys["alpha"]))
    for _ in range(2):
        send(gateway, "openai", "openai/gpt-4o", stream=True, headers=bearer(keys["beta"]))
    send(gateway, "anthropic", "cc/claude-opus-4-6")
    send(gateway, "openai", "openai/gpt-4.1", headers=bearer(keys["beta"]))
    gateway.flush_usage()
    gateway.test_keys = keys
    return gateway


# -- JSON: summary and request log ---------------------------------------------------------------


def test_summary_totals_breakdowns_and_ranges(traffic):
    past_usage(traffic, hours_ago=72, count=3)
    summary = admin_call(traffic, "GET", "/api/usage/summary").json()
    rows = usage_rows(traffic)
    recent = [r for r in rows if r["createdAt"] > summary["from"]]
    assert summary["bucket"] == "hour" and len(summary["series"]) == 24
    totals = summary["totals"]
    assert totals["requests"] == len(recent) == 9 and totals["errors"] == 1
    assert totals["promptTokens"] == sum(r["promptTokens"] for r in recent)
    assert totals["completionTokens"] == sum(r["completionTokens"] for r in recent)
    assert totals["cacheReadTokens"] == 6 * 100
    assert totals["reasoningTokens"] == 5 * 20  # Anthropic's API reports none
    assert totals["costUsd"] == pytest.approx(sum(r["costUsd"] for r in recent), abs=1e-9)
    saved = sum(r["listCostUsd"] - r["costUsd"] for r in recent)
    assert totals["savedUsd"] == pytest.approx(saved, abs=1e-9) and saved > 0
    assert sum(b["requests"] for b in summary["series"]) == 9
    by_provider = {g["provider"]: g["requests"] for g in summary["groups"]}
    assert by_provider == {"openai": 8, "claude-code": 1}
    keys = traffic.test_keys
    by_key = admin_call(traffic, "GET", "/api/usage/summary?groupBy=key").json()["groups"]
    assert {(g["keyId"], g["keyName"]): g["requests"] for g in by_key} == {
        (keys["alpha"]["id"], "alpha"): 5,
        (keys["beta"]["id"], "beta"): 3,
        (0, None): 1,
    }
    by_model = admin_call(traffic, "GET", "/api/usage/summary?groupBy=model").json()["groups"]
    assert ("claude-code", "claude-opus-4-6") in {(g["provider"], g["model"]) for g in by_model}
    week_start = (utcnow() - dt.timedelta(days=6)).date().isoformat()
    week = admin_call(traffic, "GET", f"/api/usage/summary?from={week_start}&bucket=day").json()
    assert week["bucket"] == "day" and len(week["series"]) == 7
    assert week["totals"]["requests"] == 12
    assert [b["requests"] for b in week["series"] if b["requests"]] in ([3, 9], [12])


@pytest.mark.parametrize(
    "query, field",
    [
        ("groupBy=country", "groupBy"),
        ("bucket=week", "bucket"),
        ("from=yesterday", "from"),
        ("from=2025-02-01&to=2025-01-01", "from"),
        ("from=2020-01-01&to=2020-06-01&bucket=hour", "bucket"),
    ],
)
def test_summary_names_a_bad_parameter(gateway, query, field):
    response = admin_call(gateway, "GET", f"/api/usage/summary?{query}")
    assert response.status_code == 400 and response.json()["error"]["param"] == field


def test_request_log_filters_and_keyset_pages(traffic):
    keys = traffic.test_keys
    every = usage_rows(traffic)
    assert len(every) == 9 and [r["id"] for r in every] == sorted(
        (r["id"] for r in every), reverse=True
    )
    seen, before = [], None
    while True:
        params = {"limit": 4, **({"before": before} if before else {})}
        page = admin_call(traffic, "GET", "/api/usage/requests", params=params).json()
        seen += [r["id"] for r in page["data"]]
        before = page["nextBefore"]
        if before is None:
            break
        assert before == page["data"][-1]["id"]
    assert seen == [r["id"] for r in every]  # every row once, newest first
    assert {r["id"] for r in usage_rows(traffic, keyId=keys["alpha"]["id"])} == {
        r["id"] for r in every if r["keyName"] == "alpha"
    }
    assert [r["provider"] for r in usage_rows(traffic, keyId=0)] == ["claude-code"]
    assert len(usage_rows(traffic, provider="claude-code")) == 1
    assert len(usage_rows(traffic, model="gpt-4o")) == 2
    [failed] = usage_rows(traffic, status="error")
    assert failed["status"] == 404 and failed["model"] == "gpt-4.1"
    assert len(usage_rows(traffic, status="ok")) == 8
    assert len(usage_rows(traffic, provider="openai", status="ok", keyId=keys["beta"]["id"])) == 2
    today = utcnow().date()
    assert len(usage_rows(traffic, **{"from": today.isoformat()})) == 9
    assert usage_rows(traffic, to=(today - dt.timedelta(days=1)).isoformat()) == []
    fallback = usage_rows(traffic, keyId=keys["alpha"]["id"])[-1]  # the first: it fell back
    assert [(s["account"], s["status"]) for s in fallback["attemptChain"]] == [
        ("openai test", 429),
        ("backup", 200),
    ]
    estimated = usage_rows(traffic, model="gpt-4o")
    assert all(r["estimated"] and r["stream"] for r in estimated)
    for params, field in (({"status": "maybe"}, "status"), ({"keyId": "x"}, "keyId"),
                          ({"limit": 0}, "limit"), ({"before": "y"}, "before")):  # fmt: skip
        bad = admin_call(traffic, "GET", "/api/usage/requests", params=params)
        assert bad.status_code == 400 and bad.json()["error"]["param"] == field


def test_csv_export_streams_the_filtered_log(traffic):
    keys = traffic.test_keys
    rename = {"name": "=HYPERLINK(1)"}  # a spreadsheet must not run it
    path = f"/api/keys/{keys['alpha']['id']}"
    assert admin_call(traffic, "PATCH", path, json=rename).status_code == 200
    response = admin_call(traffic, "GET", "/api/usage/export.csv", params={"provider": "openai"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "Content-Length" not in response.headers  # streamed, not built whole
    assert response.headers["Content-Disposition"].startswith('attachment; filename="omniroute-')
    table = list(csv.DictReader(io.StringIO(response.text)))
    expected = usage_rows(traffic, provider="openai")
    assert [int(r["id"]) for r in table] == [r["id"] for r in expected] and len(table) == 8
    first = table[-1]  # the oldest: alpha's first request, which fell back
    assert first["api_key_name"] == "'=HYPERLINK(1)"
    assert first["attempt_chain"] == "openai·openai test 429 → openai·backup 200"
    assert (first["prompt_tokens"], first["cache_read_tokens"]) == ("1000", "100")
    assert float(first["cost_usd"]) == pytest.approx(expected[-1]["costUsd"], abs=1e-10)
    assert {r["estimated"] for r in table if r["model"] == "gpt-4o"} == {"1"}
    everything = admin_call(traffic, "GET", "/api/usage/export.csv")
    assert len(list(csv.DictReader(io.StringIO(everything.text)))) == 9
    assert requests.get(traffic.url + "/api/usage/export.csv").status_code == 401


# -- the Usage pages over plain HTTP -------------------------------------------------------------


def test_usage_page_totals_charts_tables_and_range_picker(traffic):
    past_usage(traffic, hours_ago=72, count=3)
    session, _ = logged_in(traffic)
    day = session.get(traffic.url + "/usage").text
    assert stat(day, "requests") == "9"
    assert day.count('data-chart="') == 3 and "<svg" in day and "<rect" in day
    assert re.search(r'data-range="24h"\s+aria-current="true"', day)
    by_key = re.search(r'id="by-key".*?</section>', day, re.S).group(0)
    assert re.findall(r'<th scope="row">([^<]+)</th>', by_key) == ["alpha", "beta", "no key"]
    by_provider = re.search(r'id="by-provider".*?</section>', day, re.S).group(0)
    assert "claude-code" in by_provider
    week = session.get(traffic.url + "/usage?range=7d").text
    assert stat(week, "requests") == "12"
    assert re.search(r'data-range="7d"\s+aria-current="true"', week)
    start = (utcnow() - dt.timedelta(days=4)).date().isoformat()
    end = (utcnow() - dt.timedelta(days=2)).date().isoformat()
    custom = session.get(traffic.url + f"/usage?range=custom&from={start}&to={end}").text
    assert stat(custom, "requests") == "3"
    bad = session.get(traffic.url + f"/usage?range=custom&from={end}&to={start}")
    assert bad.status_code == 400 and field_error(bad.text, "to")
    fragment = session.get(traffic.url + "/usage?range=30d", headers=HX)
    assert fragment.text.lstrip().startswith('<div id="usage-report">')
    assert "<html" not in fragment.text and stat(fragment.text, "requests") == "12"


def test_request_log_page_shows_tokens_costs_markers_and_chain(traffic):
    session, _ = logged_in(traffic, "/usage/requests")
    log = session.get(traffic.url + "/usage/requests").text
    rows = re.findall(r'<tr data-request="(\d+)".*?</tr>', log, re.S)
    assert len(rows) == 9
    fallback = re.search(
        r'<tr data-request="\d+"[^>]*>(?:(?!</tr>).)*test 429(?:(?!</tr>).)*backup 200.*?</tr>',
        log,
        re.S,
    )
    steps = re.findall(r"data-step\s+title=\"[^\"]*\">([^<]+)<", fallback.group(0))
    assert steps == ["openai·openai test 429", "openai·backup 200"]
    assert log.count("data-estimated") == 2
    subscription = re.search(r"<tr[^>]*>(?:(?!</tr>).)*cc/claude-opus-4-6.*?</tr>", log, re.S)
    assert "$0.00" in subscription.group(0) and "data-saved" in subscription.group(0)
    assert "100 · 20" in text_of(log)  # cached · reasoning tokens
    filtered = session.get(traffic.url + "/usage/requests?status=error&provider=openai").text
    assert len(re.findall(r"<tr data-request=", filtered)) == 1
    assert 'value="openai"' in filtered and '<option value="error" selected>' in filtered
    export = re.search(r'href="([^"]+)" download data-export', filtered).group(1)
    assert html.unescape(export) == "/api/usage/export.csv?provider=openai&status=error"
    bad = session.get(traffic.url + "/usage/requests?status=maybe")
    assert bad.status_code == 400 and field_error(bad.text, "status")


def test_request_log_pages_by_older_links(traffic):
    past_usage(traffic, hours_ago=5, count=120)
    session, _ = logged_in(traffic, "/usage/requests")
    seen, url = [], "/usage/requests?provider=openai"
    while url:
        page_html = session.get(traffic.url + url, headers=HX).text
        assert page_html.lstrip().startswith('<div id="request-log">')
        seen += [int(i) for i in re.findall(r'<tr data-request="(\d+)"', page_html)]
        older = re.search(r'<a[^>]*href="([^"]+)"[^>]*data-older', page_html)
        url = html.unescape(older.group(1)) if older else None
        if url:
            assert "provider=openai" in url and "before=" in url
    expected = [r["id"] for r in usage_rows(traffic, provider="openai")]
    assert len(seen) == 128 and seen == expected


# -- the Costs pages over plain HTTP -------------------------------------------------------------


def test_budgets_form_sets_changes_and_removes_a_budget(traffic):
    keys = traffic.test_keys
    session, token = logged_in(traffic, "/costs/budgets")
    form = {"csrf_token": token, "keyId": str(keys["alpha"]["id"]), "limit": "0.001",
            "period": "daily", "warnAt": "50"}  # fmt: skip
    saved = session.post(traffic.url + "/costs/budgets", data=form, allow_redirects=False)
    assert saved.status_code == 302 and "/costs" in saved.headers["Location"]
    [budget] = admin_call(traffic, "GET", "/api/usage/budget").json()["data"]
    assert (budget["limit"], budget["period"], budget["warnPercent"]) == (0.001, "daily", 50)
    page_html = session.get(traffic.url + saved.headers["Location"]).text
    card = re.search(r"<article[^>]*data-budget=.*?</article>", page_html, re.S).group(0)
    assert "alpha" in card and 'role="progressbar"' in card and "Resets" in card
    bad = session.post(traffic.url + "/costs/budgets", data={**form, "limit": "lots"})
    assert bad.status_code == 400 and "limit" in field_error(bad.text, "limit").lower()
    assert 'value="lots"' in bad.text  # what was typed stays
    no_key = session.post(traffic.url + "/costs/budgets", data={**form, "keyId": "999"})
    assert no_key.status_code == 400 and field_error(no_key.text, "keyId")
    changed = session.post(traffic.url + "/costs/budgets", data={**form, "limit": "20"}, headers=HX)
    assert changed.text.lstrip().startswith('<div id="budgets-panel"')
    assert admin_call(traffic, "GET", "/api/usage/budget").json()["data"][0]["limit"] == 20
    delete = f"/costs/budgets/{keys['alpha']['id']}/delete"
    assert session.post(traffic.url + delete, data={}).status_code == 400  # no CSRF token
    gone = session.post(traffic.url + delete, data={"csrf_token": token})
    assert gone.status_code == 200 and 'id="no-budgets"' in gone.text
    assert admin_call(traffic, "GET", "/api/usage/budget").json()["data"] == []


def test_a_budget_past_its_warning_shows_it(traffic):
    keys = traffic.test_keys
    spent = sum(r["costUsd"] for r in usage_rows(traffic, keyId=keys["alpha"]["id"]))
    for limit, state in ((spent * 1.5, "warn"), (spent / 2, "over"), (spent * 10, "ok")):
        body = {"keyId": keys["alpha"]["id"], "limit": limit, "period": "monthly", "warnAt": 60}
        assert admin_call(traffic, "POST", "/api/usage/budget", json=body).status_code == 200
        session, _ = logged_in(traffic, "/costs/budgets")
        card = re.search(
            r"<article[^>]*data-budget=[^>]*>", session.get(traffic.url + "/costs/budgets").text
        )
        assert f'data-state="{state}"' in card.group(0), limit


def test_pricing_rows_edit_reset_and_validate(gateway):
    session, token = logged_in(gateway, "/costs/pricing")
    page_html = session.get(gateway.url + "/costs/pricing").text
    row = re.search(r'<tr data-price="openai/gpt-4o-mini".*?</tr>', page_html, re.S).group(0)
    assert 'data-source="catalog"' in row and '"input">0.15<' in row
    assert "free tier" in re.search(
        r'<tr data-price="iflow/glm-4.7".*?</tr>', page_html, re.S
    ).group(0)
    editing = session.get(gateway.url + "/costs/pricing?edit=openai/gpt-4o-mini").text
    assert re.search(r'<tr class="editing" data-price="openai/gpt-4o-mini">', editing)
    form = {"csrf_token": token, "provider": "openai", "model": "gpt-4o-mini", "input": "2",
            "output": "8", "cachedInput": "", "cacheWrite": ""}  # fmt: skip
    saved = session.post(gateway.url + "/costs/pricing", data=form, allow_redirects=False)
    assert saved.status_code == 302
    listed = admin_call(gateway, "GET", "/api/pricing").json()["data"]
    mini = next(r for r in listed if r["model"] == "gpt-4o-mini")
    assert (mini["source"], mini["input"], mini["output"], mini["cachedInput"]) == (
        "custom", 2, 8, 1)  # fmt: skip
    bad = session.post(gateway.url + "/costs/pricing", data={**form, "input": "-3"})
    assert bad.status_code == 400
    assert re.search(r'<tr class="editing" data-price="openai/gpt-4o-mini">', bad.text)
    assert field_error(bad.text, "input") and 'value="-3"' in bad.text
    row_html = session.post(
        gateway.url + "/costs/pricing", data={**form, "output": "x"}, headers=HX
    )
    assert row_html.text.lstrip().startswith('<tr class="editing"') and field_error(
        row_html.text, "output"
    )
    fragment = session.post(gateway.url + "/costs/pricing", data={**form, "input": "3"}, headers=HX)
    assert fragment.text.lstrip().startswith(
        '<tr data-price="openai/gpt-4o-mini" data-source="custom"'
    )
    reset = {"csrf_token": token, "provider": "openai", "model": "gpt-4o-mini"}
    restored = session.post(gateway.url + "/costs/pricing/reset", data=reset, headers=HX)
    assert 'data-source="catalog"' in restored.text and '"input">0.15<' in restored.text
    added = {**form, "provider": "up-local", "model": "llama3", "input": "0.1", "output": "0.2",
             "adding": "1"}  # fmt: skip
    assert session.post(gateway.url + "/costs/pricing", data=added).status_code == 200
    listed = admin_call(gateway, "GET", "/api/pricing").json()["data"]
    assert ("up-local", "llama3", "custom") in {
        (r["provider"], r["model"], r["source"]) for r in listed
    }


def test_costs_pages_fit_the_page_budget(traffic):
    session, _ = logged_in(traffic)
    for path in ("/usage", "/usage?range=30d", "/usage/requests", "/costs", "/costs/pricing"):
        response = session.get(traffic.url + path)
        assert response.status_code == 200 and len(response.content) < 100 * 1024, path


# -- the API keys page: expiry and allowed models --------------------------------------------------


def test_keys_page_creates_and_changes_expiry_and_allowed_models(connected):
    session, token = logged_in(connected, "/keys")
    form = {"csrf_token": token, "name": "ci", "expires_at": "2999-05-01T12:30",
            "allowed_models": "openai/gpt-4o-mini, team-*\nopenai/gpt-4o"}  # fmt: skip
    created = session.post(connected.url + "/keys", data=form)
    key = re.search(r"<code data-new-key>([^<]+)</code>", created.text).group(1)
    [listed] = admin_call(connected, "GET", "/api/keys").json()["data"]
    assert listed["expiresAt"] == "2999-05-01T12:30:00Z"
    assert listed["allowedModels"] == ["openai/gpt-4o-mini", "team-*", "openai/gpt-4o"]
    row = re.search(r'<tr data-key-id="\d+">.*?</tr>', created.text, re.S).group(0)
    assert re.search(r"May 1, 2999, 12:30:00\sPM", row) and "team-*" in row  # the locale's form
    url = connected.v1 + "/chat/completions"
    headers = {"Authorization": f"Bearer {key}"}
    assert requests.post(url, json=CHAT, headers=headers).status_code == 200
    assert (
        requests.post(url, json={**CHAT, "model": "openai/gpt-4.1"}, headers=headers).status_code
        == 403
    )
    edit = session.get(connected.url + f"/keys/{listed['id']}/edit").text
    assert 'value="2999-05-01T12:30"' in edit and "team-*" in edit
    past = (utcnow() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    change = {"csrf_token": token, "name": "ci-2", "expires_at": past, "allowed_models": ""}
    changed = session.post(
        connected.url + f"/keys/{listed['id']}", data=change, allow_redirects=False
    )
    assert changed.status_code == 302
    expired = requests.post(url, json=CHAT, headers=headers)
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "expired_api_key"
    page_html = session.get(connected.url + "/keys").text
    assert "Expired" in page_html and "all models" in page_html and "ci-2" in page_html
    bad = session.post(
        connected.url + f"/keys/{listed['id']}", data={**change, "expires_at": "soon"}
    )
    assert bad.status_code == 400 and field_error(bad.text, "expiresAt")
    bad_models = session.post(connected.url + "/keys", data={**form, "allowed_models": "a b c$"})
    assert bad_models.status_code == 400 and field_error(bad_models.text, "allowedModels")
    no_name = session.post(connected.url + "/keys", data={**form, "name": " "})
    assert no_name.status_code == 400 and field_error(no_name.text, "name")
    assert admin_call(connected, "DELETE", f"/api/keys/{listed['id']}").status_code == 204
    assert session.get(connected.url + f"/keys/{listed['id']}/edit").status_code == 404


def test_request_log_links_a_requests_kept_bodies(tmp_path, upstream):
    gateway = start_gateway(str(tmp_path / "logs"), ENABLE_REQUEST_LOGS=True)
    try:
        connect(gateway, upstream.url)
        assert requests.post(gateway.v1 + "/chat/completions", json=CHAT).status_code == 200
        gateway.flush_usage()
        session, _ = logged_in(gateway, "/usage/requests")
        log = session.get(gateway.url + "/usage/requests").text
        link = html.unescape(re.search(r'href="([^"]+)" data-bodies', log).group(1))
        kept = session.get(gateway.url + link)
        assert kept.status_code == 200 and "echo: hi" in kept.json()["response"]
    finally:
        gateway.stop()
