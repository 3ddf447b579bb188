"""The resilience management API, through a real gateway: GET|PATCH /api/resilience,
POST /api/resilience/reset, GET /api/health and GET /api/telemetry/summary.

Settings: the documented defaults, partial updates that take effect at once (checked by real
traffic opening a breaker) and survive a restart on the same DATA_DIR, and every bad value
refused with a 400 naming the field while nothing is saved. Reset: everything, one provider's
breaker, one account's rests and backoff, a lockout; bad bodies refused. Health and telemetry
after real traffic (a 429, a failing provider, wrong logins, answers of known latency). Every
endpoint needs a login.
"""

from __future__ import annotations

import time

import pytest
import requests

from omniroute.resilience.settings import settings_as_api
from omniroute.store.app_settings import load_resilience_settings
from tests.admin_api import AdminApi, key
from tests.fake_upstream import Behavior
from tests.gateway_harness import ADMIN_PASSWORD, start_gateway

MINI = "openai/gpt-4o-mini"
HELLO = [{"role": "user", "content": "hello there"}]
DEFAULTS = {
    "profiles": {
        "subscription": {"failureThreshold": 8, "windowSeconds": 60.0, "cooldownSeconds": 60.0},
        "api-key": {"failureThreshold": 12, "windowSeconds": 30.0, "cooldownSeconds": 30.0},
        "local": {"failureThreshold": 2, "windowSeconds": 15.0, "cooldownSeconds": 15.0},
    },
    "rateLimits": {
        "requestsPerMinute": 60,
        "minGapMs": 350,
        "maxConcurrent": 6,
        "maxWaitMs": 2000,
        "tiers": ["subscription"],
    },
    "backoff": {"baseSeconds": 5.0, "factor": 2.0, "capSeconds": 300.0},
}


# -- helpers --------------------------------------------------------------------------------------
def chat(gateway, model: str = MINI) -> requests.Response:
    return requests.post(
        gateway.v1 + "/chat/completions", json={"model": model, "messages": HELLO}, timeout=15
    )


@pytest.fixture
def admin(gateway) -> AdminApi:
    return AdminApi(gateway)


@pytest.fixture(scope="module")
def validation_gateway(tmp_path_factory):
    running = start_gateway(str(tmp_path_factory.mktemp("validation") / "data"))
    yield AdminApi(running)
    running.stop()


@pytest.fixture
def shared_admin(validation_gateway):
    """One gateway for the many validation cases; none may change anything, and if one did
    (a failing test), the defaults are put back so the next case starts clean."""
    yield validation_gateway
    validation_gateway.call("PATCH", "/api/resilience", json=DEFAULTS)


def fail_requests(gateway, count: int) -> None:
    for _ in range(count):
        assert chat(gateway).status_code == 502


# -- GET / PATCH /api/resilience -----------------------------------------------------------------
def test_get_returns_the_documented_defaults(admin):
    assert admin.json("GET", "/api/resilience") == DEFAULTS


def test_patch_changes_only_what_it_names_and_takes_effect_at_once(gateway, admin, upstream):
    admin.accounts(upstream, 1)
    admin.json("PATCH", "/api/settings", json={"comboRetries": 0})
    upstream.add(Behavior(status=500))

    changed = admin.json(
        "PATCH", "/api/resilience", json={"profiles": {"api-key": {"failureThreshold": 2}}}
    )
    expected = {**DEFAULTS, "profiles": {**DEFAULTS["profiles"]}}
    expected["profiles"]["api-key"] = {**DEFAULTS["profiles"]["api-key"], "failureThreshold": 2}
    assert changed == expected
    assert admin.json("GET", "/api/resilience") == expected

    fail_requests(gateway, 1)
    assert admin.breakers()["openai"]["state"] == "closed"
    fail_requests(gateway, 1)
    assert admin.breakers()["openai"]["state"] == "open"  # the new threshold, without a restart
    assert len(upstream.requests) == 2


