"""The Health page (/dashboard/health) and Settings → Resilience.

Plain-HTTP tests (a browser without JavaScript, and htmx requests) against a real gateway whose
breakers, rests and lockouts are driven by real traffic: failing requests through the gateway to
the fake upstream, a 429 with Retry-After, wrong passwords at the login. Outcomes are checked in
the page and through the JSON API (GET /api/health, GET /api/resilience). The same pages in
chromium: tests/e2e/test_health_browser.py.
"""

from __future__ import annotations

import html
import re
import time

import pytest
import requests

from tests.dashboard_user import browser_session, csrf_from
from tests.fake_upstream import Behavior
from tests.gateway_harness import ADMIN_PASSWORD

HX = {"HX-Request": "true"}

CHAT = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
CARD_TITLES = [
    "System status",
    "Provider health",
    "Rate limits",
    "Active lockouts",
    "Signature cache",
    "Latency telemetry",
]


# -- helpers ---------------------------------------------------------------------------------


def api(gateway, method: str, path: str, **kwargs) -> requests.Response:
    with gateway.admin() as admin:
        return admin.request(method, gateway.url + path, **kwargs)


def health(gateway) -> dict:
    response = api(gateway, "GET", "/api/health")
    assert response.status_code == 200, response.text
    return response.json()


def breaker(gateway, provider: str = "openai") -> dict:
    return next(p for p in health(gateway)["providers"] if p["provider"] == provider)


def set_resilience(gateway, changes: dict) -> dict:
    response = api(gateway, "PATCH", "/api/resilience", json=changes)
    assert response.status_code == 200, response.text
    return response.json()


def chat(gateway) -> requests.Response:
    with requests.Session() as client:
        client.trust_env = False
        return client.post(gateway.v1 + "/chat/completions", json=CHAT, timeout=10)


def open_the_breaker(gateway, upstream, cooldown: float = 60) -> None:
    """Two failing calls open the api-key profile's breaker (threshold lowered to 2)."""
    set_resilience(
        gateway, {"profiles": {"api-key": {"failureThreshold": 2, "cooldownSeconds": cooldown}}}
    )
    upstream.add(Behavior(status=500, error_message="upstream on fire"))
    for _ in range(2):
        if breaker(gateway)["state"] == "open":
            break
        assert chat(gateway).status_code >= 500
    assert breaker(gateway)["state"] == "open"


def rest_the_account(gateway, upstream, seconds: int = 120) -> None:
    upstream.add(
        Behavior(status=429, headers={"Retry-After": str(seconds)}, error_message="slow down")
    )
    answer = chat(gateway)
    assert answer.status_code == 429 and answer.headers["Retry-After"] == str(seconds)


def logged_in(gateway, path: str = "/dashboard/health") -> tuple[requests.Session, str]:
    session = browser_session(gateway)
    return session, csrf_from(session.get(gateway.url + path).text)


def text_of(page_html: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page_html)))


def row(page_html: str, attribute: str, value: str) -> str:
    found = re.search(rf'<tr {attribute}="{re.escape(value)}".*?</tr>', page_html, re.S)
    assert found, f"no row {attribute}={value}"
    return found.group(0)


def cell(row_html: str, name: str) -> str:
    found = re.search(rf"<(?:td|span)[^>]*\b{name}\b[^>]*>(.*?)</(?:td|span)>", row_html, re.S)
    assert found, f"no cell {name}"
    return text_of(found.group(1)).strip()


def field_error(page_html: str, field: str) -> str:
    found = re.search(rf'data-error="{re.escape(field)}">([^<]*)<', page_html)
    return html.unescape(found.group(1)) if found else ""


def input_value(page_html: str, name: str) -> str | None:
    found = re.search(rf'name="{re.escape(name)}"[^>]*?value="([^"]*)"', page_html, re.S)
    return html.unescape(found.group(1)) if found else None


# -- the Health page over plain HTTP ---------------------------------------------------------


