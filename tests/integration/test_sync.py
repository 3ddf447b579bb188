"""Sync between instances on loopback: gateway A publishes its configuration bundle, gateway B
(CLOUD_URL = A, the sync token, a short SYNC_INTERVAL_SECONDS) pulls and applies it.

Changes on A reach B within an interval (waited for with a deadline, never a sleep taken as the
proof); B keeps its own credentials; a new account arrives marked "key needed"; with A down or
the token wrong B keeps serving /v1 and its status names the error; the bundle answers 304 to
its ETag and 401 to anyone without the token, the logged-in dashboard included."""

from __future__ import annotations

import json
import os
import time

import pytest
import requests

from omniroute.sync.accounts_section import KEY_NEEDED

TOKEN = "sync-token-for-tests-0123456789"
B_KEY = "sk-b-own-key-7777"
A_KEY = "sk-a-secret-key-1111"
INTERVAL = 0.2
DEADLINE_SECONDS = 15.0
MODEL = "openai/gpt-4o-mini"
HELLO = [{"role": "user", "content": "hello there"}]


def eventually(check, what: str):
    """Poll `check()` until it returns something truthy; fail naming `what` at the deadline."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"not within {DEADLINE_SECONDS} s: {what}")
        time.sleep(0.05)


def combos_of(gateway) -> list[str]:
    response = gateway.admin().get(gateway.url + "/api/combos")
    return [combo["name"] for combo in response.json()["data"]]


def providers_of(gateway) -> dict[str, dict]:
    response = gateway.admin().get(gateway.url + "/api/providers")
    return {f"{c['provider']}:{c['name']}": c for c in response.json()["data"]}


def status_of(gateway) -> dict:
    response = gateway.admin().get(gateway.url + "/api/sync/status")
    assert response.status_code == 200, response.text
    return response.json()


def add_combo(gateway, name: str) -> None:
    body = {"name": name, "models": [MODEL]}
    response = gateway.admin().post(gateway.url + "/api/combos", json=body)
    assert response.status_code == 201, response.text


def chat(gateway, model: str) -> requests.Response:
    body = {"model": model, "messages": HELLO}
    return requests.post(gateway.v1 + "/chat/completions", json=body, timeout=10)


@pytest.fixture
def publisher(start, upstream):
    gateway = start(SYNC_TOKEN=TOKEN)
    gateway.add_connection(upstream.url, name="work", apiKey=A_KEY)
    return gateway


@pytest.fixture
def subscriber(start, publisher, upstream):
    """B pulling from A, with its own key given to A's "work" account once it arrived."""
    gateway = start(CLOUD_URL=publisher.url, SYNC_TOKEN=TOKEN, SYNC_INTERVAL_SECONDS=INTERVAL)
    work = eventually(lambda: providers_of(gateway).get("openai:work"), "A's account on B")
    body = {"apiKey": B_KEY, "isActive": True}
    response = gateway.admin().put(f"{gateway.url}/api/providers/{work['id']}", json=body)
    assert response.status_code == 200, response.text
    return gateway


def test_a_change_on_the_publisher_reaches_the_subscriber(publisher, subscriber, upstream):
    add_combo(publisher, "coding")
    response = publisher.admin().put(
        publisher.url + "/api/settings/blocked-providers", json={"providers": ["groq"]}
    )
    assert response.status_code == 200, response.text
    blocked_url = subscriber.url + "/api/settings/blocked-providers"
    eventually(
        lambda: (
            "coding" in combos_of(subscriber)
            and subscriber.admin().get(blocked_url).json() == {"providers": ["groq"]}
        ),
        "A's combo and blocked provider on B",
    )
    status = status_of(subscriber)
    assert status["enabled"] and status["lastError"] is None and status["appliedVersion"]
    # B serves A's combo with B's own key for the matching account
    answer = chat(subscriber, "coding")
    assert answer.status_code == 200, answer.text
    assert upstream.chat_requests()[-1].headers["authorization"] == f"Bearer {B_KEY}"
    work = providers_of(subscriber)["openai:work"]
    assert work["isActive"] and work["apiKeyHint"] == B_KEY[-4:]
    assert work["lastTest"] is None  # the key given on B cleared the "key needed" mark