def test_a_raised_threshold_applies_to_a_breaker_that_already_exists(gateway, admin, upstream):
    admin.accounts(upstream, 1)
    admin.json("PATCH", "/api/settings", json={"comboRetries": 0})
    upstream.add(Behavior(status=500))
    admin.json("PATCH", "/api/resilience", json={"profiles": {"api-key": {"failureThreshold": 2}}})
    fail_requests(gateway, 1)  # the breaker exists, remembering up to 2 failures

    admin.json("PATCH", "/api/resilience", json={"profiles": {"api-key": {"failureThreshold": 4}}})
    fail_requests(gateway, 2)
    assert admin.breakers()["openai"]["state"] == "closed"  # 3 of 4
    fail_requests(gateway, 1)
    breaker = admin.breakers()["openai"]
    assert (breaker["state"], breaker["totalFailures"]) == ("open", 4)


def test_changes_persist_across_a_restart_on_the_same_data_dir(tmp_path):
    data_dir = str(tmp_path / "data")
    changes = {
        "profiles": {"local": {"cooldownSeconds": 45}},
        "rateLimits": {"maxConcurrent": 3, "tiers": ["subscription", "cheap"]},
        "backoff": {"baseSeconds": 2.5, "factor": 3},
    }
    first = start_gateway(data_dir)
    try:
        patched = AdminApi(first).json("PATCH", "/api/resilience", json=changes)
    finally:
        first.stop()
    assert patched["profiles"]["local"]["cooldownSeconds"] == 45
    assert patched["rateLimits"]["tiers"] == ["subscription", "cheap"]
    assert patched["backoff"] == {"baseSeconds": 2.5, "factor": 3.0, "capSeconds": 300.0}

    second = start_gateway(data_dir)
    try:
        assert AdminApi(second).json("GET", "/api/resilience") == patched
        running = second.services.resilience
        assert running.limits_for("cheap").max_concurrent == 3  # in force, not only stored
        assert running.settings.backoff.seconds(2) == 7.5
    finally:
        second.stop()


BAD_VALUES = [
    ([], "body"),
    ("not an object", "body"),
    ({"breakers": {}}, "breakers"),
    ({"profiles": "fast"}, "profiles"),
    ({"profiles": None}, "profiles"),
    ({"profiles": {"gold": {"failureThreshold": 3}}}, "profiles.gold"),
    ({"profiles": {"api-key": 3}}, "profiles.api-key"),
    ({"profiles": {"api-key": {"threshold": 3}}}, "profiles.api-key.threshold"),
    ({"profiles": {"api-key": {"failureThreshold": 0}}}, "profiles.api-key.failureThreshold"),
    ({"profiles": {"api-key": {"failureThreshold": 2.5}}}, "profiles.api-key.failureThreshold"),
    ({"profiles": {"api-key": {"failureThreshold": "3"}}}, "profiles.api-key.failureThreshold"),
    ({"profiles": {"local": {"windowSeconds": True}}}, "profiles.local.windowSeconds"),
    ({"profiles": {"local": {"cooldownSeconds": 86401}}}, "profiles.local.cooldownSeconds"),
    ({"rateLimits": "x"}, "rateLimits"),
    ({"rateLimits": 5}, "rateLimits"),
    ({"rateLimits": {"requestsPerMinute": 0}}, "rateLimits.requestsPerMinute"),
    ({"rateLimits": {"maxWaitMs": -1}}, "rateLimits.maxWaitMs"),
    ({"rateLimits": {"maxConcurrent": None}}, "rateLimits.maxConcurrent"),
    ({"rateLimits": {"maxQueue": 3}}, "rateLimits.maxQueue"),
    ({"rateLimits": {"tiers": "subscription"}}, "rateLimits.tiers"),
    ({"rateLimits": {"tiers": ["gold"]}}, "rateLimits.tiers"),
    ({"rateLimits": {"tiers": [["api-key"]]}}, "rateLimits.tiers"),
    ({"backoff": 0}, "backoff"),
    ({"backoff": {"factor": 0.5}}, "backoff.factor"),
    ({"backoff": {"capSeconds": 1e9}}, "backoff.capSeconds"),
]