def test_health_page_has_six_cards_polls_every_10_s_and_works_as_a_fragment(connected):
    session, _ = logged_in(connected)
    page_html = session.get(connected.url + "/dashboard/health").text
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', page_html, re.S).group(1)
    assert re.search(r'href="/dashboard/health" aria-current="page">(?:(?!</a>).)*>Health<', nav)
    assert re.findall(r'<h2 id="health-[\w-]+-title">([^<]+)</h2>', page_html) == CARD_TITLES
    poller = re.search(r'<div id="health-cards"([^>]*)>', page_html).group(1)
    assert 'hx-get="/dashboard/health"' in poller and 'hx-trigger="every 10s"' in poller
    assert "<noscript>" in page_html  # without JavaScript: no refresh, and it says so

    system = health(connected)["system"]
    assert f'data-system="version">{system["version"]}<' in page_html
    assert f"<code>{system['dataDir']}</code>" in page_html
    assert re.search(r'data-system="memory">\d+(\.\d)? MB<', page_html)
    assert re.search(r'data-system="database">\d+(\.\d)? [KM]B<', page_html)
    assert row(page_html, "data-provider", "openai")  # a connected provider, breaker closed
    assert 'data-state="closed"' in row(page_html, "data-provider", "openai")
    cache = text_of(re.search(r'<section[^>]*id="health-cache".*?</section>', page_html, re.S)[0])
    assert "Response cache 0 0 0% 0 B" in cache  # percentages and sizes in the locale's form
    assert "Idempotency 0 0 0% 0 B" in cache
    assert "Session affinity 0 0 0%" in cache
    assert "Prompt tokens 0 Read from cache 0 Written to cache 0 Hit rate 0%" in cache

    fragment = session.get(connected.url + "/dashboard/health", headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert re.findall(r'<h2 id="health-[\w-]+-title">([^<]+)</h2>', fragment.text) == CARD_TITLES
    # the JSON liveness endpoint is untouched
    assert requests.get(connected.url + "/health", timeout=5).status_code == 200


@pytest.mark.parametrize(
    ("query", "seconds"), [("?refresh=2", 2), ("?refresh=0", 10), ("?refresh=x", 10)]
)
def test_refresh_parameter_sets_the_polling_interval(gateway, query, seconds):
    session, _ = logged_in(gateway)
    page_html = session.get(gateway.url + "/dashboard/health" + query).text
    poller = re.search(r'<div id="health-cards"([^>]*)>', page_html).group(1)
    assert f'hx-trigger="every {seconds}s"' in poller
    expected = "/dashboard/health" + (f"?refresh={seconds}" if seconds != 10 else "")
    assert f'hx-get="{expected}"' in poller
    assert f"This page refreshes itself every {seconds} s." in text_of(page_html)


def test_open_breaker_and_latency_show_with_the_real_numbers(connected, upstream):
    open_the_breaker(connected, upstream)
    report = health(connected)
    session, _ = logged_in(connected)
    for response in (
        session.get(connected.url + "/dashboard/health"),
        session.get(connected.url + "/dashboard/health", headers=HX),
    ):
        openai = row(response.text, "data-provider", "openai")
        assert 'data-state="open"' in openai
        assert cell(openai, "data-breaker") == "open"
        assert 'class="tag off"' in openai  # red
        assert cell(openai, "data-total") == str(report["providers"][0]["totalFailures"]) == "2"
        retry = cell(openai, "data-retry")  # cooldown 60 s
        assert re.fullmatch(r"(\d|[1-5]\d) s|1 min 0 s", retry), retry
        assert "Reset the breaker of openai" in openai

        latency = row(response.text, "data-latency", "openai")
        stats = report["latency"]["openai"]
        assert cell(latency, "data-count") == str(stats["count"]) and stats["count"] >= 1
        assert cell(latency, "data-errors") == str(stats["errors"]) and stats["errors"] >= 1
        assert cell(latency, "data-p50") == f"{stats['p50']:.0f} ms"
        assert cell(latency, "data-p99") == f"{stats['p99']:.0f} ms"


def test_a_breaker_whose_cooldown_ended_waits_for_its_probe(connected, upstream):
    open_the_breaker(connected, upstream, cooldown=1)
    time.sleep(1.1)
    session, _ = logged_in(connected)
    openai = row(session.get(connected.url + "/dashboard/health").text, "data-provider", "openai")
    assert cell(openai, "data-retry") == "now: the next request is the probe"
    upstream.reset()  # the provider recovered: the probe succeeds and closes the breaker
    assert chat(connected).status_code == 200
    assert breaker(connected)["state"] == "closed"
    openai = row(session.get(connected.url + "/dashboard/health").text, "data-provider", "openai")
    assert 'data-state="closed"' in openai and cell(openai, "data-retry") == "—"


def test_reset_one_providers_breaker_with_a_plain_form(connected, upstream):
    open_the_breaker(connected, upstream)
    session, token = logged_in(connected)
    response = session.post(
        connected.url + "/dashboard/health/reset/provider",
        data={"csrf_token": token, "provider": "openai"},
        allow_redirects=False,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/health?done=provider&name=openai"
    assert breaker(connected) == {
        "provider": "openai",
        "state": "closed",
        "probing": False,
        "recentFailures": 0,
        "totalFailures": 0,
        "retryInSeconds": 0.0,
        "cooldownSeconds": None,
    }
    landing = session.get(connected.url + response.headers["Location"]).text
    assert "The breaker of openai was reset." in text_of(landing)
    assert 'data-state="closed"' in row(landing, "data-provider", "openai")
    upstream.reset()
    assert chat(connected).status_code == 200  # the provider is used again


def test_resting_account_after_a_429_and_its_reset_under_htmx(connected, upstream):
    rest_the_account(connected, upstream, 120)
    [resting] = health(connected)["rateLimits"]
    assert (resting["account"], resting["model"]) == (1, "gpt-4o-mini")
    session, token = logged_in(connected)
    page_html = session.get(connected.url + "/dashboard/health").text
    account = row(page_html, "data-account", "1")
    assert "openai test" in text_of(account) and "(openai)" in text_of(account)
    assert "<code>gpt-4o-mini</code>" in account
    assert re.fullmatch(r"1 min \d+ s|2 min 0 s", cell(account, "data-remaining"))
    assert cell(account, "data-reason") == "openai: slow down"
    assert "End the rest of openai test" in account

    fragment = session.post(
        connected.url + "/dashboard/health/reset/account",
        data={"csrf_token": token, "account": "1", "name": "openai test"},
        headers=HX,
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "The account openai test may be used again." in text_of(fragment.text)
    assert 'id="no-resting"' in fragment.text
    assert health(connected)["rateLimits"] == []
    upstream.reset()
    assert chat(connected).status_code == 200


def test_rate_limit_queues_show_accounts_of_the_limited_tiers(connected, upstream):
    set_resilience(connected, {"rateLimits": {"tiers": ["api-key"], "minGapMs": 0}})
    for _ in range(3):
        assert chat(connected).status_code == 200
    connected.flush_usage()  # every request has finished, so every slot is free again
    [queue] = health(connected)["queues"]
    assert (queue["account"], queue["lastMinute"], queue["inFlight"]) == (1, 3, 0)
    session, _ = logged_in(connected)
    line = row(session.get(connected.url + "/dashboard/health").text, "data-queue", "1")
    assert "openai test" in line
    assert (cell(line, "data-in-flight"), cell(line, "data-waiting")) == ("0", "0")
    assert cell(line, "data-last-minute") == "3"


def test_reset_all_closes_breakers_and_ends_rests(connected, upstream):
    set_resilience(connected, {"profiles": {"api-key": {"failureThreshold": 1}}})
    rest_the_account(connected, upstream, 300)  # one 429: the account rests, the breaker opens
    report = health(connected)
    assert report["providers"][0]["state"] == "open" and len(report["rateLimits"]) == 1

    session, token = logged_in(connected)
    response = session.post(
        connected.url + "/dashboard/health/reset", data={"csrf_token": token}, allow_redirects=False
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/health?done=all"
    report = health(connected)
    assert report["providers"][0]["state"] == "closed"
    assert report["providers"][0]["totalFailures"] == 0 and report["rateLimits"] == []
    landing = session.get(connected.url + response.headers["Location"]).text
    assert "Every breaker, rest and backoff was reset." in text_of(landing)
    assert 'id="no-resting"' in landing
    upstream.reset()
    assert chat(connected).status_code == 200


def test_login_lockout_shows_and_unlock_lifts_it(gateway):
    session, token = logged_in(gateway)  # logged in before the address is locked out
    with requests.Session() as stranger:
        login_page = stranger.get(gateway.url + "/login").text
        for _ in range(5):
            wrong = stranger.post(
                gateway.url + "/login",
                data={"csrf_token": csrf_from(login_page), "password": "wrong-password"},
            )
        assert wrong.status_code == 401
        locked = stranger.post(
            gateway.url + "/login",
            data={"csrf_token": csrf_from(login_page), "password": ADMIN_PASSWORD},
        )
        assert locked.status_code == 429  # even the right password is refused now

        page_html = session.get(gateway.url + "/dashboard/health").text
        lockout = row(page_html, "data-lockout", "login:127.0.0.1")
        assert "Dashboard login" in lockout and "<code>127.0.0.1</code>" in lockout
        assert re.fullmatch(r"1[45] min \d+ s", cell(lockout, "data-remaining"))
        assert "Unlock 127.0.0.1" in lockout

        unlocked = session.post(
            gateway.url + "/dashboard/health/unlock",
            data={"csrf_token": token, "kind": "login", "identifier": "127.0.0.1"},
            allow_redirects=False,
        )
        assert unlocked.status_code == 302
        landing = session.get(gateway.url + unlocked.headers["Location"]).text
        assert "127.0.0.1 was unlocked." in text_of(landing) and 'id="no-lockouts"' in landing
        retry = stranger.post(
            gateway.url + "/login",
            data={"csrf_token": csrf_from(login_page), "password": ADMIN_PASSWORD},
            allow_redirects=False,
        )
        assert retry.status_code == 302  # logged in again
    assert health(gateway)["lockouts"] == []


def test_health_actions_need_the_csrf_token_and_valid_fields(connected, upstream):
    open_the_breaker(connected, upstream)
    session, token = logged_in(connected)
    for path, data in (
        ("/dashboard/health/reset", {}),
        ("/dashboard/health/reset/provider", {"provider": "openai"}),
    ):
        assert session.post(connected.url + path, data=data).status_code == 400
    assert breaker(connected)["state"] == "open"  # nothing was reset

    bad = session.post(
        connected.url + "/dashboard/health/unlock",
        data={"csrf_token": token, "kind": "everything", "identifier": "127.0.0.1"},
    )
    assert bad.status_code == 400 and "<html" in bad.text
    assert "Choose a lockout to lift." in text_of(bad.text)
    assert breaker(connected)["state"] == "open"


def test_health_page_speaks_indonesian(connected, upstream):
    open_the_breaker(connected, upstream)
    session, _ = logged_in(connected)
    session.headers["Accept-Language"] = "id"
    page_text = text_of(session.get(connected.url + "/dashboard/health").text)
    for phrase in ("Kesehatan", "Status Sistem", "Kesehatan Penyedia", "Penguncian Aktif"):
        assert phrase in page_text, phrase
    assert "Provider health" not in page_text


# -- Settings → Resilience over plain HTTP ---------------------------------------------------


def resilience(gateway) -> dict:
    return api(gateway, "GET", "/api/resilience").json()


def profiles_form(token: str, **overrides) -> dict:
    form = {"csrf_token": token}
    defaults = {"subscription": (8, 60, 60), "api-key": (12, 30, 30), "local": (2, 15, 15)}
    for name, (threshold, window, cooldown) in defaults.items():
        form[f"profiles.{name}.failureThreshold"] = str(threshold)
        form[f"profiles.{name}.windowSeconds"] = str(window)
        form[f"profiles.{name}.cooldownSeconds"] = str(cooldown)
    return {**form, **overrides}


def test_resilience_tab_sits_between_routing_and_ai_and_is_read_only(gateway):
    session, _ = logged_in(gateway, "/settings/resilience")
    page_html = session.get(gateway.url + "/settings/resilience").text
    tabs = re.search(r'<nav class="tabs".*?</nav>', page_html, re.S).group(0)
    assert re.findall(r">(\w+)</a>", tabs) == [
        "Security",
        "Routing",
        "Resilience",
        "AI",
        "Advanced",
    ]
    assert re.search(r'href="/settings/resilience" aria-current="page">Resilience<', tabs)
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', page_html, re.S).group(1)
    assert re.search(
        r'href="/settings/routing"\s+aria-current="page">(?:(?!</a>).)*>Settings<', nav
    )

    assert "<input" not in re.sub(r'<input type="hidden"[^>]*>', "", page_html.split("<main")[1])
    api_key = row(page_html, "data-profile", "api-key")
    assert "API key, Cheap, Free" in text_of(api_key)
    assert re.search(r'data-field="failureThreshold">12<', api_key)
    assert re.search(r'data-field="cooldownSeconds">30 s<', api_key)
    assert re.search(r'data-field="tiers">Subscription<', page_html)
    assert re.search(r'data-field="requestsPerMinute">60<', page_html)
    assert "With these values: 5 s, 10 s, 20 s, 40 s, 1 min 20 s, 2 min 40 s …" in text_of(
        page_html
    )
    page_text = text_of(page_html)
    assert "Timeouts, connection errors, 5xx answers and 429 count as failures" in page_text
    assert "such as a 400" in page_text
    assert "By default they apply to subscription accounts only" in page_text
    for slug in ("profiles", "rate-limits", "backoff"):
        assert f'href="/settings/resilience?edit={slug}#resilience-{slug}"' in page_html
        assert f'hx-get="/settings/resilience/{slug}?edit=1"' in page_html


def test_edit_and_save_profiles_without_javascript(gateway):
    session, token = logged_in(gateway, "/settings/resilience")
    form_page = session.get(gateway.url + "/settings/resilience?edit=profiles").text
    assert input_value(form_page, "profiles.api-key.failureThreshold") == "12"
    assert input_value(form_page, "profiles.local.cooldownSeconds") == "15"
    assert 'href="/settings/resilience#resilience-profiles"' in form_page  # Cancel
    assert input_value(form_page, "rateLimits.requestsPerMinute") is None  # one section only

    saved = session.post(
        gateway.url + "/settings/resilience/profiles",
        data=profiles_form(
            token,
            **{"profiles.api-key.failureThreshold": "3", "profiles.api-key.cooldownSeconds": "7.5"},
        ),
        allow_redirects=False,
    )
    assert saved.status_code == 302
    assert saved.headers["Location"] == "/settings/resilience?saved=profiles"
    assert resilience(gateway)["profiles"]["api-key"] == {
        "failureThreshold": 3,
        "windowSeconds": 30.0,
        "cooldownSeconds": 7.5,
    }
    landing = session.get(gateway.url + saved.headers["Location"]).text
    assert "Breaker profiles saved." in text_of(landing)
    api_key = row(landing, "data-profile", "api-key")
    assert re.search(r'data-field="failureThreshold">3<', api_key)
    assert re.search(r'data-field="cooldownSeconds">7.5 s<', api_key)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("profiles.api-key.failureThreshold", "0", "enter a whole number from 1 to 1000"),
        ("profiles.api-key.failureThreshold", "2.5", "enter a whole number from 1 to 1000"),
        ("profiles.local.windowSeconds", "many", "enter a number from 1 to 86400"),
        ("profiles.subscription.cooldownSeconds", "", "enter a number from 1 to 86400"),
    ],
)
def test_bad_profile_values_show_next_to_the_field_and_save_nothing(gateway, field, value, message):
    before = resilience(gateway)
    session, token = logged_in(gateway, "/settings/resilience")
    typed = {"profiles.api-key.windowSeconds": "44", field: value}
    response = session.post(
        gateway.url + "/settings/resilience/profiles", data=profiles_form(token, **typed)
    )
    assert response.status_code == 400 and "<html" in response.text
    assert field_error(response.text, field) == message
    assert "Nothing was saved: correct the marked fields." in text_of(response.text)
    assert input_value(response.text, field) == value  # the input is kept …
    assert input_value(response.text, "profiles.api-key.windowSeconds") == "44"  # … all of it
    assert re.search(rf'name="{re.escape(field)}"[^>]*aria-invalid="true"', response.text, re.S)
    assert resilience(gateway) == before


def test_rate_limits_and_their_tiers_with_htmx_edit_save_and_cancel(gateway):
    session, token = logged_in(gateway, "/settings/resilience")
    editor = session.get(gateway.url + "/settings/resilience/rate-limits?edit=1", headers=HX).text
    assert editor.lstrip().startswith('<section class="card" id="resilience-rate-limits"')
    checkboxes = re.findall(r'name="rateLimits.tiers" value="([\w-]+)"( checked)?', editor)
    assert checkboxes == [
        ("subscription", " checked"),
        ("api-key", ""),
        ("cheap", ""),
        ("free", ""),
        ("local", ""),
    ]
    cancel = session.get(gateway.url + "/settings/resilience/rate-limits", headers=HX).text
    assert "<form" not in cancel and 'data-field="requestsPerMinute">60<' in cancel

    form = {
        "csrf_token": token,
        "rateLimits.requestsPerMinute": "30",
        "rateLimits.minGapMs": "100",
        "rateLimits.maxConcurrent": "2",
        "rateLimits.maxWaitMs": "500",
        "rateLimits.tiers": ["subscription", "cheap"],
    }
    bad = session.post(
        gateway.url + "/settings/resilience/rate-limits",
        data={**form, "rateLimits.maxWaitMs": "120001"},
        headers=HX,
    )
    assert bad.status_code == 200 and "<html" not in bad.text  # htmx swaps only 2xx
    assert field_error(bad.text, "rateLimits.maxWaitMs") == "enter a whole number from 0 to 120000"
    assert re.search(r'value="cheap" checked', bad.text)  # the ticked boxes are kept too
    assert resilience(gateway)["rateLimits"]["tiers"] == ["subscription"]

    saved = session.post(
        gateway.url + "/settings/resilience/rate-limits", data=form, headers=HX
    ).text
    assert "Rate limits saved." in text_of(saved) and "<form" not in saved
    assert 'data-field="tiers">Subscription, Cheap<' in saved
    assert resilience(gateway)["rateLimits"] == {
        "requestsPerMinute": 30,
        "minGapMs": 100,
        "maxConcurrent": 2,
        "maxWaitMs": 500,
        "tiers": ["subscription", "cheap"],
    }

    off = session.post(
        gateway.url + "/settings/resilience/rate-limits",
        data={k: v for k, v in form.items() if k != "rateLimits.tiers"},
        headers=HX,
    ).text
    assert "no tier: rate limits are off" in text_of(off)
    assert resilience(gateway)["rateLimits"]["tiers"] == []


def test_backoff_section_and_unknown_sections(gateway):
    session, token = logged_in(gateway, "/settings/resilience")
    plain = session.get(gateway.url + "/settings/resilience/backoff?edit=1", allow_redirects=False)
    assert plain.headers["Location"] == "/settings/resilience?edit=backoff"
    form = {
        "csrf_token": token,
        "backoff.baseSeconds": "2",
        "backoff.factor": "3",
        "backoff.capSeconds": "50",
    }
    bad = session.post(
        gateway.url + "/settings/resilience/backoff", data={**form, "backoff.factor": "0.5"}
    )
    assert bad.status_code == 400
    assert field_error(bad.text, "backoff.factor") == "enter a number from 1 to 10"
    assert resilience(gateway)["backoff"]["factor"] == 2.0

    saved = session.post(gateway.url + "/settings/resilience/backoff", data=form)
    assert saved.status_code == 200  # redirected to the page
    assert "With these values: 2 s, 6 s, 18 s, 50 s …" in text_of(saved.text)
    assert resilience(gateway)["backoff"] == {"baseSeconds": 2.0, "factor": 3.0, "capSeconds": 50.0}

    assert session.get(gateway.url + "/settings/resilience/nothing").status_code == 404
    assert (
        session.post(
            gateway.url + "/settings/resilience/backoff", data={**form, "csrf_token": ""}
        ).status_code
        == 400
    )


def test_resilience_tab_speaks_indonesian(gateway):
    session, token = logged_in(gateway, "/settings/resilience")
    session.headers["Accept-Language"] = "id"
    page_text = text_of(session.get(gateway.url + "/settings/resilience").text)
    for phrase in ("Ketahanan", "Perutean", "Keamanan"):
        assert phrase in page_text, phrase
    bad = session.post(
        gateway.url + "/settings/resilience/profiles",
        data=profiles_form(token, **{"profiles.local.failureThreshold": "0"}),
    )
    assert field_error(bad.text, "profiles.local.failureThreshold") == (
        "masukkan bilangan bulat dari 1 sampai 1000"
    )


def test_the_cache_card_counts_answers_given_again_and_the_providers_prompt_caches(
    connected, upstream
):
    upstream.add(Behavior(usage=(1000, 5), cached_tokens=400))
    body = {**CHAT, "temperature": 0}
    for _ in range(2):  # a miss (the provider answers), then a hit from the response cache
        response = requests.post(connected.v1 + "/chat/completions", json=body, timeout=10)
        assert response.status_code == 200, response.text
    assert response.headers["X-OmniRoute-Cache"] == "HIT"
    connected.services.usage.flush()
    report = health(connected)
    assert (report["cache"]["entries"], report["cache"]["hits"]) == (1, 1)
    assert report["cache"]["hitRate"] == 0.5 and report["cache"]["bytes"] > 0
    total = report["promptCache"]["total"]
    assert (total["promptTokens"], total["cacheReadTokens"], total["hitRate"]) == (1000, 400, 0.4)
    [line] = report["promptCache"]["models"]
    # the hit is a request too, with no tokens: it leaves the rate as the provider made it
    assert (line["provider"], line["model"], line["requests"]) == ("openai", "gpt-4o-mini", 2)

    page_html = api(connected, "GET", "/dashboard/health").text
    cache = text_of(re.search(r'<section[^>]*id="health-cache".*?</section>', page_html, re.S)[0])
    assert re.search(r"Response cache 1 1 50% \d+ B", cache), cache
    assert "Prompt tokens 1,000 Read from cache 400 Written to cache 0 Hit rate 40%" in cache
    settings_html = api(connected, "GET", "/settings/ai").text
    row = re.search(r'<tr data-prompt-model="openai/gpt-4o-mini">.*?</tr>', settings_html, re.S)
    assert row and text_of(row[0]).split() == [
        "openai",
        "gpt-4o-mini",
        "2",
        "1,000",
        "400",
        "0",
        "40%",
    ]