def test_a_new_account_arrives_switched_off_and_marked_key_needed(publisher, subscriber, upstream):
    publisher.add_connection(upstream.url, provider="anthropic", name="team", apiKey=A_KEY)
    arrived = eventually(lambda: providers_of(subscriber).get("anthropic:team"), "the account")
    assert arrived["isActive"] is False
    assert arrived["apiKeyHint"] == ""
    assert arrived["lastTest"]["ok"] is False and arrived["lastTest"]["error"] == KEY_NEEDED


def test_the_replaced_configuration_is_kept_as_a_backup(publisher, subscriber):
    add_combo(subscriber, "mine-only")
    add_combo(publisher, "from-a")
    eventually(lambda: "from-a" in combos_of(subscriber), "A's combo on B")
    assert "mine-only" not in combos_of(subscriber)  # last version wins
    folder = os.path.join(subscriber.services.settings["DATA_DIR"], "backups")
    saved = []
    for name in sorted(os.listdir(folder)):
        if name.startswith("config-before-sync-"):
            with open(os.path.join(folder, name), encoding="utf-8") as backup:
                saved.append(json.load(backup))
    assert any("mine-only" in [c["name"] for c in bundle["combos"]] for bundle in saved)
    assert not any(B_KEY in json.dumps(bundle) for bundle in saved)


def test_with_the_publisher_down_the_subscriber_serves_and_shows_the_error(publisher, subscriber):
    publisher.stop()
    answer = subscriber.admin().post(subscriber.url + "/api/sync/now")
    assert answer.status_code == 502, answer.text
    assert "cannot reach CLOUD_URL" in answer.json()["error"]["message"]
    assert "cannot reach CLOUD_URL" in status_of(subscriber)["lastError"]
    assert chat(subscriber, MODEL).status_code == 200


def test_a_wrong_token_is_refused_and_the_subscriber_shows_it(start, publisher):
    wrong = start(
        CLOUD_URL=publisher.url, SYNC_TOKEN="not-the-token-0000000", SYNC_INTERVAL_SECONDS=INTERVAL
    )
    error = eventually(lambda: status_of(wrong)["lastError"], "the refused pull's error")
    assert "401" in error and "SYNC_TOKEN" in error
    assert TOKEN not in json.dumps(status_of(wrong))


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer ", TOKEN]
)
def test_the_bundle_needs_the_sync_token(publisher, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    answer = requests.get(publisher.url + "/api/sync/bundle", headers=headers, timeout=5)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthorized"
    assert "sync token" in answer.json()["error"]["message"]


def test_the_dashboard_session_is_no_substitute_for_the_token(publisher):
    answer = publisher.admin().get(publisher.url + "/api/sync/bundle")
    assert answer.status_code == 401
    assert "sync token" in answer.json()["error"]["message"]


def test_the_bundle_has_an_etag_and_answers_304_while_unchanged(publisher):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    first = requests.get(publisher.url + "/api/sync/bundle", headers=headers, timeout=5)
    assert first.status_code == 200 and first.headers["ETag"]
    assert A_KEY not in first.text and A_KEY[-4:] not in first.text
    same = {**headers, "If-None-Match": first.headers["ETag"]}
    unchanged = requests.get(publisher.url + "/api/sync/bundle", headers=same, timeout=5)
    assert unchanged.status_code == 304 and unchanged.headers["ETag"] == first.headers["ETag"]
    add_combo(publisher, "coding")
    changed = requests.get(publisher.url + "/api/sync/bundle", headers=same, timeout=5)
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert changed.json()["version"] > first.json()["version"]


def test_sync_now_pulls_at_once(start, publisher):
    later = start(CLOUD_URL=publisher.url, SYNC_TOKEN=TOKEN, SYNC_INTERVAL_SECONDS=3600)
    eventually(lambda: status_of(later)["lastSuccessAt"], "the pull at start")
    add_combo(publisher, "right-now")
    answer = later.admin().post(later.url + "/api/sync/now")
    assert answer.status_code == 200, answer.text
    assert answer.json()["outcome"] == "applied"
    assert "right-now" in combos_of(later)
    again = later.admin().post(later.url + "/api/sync/now").json()
    assert again["outcome"] == "unchanged"


def test_sync_now_without_cloud_url_says_so(gateway):
    answer = gateway.admin().post(gateway.url + "/api/sync/now")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "sync_off"
    assert status_of(gateway)["enabled"] is False