@pytest.mark.parametrize(
    ("body", "field"), BAD_VALUES, ids=[f"{field}-{i}" for i, (_, field) in enumerate(BAD_VALUES)]
)
def test_a_bad_value_is_a_400_naming_the_field_and_nothing_is_saved(shared_admin, body, field):
    valid = {"backoff": {"baseSeconds": 7}}  # sent along: must not be saved either
    if isinstance(body, dict) and "backoff" not in body:
        body = {**valid, **body}
    response = shared_admin.call("PATCH", "/api/resilience", None, json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == field
    assert error["message"].startswith(f"{field}: ")
    assert shared_admin.json("GET", "/api/resilience") == DEFAULTS
    with shared_admin.gateway.services.database.connection_context():
        assert settings_as_api(load_resilience_settings()) == DEFAULTS


def test_nan_and_infinity_are_refused(shared_admin):
    for raw in (b'{"backoff": {"baseSeconds": NaN}}', b'{"backoff": {"baseSeconds": Infinity}}'):
        response = shared_admin.call(
            "PATCH",
            "/api/resilience",
            None,
            data=raw,
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 400
        assert response.json()["error"]["param"] == "backoff.baseSeconds"
    assert shared_admin.json("GET", "/api/resilience") == DEFAULTS


# -- POST /api/resilience/reset --------------------------------------------------------------------
def open_breakers_and_rest(gateway, admin, upstream) -> list[dict]:
    """acct-1 rests for gpt-4o-mini (429, Retry-After 60), acct-2 after a hint-less 429
    (backoff 5 s), and the breakers of openai and glm are open."""
    accounts = admin.accounts(upstream, 2)
    admin.connect(upstream.url, "glm", name="glm", apiKey="sk-glm")
    admin.json("PATCH", "/api/settings", json={"comboRetries": 0})
    admin.json("PATCH", "/api/resilience", json={"profiles": {"api-key": {"failureThreshold": 2}}})
    upstream.add(Behavior(status=429, headers={"Retry-After": "60"}), api_key=key(1), times=1)
    upstream.add(Behavior(status=429, error_message="slow down"), api_key=key(2), times=1)
    upstream.add(Behavior(status=500), api_key="sk-glm", times=2)
    assert chat(gateway).status_code == 429  # both accounts refuse: openai has 2 failures
    for _ in range(2):
        assert chat(gateway, "glm/glm-4.7").status_code == 502
    breakers = admin.breakers()
    assert (breakers["openai"]["state"], breakers["glm"]["state"]) == ("open", "open")
    assert admin.resting() == {
        ("acct-1", "gpt-4o-mini"): pytest.approx(60, abs=2),
        ("acct-2", "gpt-4o-mini"): pytest.approx(5, abs=1),
    }
    return accounts


def test_reset_with_an_empty_body_forgets_breakers_rests_and_backoff(gateway, admin, upstream):
    open_breakers_and_rest(gateway, admin, upstream)
    assert admin.reset({}).json() == {"reset": True}

    breakers = admin.breakers()
    assert (breakers["openai"]["state"], breakers["glm"]["state"]) == ("closed", "closed")
    assert admin.resting() == {}
    upstream.requests.clear()
    assert chat(gateway).status_code == 200
    assert [r.api_key for r in upstream.requests] == [key(1)]


def test_reset_of_one_provider_closes_only_its_breaker(gateway, admin, upstream):
    open_breakers_and_rest(gateway, admin, upstream)
    admin.reset({"provider": "glm"})

    breakers = admin.breakers()
    assert (breakers["openai"]["state"], breakers["glm"]["state"]) == ("open", "closed")
    assert len(admin.resting()) == 2  # accounts keep resting
    assert chat(gateway, "glm/glm-4.7").status_code == 200


def test_reset_of_one_account_ends_its_rests_and_its_backoff(gateway, admin, upstream):
    first, second = open_breakers_and_rest(gateway, admin, upstream)
    admin.reset({"provider": "openai"})
    admin.reset({"account": second["id"]})

    assert admin.resting() == {("acct-1", "gpt-4o-mini"): pytest.approx(60, abs=2)}
    upstream.add(Behavior(status=429, error_message="slow down"), api_key=key(2), times=1)
    response = chat(gateway)
    assert (response.status_code, response.headers["Retry-After"]) == (429, "5")  # level 1 again
    admin.reset({"account": first["id"]})
    assert ("acct-1", "gpt-4o-mini") not in admin.resting()


def test_reset_of_a_login_lockout_lets_the_address_log_in_again(gateway, admin):
    for _ in range(5):
        wrong = requests.post(
            gateway.url + "/api/auth/login", json={"password": "nope"}, timeout=10
        )
        assert wrong.status_code == 401
    locked = requests.post(
        gateway.url + "/api/auth/login", json={"password": ADMIN_PASSWORD}, timeout=10
    )
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 800
    [lockout] = admin.health()["lockouts"]  # the session made before still works
    assert (lockout["kind"], lockout["identifier"]) == ("login", "127.0.0.1")
    assert lockout["remainingSeconds"] == pytest.approx(900, abs=5)

    admin.reset({"lockout": {"kind": "login", "identifier": "127.0.0.1"}})
    assert admin.health()["lockouts"] == []
    again = requests.post(
        gateway.url + "/api/auth/login", json={"password": ADMIN_PASSWORD}, timeout=10
    )
    assert again.status_code == 200


def test_reset_of_an_api_key_lockout(tmp_path):
    gateway = start_gateway(str(tmp_path / "data"), REQUIRE_API_KEY=True)
    try:
        admin = AdminApi(gateway)
        statuses = [
            requests.post(
                gateway.v1 + "/chat/completions",
                json={"model": MINI, "messages": HELLO},
                headers={"Authorization": "Bearer sk-wrong"},
                timeout=10,
            ).status_code
            for _ in range(11)
        ]
        assert statuses == [401] * 10 + [429]
        assert [(lk["kind"], lk["identifier"]) for lk in admin.health()["lockouts"]] == [
            ("apiKey", "127.0.0.1")
        ]
        admin.reset({"lockout": {"kind": "apiKey", "identifier": "127.0.0.1"}})
        assert admin.health()["lockouts"] == []
        assert chat(gateway).status_code == 401  # a wrong key again, no longer locked out
    finally:
        gateway.stop()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "body"),
        ("all", "body"),
        ({"account": True}, "account"),
        ({"account": 1.5}, "account"),
        ({"account": None}, "account"),
        ({"provider": 3}, "provider"),
        ({"provider": ["openai"]}, "provider"),
        ({"lockout": "127.0.0.1"}, "lockout"),
        ({"lockout": {"kind": "ssh", "identifier": "127.0.0.1"}}, "lockout"),
    ],
)
def test_a_bad_reset_body_is_a_400_naming_the_field(shared_admin, body, field):
    response = shared_admin.reset(body, expect=400)
    error = response.json()["error"]
    assert error["param"] == field


# -- GET /api/health -------------------------------------------------------------------------------
def test_health_shows_every_section_with_real_values_after_traffic(gateway, admin, upstream):
    first, _ = open_breakers_and_rest(gateway, admin, upstream)
    admin.json("PATCH", "/api/resilience", json={"rateLimits": {"tiers": ["cheap"]}})
    admin.reset({"provider": "openai"})
    upstream.add(Behavior(delay=0.05), api_key="sk-glm")
    admin.reset({"provider": "glm"})
    for _ in range(3):
        assert chat(gateway, "glm/glm-4.7").status_code == 200  # glm is "cheap": rate-limited
    for _ in range(5):
        requests.post(gateway.url + "/api/auth/login", json={"password": "nope"}, timeout=10)

    health = admin.health()
    assert set(health) == {
        "system",
        "providers",
        "rateLimits",
        "queues",
        "lockouts",
        "cache",
        "idempotency",
        "affinity",
        "promptCache",
        "latency",
    }
    system = health["system"]
    assert system["status"] == "ok" and system["version"]
    assert system["uptimeSeconds"] > 0 and system["rssMb"] > 10
    assert system["dataDir"] == gateway.services.settings["DATA_DIR"]
    assert system["databaseBytes"] > 0

    breakers = {p["provider"]: p for p in health["providers"]}
    assert breakers["openai"]["state"] == breakers["glm"]["state"] == "closed"
    assert breakers["glm"]["totalFailures"] == 0  # reset forgot it
    resting = {(r["accountName"], r["model"]): r for r in health["rateLimits"]}
    acct1 = resting[("acct-1", "gpt-4o-mini")]
    assert (acct1["account"], acct1["provider"]) == (first["id"], "openai")
    assert 50 < acct1["remainingSeconds"] <= 60 and acct1["reason"]

    [queue] = [q for q in health["queues"] if q["accountName"] == "glm"]
    assert (queue["inFlight"], queue["waiting"], queue["lastMinute"]) == (0, 0, 3)

    [lockout] = health["lockouts"]
    assert (lockout["kind"], lockout["identifier"]) == ("login", "127.0.0.1")
    table = {"entries", "hits", "misses", "hitRate", "bytes"}
    assert set(health["cache"]) == set(health["idempotency"]) == table
    assert set(health["affinity"]) == {"entries", "kept", "moved"}
    assert health["promptCache"]["windowDays"] == 7

    latency = health["latency"]
    assert latency["glm"]["count"] == 5 and latency["glm"]["errors"] == 2
    assert latency["openai"]["count"] == 1 and latency["openai"]["errors"] == 1
    assert latency["glm"]["p99"] >= 50  # the slow answers


# -- GET /api/telemetry/summary -------------------------------------------------------------------
def test_telemetry_summary_has_ordered_percentiles_and_counts(gateway, admin, upstream):
    admin.accounts(upstream, 1)
    delays = [0.0] * 12 + [0.15] * 6 + [0.4] * 2
    for delay in delays:
        upstream.add(Behavior(delay=delay), times=1)
    upstream.add(Behavior(status=400, error_message="bad"), times=1)
    for _ in delays:
        assert chat(gateway).status_code == 200
    assert chat(gateway).status_code == 400
    gateway.flush_usage()

    summary = admin.json("GET", "/api/telemetry/summary?window=60")
    assert summary["windowSeconds"] == 60
    openai = summary["providers"]["openai"]
    assert (openai["count"], openai["errors"]) == (21, 1)
    assert openai["p50"] <= openai["p95"] <= openai["p99"]
    assert openai["p50"] < 150 <= openai["p95"]
    assert openai["p99"] >= 400
    assert admin.json("GET", "/api/telemetry/summary")["windowSeconds"] == 300

    time.sleep(1.2)
    assert chat(gateway).status_code == 200
    recent = admin.json("GET", "/api/telemetry/summary?window=1")["providers"]["openai"]
    assert recent["count"] == 1  # only what finished inside the window


@pytest.mark.parametrize("window", ["abc", "0", "0.5", "3601", "nan", "inf", ""])
def test_a_bad_telemetry_window_is_a_400(shared_admin, window):
    response = shared_admin.call("GET", f"/api/telemetry/summary?window={window}", 400)
    assert response.json()["error"]["param"] == "window"


# -- every endpoint needs a login ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/resilience", None),
        ("PATCH", "/api/resilience", {"backoff": {"baseSeconds": 1}}),
        ("POST", "/api/resilience/reset", {}),
        ("GET", "/api/health", None),
        ("GET", "/api/telemetry/summary", None),
    ],
)
def test_every_endpoint_is_a_401_without_a_login(shared_admin, method, path, body):
    response = requests.request(method, shared_admin.gateway.url + path, json=body, timeout=10)
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"]["message"]
    assert shared_admin.json("GET", "/api/resilience") == DEFAULTS


def test_reset_refuses_unknown_fields_and_bodies_that_are_not_objects(gateway):
    admin = gateway.admin()
    url = gateway.url + "/api/resilience/reset"
    typo = admin.post(url, json={"provder": "openai"})
    assert typo.status_code == 400 and typo.json()["error"]["param"] == "provder"
    garbage = admin.post(url, data="not json", headers={"Content-Type": "application/json"})
    assert garbage.status_code == 400 and garbage.json()["error"]["param"] == "body"
    assert admin.post(url).status_code == 200  # no body at all: reset everything
