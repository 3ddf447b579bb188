"""Costs, budgets and API-key rules through a real gateway and the fake upstream.

Every figure is checked against arithmetic written here from the providers' price lists (USD per
1M tokens), never against the gateway's own pricing code: the cost of a request in each wire
format (cache reads and writes, reasoning counted as output, $0 for subscription and free tiers
with the list price kept as "saved"), the exact tokens of streams between every pair of formats,
estimates when a stream reports no usage, budgets under 50 concurrent requests, period resets
(the ledger with a fake clock), the pricing and budget APIs, key expiry, allowed models, changes
to keys taking effect at once, REQUIRE_API_KEY, and the hourly rollups agreeing with the rows.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import math
import threading

import pytest
import requests
from peewee import Case, fn

from omniroute.store.models import UsageHourly, UsageRecord
from omniroute.store.usage_rollups import SUMMED
from tests.fake_upstream import Behavior
from tests.fakes import probe
from tests.gateway_harness import start_gateway

M = 1_000_000
CHAT = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
# catalog list prices (USD per 1M tokens) the tests compute with
GPT_4O_MINI = (0.15, 0.60)  # cached input: half the input price
SONNET = (3.00, 15.00)  # cache read 0.1×, cache write 1.25× the input price
GEMINI_FLASH = (0.30, 2.50)  # cached input: a quarter of the input price
GATEWAY_PATHS = {
    "openai": "/v1/chat/completions",
    "anthropic": "/v1/messages",
    "responses": "/v1/responses",
}


# -- helpers -------------------------------------------------------------------------------------


def admin_call(gateway, method: str, path: str, **kwargs) -> requests.Response:
    """One management API call with the test's logged-in session (one login per gateway)."""
    session = gateway.__dict__.get("test_admin")
    if session is None:
        session = gateway.__dict__["test_admin"] = gateway.admin()
    return session.request(method, gateway.url + path, timeout=30, **kwargs)


def connect(gateway, upstream_url: str, provider: str = "openai") -> None:
    body = {"provider": provider, "name": f"{provider} test", "apiKey": "sk-test-key-0001",
            "baseUrl": upstream_url}  # fmt: skip
    response = admin_call(gateway, "POST", "/api/providers", json=body)
    assert response.status_code == 201, response.text


def usage_rows(gateway, **filters) -> list[dict]:
    """The usage rows (newest first) as GET /api/usage/requests lists them, after a flush."""
    gateway.flush_usage()
    response = admin_call(gateway, "GET", "/api/usage/requests", params={"limit": 500, **filters})
    assert response.status_code == 200, response.text
    return response.json()["data"]


def last_row(gateway) -> dict:
    return usage_rows(gateway)[0]


def create_key(gateway, name: str = "laptop", **options) -> dict:
    response = admin_call(gateway, "POST", "/api/keys", json={"name": name, **options})
    assert response.status_code == 201, response.text
    return response.json()


def bearer(key: dict) -> dict:
    return {"Authorization": f"Bearer {key['key']}"}


def send(gateway, client: str, model: str, stream: bool = False, headers=None, text="hello"):
    """One request in the `client` wire format (probe bodies, written from the API docs)."""
    body = probe.body_for(client, [probe.user_turn(client, text)], stream)
    if client == "gemini":
        action = "streamGenerateContent?alt=sse" if stream else "generateContent"
        url = f"{gateway.url}/v1beta/models/{model}:{action}"
    else:
        body["model"] = model
        url = gateway.url + GATEWAY_PATHS[client]
    response = requests.post(url, json=body, stream=stream, headers=headers or {}, timeout=30)
    if stream:
        response.content  # noqa: B018 — read the stream to its end
    return response


def cost(prompt, completion, prices, cached=0, cached_price=None, written=0, write_price=None):
    """USD of one request: fresh input, cache reads, cache writes and output at their prices."""
    input_price, output_price = prices
    fresh = prompt - cached - written
    total = fresh * input_price + completion * output_price
    total += cached * (cached_price if cached_price is not None else 0)
    total += written * (write_price if write_price is not None else 0)
    return total / M


def anthropic_message(usage: dict) -> bytes:
    return json.dumps(
        {
            "id": "msg_cost",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-5",
            "content": [{"type": "text", "text": "cached answer"}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": usage,
        }
    ).encode()


def anthropic_stream(usage: dict, output_tokens: int) -> bytes:
    start = {**usage, "output_tokens": 1}
    events = [
        ("message_start", {"type": "message_start", "message": {
            "id": "msg_s", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
            "content": [], "stop_reason": None, "stop_sequence": None, "usage": start}}),
        ("content_block_start", {"type": "content_block_start", "index": 0,
                                 "content_block": {"type": "text", "text": ""}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                 "delta": {"type": "text_delta", "text": "cached answer"}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn",
                           "stop_sequence": None}, "usage": {"output_tokens": output_tokens}}),
        ("message_stop", {"type": "message_stop"}),
    ]  # fmt: skip
    return "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events).encode()


@pytest.fixture
def priced(gateway, upstream):
    """A gateway with OpenAI, Anthropic, Gemini and OpenAI Codex (a subscription) accounts, all
    on the fake upstream."""
    for provider in ("openai", "anthropic", "gemini", "codex"):
        connect(gateway, upstream.url, provider)
    return gateway


# -- the cost of a request in each format --------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_openai_chat_cost_with_cached_and_reasoning_tokens(priced, upstream, stream):
    upstream.add(
        Behavior(usage=(1000, 200), cached_tokens=400, thinking="let me see", reasoning_tokens=50)
    )
    assert send(priced, "openai", "openai/gpt-4o-mini", stream).status_code == 200
    row = last_row(priced)
    assert (row["promptTokens"], row["completionTokens"]) == (1000, 200)
    assert (row["cacheReadTokens"], row["reasoningTokens"]) == (400, 50)
    expected = cost(1000, 200, GPT_4O_MINI, cached=400, cached_price=0.075)  # reasoning is output
    assert row["costUsd"] == pytest.approx(expected, abs=1e-12)
    assert row["listCostUsd"] == row["costUsd"] and row["estimated"] is False


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("client", ["anthropic", "openai"])
def test_anthropic_cost_with_cache_reads_and_writes(priced, upstream, client, stream):
    usage = {
        "input_tokens": 100,
        "cache_creation_input_tokens": 200,
        "cache_read_input_tokens": 300,
    }
    body = (
        anthropic_stream(usage, 50) if stream else anthropic_message({**usage, "output_tokens": 50})
    )
    upstream.add(Behavior(raw_body=body))
    assert send(priced, client, "anthropic/claude-sonnet-4-5", stream).status_code == 200
    row = last_row(priced)
    assert (row["promptTokens"], row["completionTokens"]) == (600, 50)  # input includes the cache
    assert (row["cacheReadTokens"], row["cacheWriteTokens"]) == (300, 200)
    expected = cost(600, 50, SONNET, cached=300, cached_price=0.3, written=200, write_price=3.75)
    assert expected == pytest.approx(0.00189)
    assert row["costUsd"] == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_gemini_cost_counts_thoughts_as_output(priced, upstream, stream):
    upstream.add(
        Behavior(usage=(1000, 200), cached_tokens=400, thinking="let me see", reasoning_tokens=30)
    )
    assert send(priced, "gemini", "gemini/gemini-2.5-flash", stream).status_code == 200
    row = last_row(priced)
    assert (row["promptTokens"], row["completionTokens"], row["reasoningTokens"]) == (1000, 200, 30)
    expected = cost(1000, 200, GEMINI_FLASH, cached=400, cached_price=0.075)
    assert row["costUsd"] == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_a_subscription_costs_nothing_and_keeps_its_list_cost(priced, upstream, stream):
    """OpenAI Codex is a subscription (Responses API): $0 per request; at the price the user set
    for it, the request's list cost is what the subscription saved."""
    price = {"provider": "codex", "model": "gpt-5.2-codex", "input": 1.25, "output": 10}
    assert admin_call(priced, "PATCH", "/api/pricing", json=price).status_code == 200
    upstream.add(Behavior(usage=(1000, 200), cached_tokens=400))
    assert send(priced, "responses", "cx/gpt-5.2-codex", stream).status_code == 200
    row = last_row(priced)
    assert row["provider"] == "codex" and row["costUsd"] == 0
    listed = cost(1000, 200, (1.25, 10), cached=400, cached_price=0.625)
    assert row["listCostUsd"] == pytest.approx(listed, abs=1e-12) and listed > 0
    totals = admin_call(priced, "GET", "/api/usage/summary").json()["totals"]
    assert totals["savedUsd"] == pytest.approx(listed, abs=1e-9)


def test_a_free_tier_costs_nothing(gateway, upstream):
    connect(gateway, upstream.url, "ollama-local")  # a local model: billed $0, like any free tier
    price = {"provider": "ollama-local", "model": "qwen2.5-coder", "input": 0.6, "output": 2.2}
    assert admin_call(gateway, "PATCH", "/api/pricing", json=price).status_code == 200
    upstream.add(Behavior(usage=(500, 100)))
    assert send(gateway, "openai", "ollama-local/qwen2.5-coder").status_code == 200
    row = last_row(gateway)
    assert row["costUsd"] == 0
    assert row["listCostUsd"] == pytest.approx(cost(500, 100, (0.6, 2.2)), abs=1e-12)


# -- streams: the upstream's exact tokens, in every pair of formats ------------------------------


@pytest.fixture
def nodes(gateway, upstream):
    """One provider node per wire format (`up-<format>/…`), all served by the fake upstream,
    each with a price set for its model."""
    for fmt in probe.FORMATS:
        node = {"name": f"fake {fmt}", "prefix": f"up-{fmt}", "baseUrl": upstream.url,
                "apiType": fmt, "apiKey": f"sk-node-{fmt}"}  # fmt: skip
        assert admin_call(gateway, "POST", "/api/provider-nodes", json=node).status_code == 201
        price = {"provider": f"up-{fmt}", "model": probe.MODEL, "input": 1, "output": 2}
        assert admin_call(gateway, "PATCH", "/api/pricing", json=price).status_code == 200
    return gateway


PAIRS = [
    pytest.param(client, provider, id=f"{client}-to-{provider}")
    for client in probe.FORMATS
    for provider in probe.FORMATS
]


@pytest.mark.parametrize("client, provider", PAIRS)
def test_streams_record_the_upstream_tokens_exactly(nodes, upstream, client, provider):
    upstream.add(Behavior(usage=(1234, 321), cached_tokens=200, chunks=["a", " b", " c"]))
    response = send(nodes, client, f"up-{provider}/{probe.MODEL}", stream=True)
    assert response.status_code == 200, response.text
    row = last_row(nodes)
    assert (row["promptTokens"], row["completionTokens"]) == (1234, 321)
    assert row["cacheReadTokens"] == 200
    assert row["estimated"] is False and row["stream"] is True
    assert (row["formatIn"], row["formatOut"]) == (client, provider)
    # your own node bills nothing; at the price set for it, a cache read costs half the input
    assert row["costUsd"] == 0
    listed = cost(1234, 321, (1, 2), cached=200, cached_price=0.5)
    assert row["listCostUsd"] == pytest.approx(listed, abs=1e-12)


@pytest.mark.parametrize("provider", probe.FORMATS)
def test_streams_without_usage_are_estimated_and_marked(nodes, upstream, provider):
    chunks = ["twelve chars", " and some more"]  # 26 characters of text
    upstream.add(Behavior(usage_in_stream=False, chunks=chunks))
    body = probe.body_for("openai", [probe.user_turn("openai", "count me")], True)
    body["model"] = f"up-{provider}/{probe.MODEL}"
    raw = json.dumps(body).encode()
    response = requests.post(
        nodes.url + "/v1/chat/completions",
        data=raw,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 200
    row = last_row(nodes)
    assert row["estimated"] is True
    assert row["promptTokens"] == math.ceil(len(raw) / 4)
    assert row["completionTokens"] == math.ceil(len("".join(chunks)) / 4)


# -- budgets -------------------------------------------------------------------------------------


@pytest.fixture
def roomy(tmp_path, upstream):
    """A gateway with room for 50 requests at once, connected to the fake upstream."""
    gateway = start_gateway(str(tmp_path / "roomy"), THREADS=128, MAX_IN_FLIGHT=100)
    connect(gateway, upstream.url)
    yield gateway
    gateway.stop()


def test_a_budget_holds_under_50_concurrent_requests(roomy, upstream):
    key = create_key(roomy)
    raw = json.dumps(CHAT).encode()
    each = cost(100, 2000, GPT_4O_MINI)  # what one request really costs
    held = ((len(raw) // 4) * 0.15 + 1024 * 0.60) / M  # what it holds while in flight
    limit = 5 * each
    budget = {"keyId": key["id"], "limit": limit, "period": "daily"}
    assert admin_call(roomy, "POST", "/api/usage/budget", json=budget).status_code == 200
    upstream.add(Behavior(usage=(100, 2000), delay=2.0))  # all 50 are in flight at once
    start = threading.Barrier(50)
    headers = {**bearer(key), "Content-Type": "application/json"}

    def one(_):
        start.wait()
        return requests.post(roomy.v1 + "/chat/completions", data=raw, headers=headers, timeout=60)

    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(one, range(50)))
    statuses = [a.status_code for a in answers]
    admitted = statuses.count(200)
    assert statuses.count(402) == 50 - admitted
    # a request starts only while spent + reserved < limit: no more than ceil(limit / held)
    assert 1 <= admitted <= math.ceil(limit / held) < 50
    refused = next(a for a in answers if a.status_code == 402).json()["error"]
    assert refused["code"] == "budget_exceeded"
    roomy.flush_usage()
    [status] = admin_call(roomy, "GET", "/api/usage/budget").json()["data"]
    spent = admitted * each
    assert status["spent"] == pytest.approx(spent, abs=1e-6) and status["reserved"] == 0
    assert spent <= limit + admitted * each  # the overshoot is what was in flight, no more
    assert status["exceeded"] is True
    keyed = [r for r in usage_rows(roomy, keyId=key["id"]) if r["status"] == 200]
    assert sum(r["costUsd"] for r in keyed) == pytest.approx(status["spent"], abs=1e-6)
    for client in probe.FORMATS:  # later requests: 402 in the caller's own shape
        model = "openai/gpt-4o-mini"
        later = send(roomy, client, model, headers=probe.key_headers(client, key["key"]))
        assert later.status_code == 402, client
        assert later.headers["X-OmniRoute-Budget-Reset"] == status["resetAt"]
        assert 0 < int(later.headers["Retry-After"]) <= 86400
        error = later.json()["error"]
        assert status["resetAt"] in error["message"], client
        if client == "anthropic":
            assert later.json()["type"] == "error"
        elif client == "gemini":
            assert error["code"] == 402
        else:
            assert error["code"] == "budget_exceeded"


def test_budget_api_validates_and_lists(gateway):
    key = create_key(gateway)
    bad = {
        "keyId": ({"keyId": 999, "limit": 5}, "keyId"),
        "period": ({"keyId": key["id"], "limit": 5, "period": "yearly"}, "period"),
        "limit": ({"keyId": key["id"], "limit": -1}, "limit"),
        "limit text": ({"keyId": key["id"], "limit": "5"}, "limit"),
        "warnAt": ({"keyId": key["id"], "limit": 5, "warnAt": 0}, "warnAt"),
        "warnAt float": ({"keyId": key["id"], "limit": 5, "warnAt": 50.5}, "warnAt"),
    }
    for name, (body, field) in bad.items():
        response = admin_call(gateway, "POST", "/api/usage/budget", json=body)
        assert response.status_code == 400, name
        assert response.json()["error"]["param"] == field, name
    not_json = admin_call(gateway, "POST", "/api/usage/budget", data="[1]")
    assert not_json.status_code == 400
    body = {"keyId": key["id"], "limit": 12.5, "period": "weekly", "warnAt": 60}
    saved = admin_call(gateway, "POST", "/api/usage/budget", json=body).json()
    assert (saved["limit"], saved["period"], saved["warnPercent"]) == (12.5, "weekly", 60)
    assert saved["spent"] == 0 and saved["keyName"] == "laptop" and saved["warning"] is False
    reset = dt.datetime.fromisoformat(saved["resetAt"].rstrip("Z"))
    assert reset.weekday() == 0 and reset.time() == dt.time()  # next Monday, 00:00 UTC
    listed = admin_call(gateway, "GET", "/api/usage/budget").json()["data"]
    assert [b["keyId"] for b in listed] == [key["id"]]
    path = f"/api/usage/budget?keyId={key['id']}"
    assert admin_call(gateway, "DELETE", path).status_code == 204
    assert admin_call(gateway, "DELETE", path).status_code == 404
    assert admin_call(gateway, "GET", "/api/usage/budget").json()["data"] == []
    assert requests.get(gateway.url + "/api/usage/budget").status_code == 401


def test_a_changed_budget_applies_at_once(gateway, upstream):
    connect(gateway, upstream.url)
    key = create_key(gateway)
    url = gateway.v1 + "/chat/completions"
    budget = {"keyId": key["id"], "limit": 0, "period": "monthly"}
    assert admin_call(gateway, "POST", "/api/usage/budget", json=budget).status_code == 200
    assert requests.post(url, json=CHAT, headers=bearer(key)).status_code == 402
    budget["limit"] = 10
    assert admin_call(gateway, "POST", "/api/usage/budget", json=budget).status_code == 200
    assert requests.post(url, json=CHAT, headers=bearer(key)).status_code == 200
    assert admin_call(gateway, "DELETE", f"/api/usage/budget?keyId={key['id']}").status_code == 204
    assert requests.post(url, json=CHAT, headers=bearer(key)).status_code == 200


# -- pricing -------------------------------------------------------------------------------------


def test_a_price_change_applies_to_the_next_request_and_reset_restores_it(connected, upstream):
    upstream.add(Behavior(usage=(1000, 100), cached_tokens=200))
    url = connected.v1 + "/chat/completions"
    catalog = cost(1000, 100, GPT_4O_MINI, cached=200, cached_price=0.075)
    assert requests.post(url, json=CHAT).status_code == 200
    assert last_row(connected)["costUsd"] == pytest.approx(catalog, abs=1e-12)
    price = {"provider": "openai", "model": "gpt-4o-mini", "input": 2, "output": 8,
             "cachedInput": 0.5}  # fmt: skip
    patched = admin_call(connected, "PATCH", "/api/pricing", json=price)
    assert patched.status_code == 200
    [row] = patched.json()["data"]
    assert (row["source"], row["input"], row["cachedInput"], row["cacheWrite"]) == (
        "custom", 2, 0.5, 2,  # a cache write defaults to the input price for OpenAI
    )  # fmt: skip
    assert requests.post(url, json=CHAT).status_code == 200
    assert last_row(connected)["costUsd"] == pytest.approx(
        cost(1000, 100, (2, 8), cached=200, cached_price=0.5), abs=1e-12
    )
    path = "/api/pricing?provider=openai&model=gpt-4o-mini"
    assert admin_call(connected, "DELETE", path).status_code == 204
    assert admin_call(connected, "DELETE", path).status_code == 404
    assert requests.post(url, json=CHAT).status_code == 200
    assert last_row(connected)["costUsd"] == pytest.approx(catalog, abs=1e-12)
    listed = admin_call(connected, "GET", "/api/pricing").json()["data"]
    mini = next(r for r in listed if (r["provider"], r["model"]) == ("openai", "gpt-4o-mini"))
    assert (mini["source"], mini["input"], mini["output"]) == ("catalog", 0.15, 0.6)
    assert next(r for r in listed if r["provider"] == "iflow")["free"] is True


def test_pricing_api_names_the_bad_field(gateway):
    cases = [
        ({"model": "m", "input": 1, "output": 1}, "provider"),
        ({"provider": "openai", "input": 1, "output": 1}, "model"),
        ({"provider": "openai", "model": "m", "input": -1, "output": 1}, "input"),
        ({"provider": "openai", "model": "m", "input": 1}, "output"),
        ({"provider": "openai", "model": "m", "input": 1, "output": 1, "cacheWrite": "x"},
         "cacheWrite"),
    ]  # fmt: skip
    for body, field in cases:
        response = admin_call(gateway, "PATCH", "/api/pricing", json=body)
        assert response.status_code == 400 and response.json()["error"]["param"] == field


# -- API keys: expiry, allowed models, changes at once, REQUIRE_API_KEY ----------------------------


def test_an_expired_key_gets_401_in_the_callers_format(connected):
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
    expired = create_key(connected, "old", expiresAt=past)
    future = create_key(connected, "new", expiresAt="2999-01-01T00:00:00Z")
    assert future["expiresAt"] == "2999-01-01T00:00:00Z"
    url = connected.v1 + "/chat/completions"
    refused = requests.post(url, json=CHAT, headers=bearer(expired))
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "expired_api_key"
    anthropic = send(connected, "anthropic", "openai/gpt-4o-mini",
                     headers={"x-api-key": expired["key"]})  # fmt: skip
    assert anthropic.status_code == 401
    assert anthropic.json()["type"] == "error"
    assert anthropic.json()["error"]["type"] == "authentication_error"
    assert requests.post(url, json=CHAT, headers=bearer(future)).status_code == 200
    path = f"/api/keys/{future['id']}"
    assert admin_call(connected, "PATCH", path, json={"expiresAt": past}).status_code == 200
    assert requests.post(url, json=CHAT, headers=bearer(future)).status_code == 401  # at once
    bad = admin_call(connected, "PATCH", path, json={"expiresAt": "next week"})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "expiresAt"


def test_allowed_models_refuse_others_with_403(connected):
    combo = {"name": "cheap", "models": ["openai/gpt-4o-mini"]}
    assert admin_call(connected, "POST", "/api/combos", json=combo).status_code == 201
    key = create_key(connected, allowedModels=["openai/gpt-4o-mini", "cheap", "openai/gpt-4.?"])
    assert key["allowedModels"] == ["openai/gpt-4o-mini", "cheap", "openai/gpt-4.?"]
    url = connected.v1 + "/chat/completions"
    for model in ("openai/gpt-4o-mini", "cheap", "openai/gpt-4.1"):
        ok = requests.post(url, json={**CHAT, "model": model}, headers=bearer(key))
        assert ok.status_code == 200, model
    refused = requests.post(url, json={**CHAT, "model": "openai/gpt-4o"}, headers=bearer(key))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "model_not_allowed"
    assert "openai/gpt-4o" in refused.json()["error"]["message"]
    anthropic = send(connected, "anthropic", "openai/gpt-4o", headers={"x-api-key": key["key"]})
    assert anthropic.status_code == 403
    assert anthropic.json()["type"] == "error"
    assert anthropic.json()["error"]["type"] == "permission_error"
    bad = admin_call(connected, "PATCH", f"/api/keys/{key['id']}", json={"allowedModels": "x"})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "allowedModels"


@pytest.fixture
def locked(tmp_path, upstream):
    """A gateway that requires an API key on /v1."""
    gateway = start_gateway(str(tmp_path / "locked"), REQUIRE_API_KEY=True)
    connect(gateway, upstream.url)
    yield gateway
    gateway.stop()


def test_key_changes_reach_v1_at_once(locked):
    """Keys are checked against an in-memory copy; every change replaces it before the answer."""
    url = locked.v1 + "/chat/completions"
    key = create_key(locked)
    assert requests.post(url, json=CHAT, headers=bearer(key)).status_code == 200  # new: at once
    path = f"/api/keys/{key['id']}"
    limited = admin_call(locked, "PATCH", path, json={"allowedModels": ["openai/gpt-4o"]})
    assert limited.status_code == 200
    assert requests.post(url, json=CHAT, headers=bearer(key)).status_code == 403
    assert admin_call(locked, "PATCH", path, json={"allowedModels": []}).status_code == 200
    assert requests.post(url, json=CHAT, headers=bearer(key)).status_code == 200
    assert admin_call(locked, "DELETE", path).status_code == 204
    revoked = requests.post(url, json=CHAT, headers=bearer(key))
    assert revoked.status_code == 401 and revoked.json()["error"]["code"] == "invalid_api_key"


def test_a_revoked_key_is_not_counted_when_keys_are_optional(connected):
    key = create_key(connected)
    url = connected.v1 + "/chat/completions"
    assert requests.post(url, json=CHAT, headers=bearer(key)).status_code == 200
    assert admin_call(connected, "DELETE", f"/api/keys/{key['id']}").status_code == 204
    assert requests.post(url, json=CHAT, headers=bearer(key)).status_code == 200  # anonymous
    assert len(usage_rows(connected, keyId=key["id"])) == 1
    assert len(usage_rows(connected, keyId=0)) == 1


@pytest.mark.parametrize(
    "hostname, setting, required",
    [
        ("127.0.0.1", None, False),
        ("0.0.0.0", None, True),
        ("127.0.0.1", True, True),
        ("0.0.0.0", False, False),
    ],
    ids=["auto-loopback", "auto-everywhere", "true", "false"],
)
def test_require_api_key_modes(tmp_path, upstream, hostname, setting, required):
    gateway = start_gateway(str(tmp_path / "g"), HOSTNAME=hostname, REQUIRE_API_KEY=setting)
    try:
        connect(gateway, upstream.url)
        key = create_key(gateway)
        url = gateway.v1 + "/chat/completions"
        anonymous = requests.post(url, json=CHAT)
        assert anonymous.status_code == (401 if required else 200)
        if required:
            assert anonymous.json()["error"]["code"] == "missing_api_key"
        assert requests.post(url, json=CHAT, headers=bearer(key)).status_code == 200
        keyed = usage_rows(gateway, keyId=key["id"])
        assert len(keyed) == 1  # a request with a valid key is counted under it, either way
    finally:
        gateway.stop()


# -- the hourly rollups agree with the rows ------------------------------------------------------


def test_rollups_match_the_rows(gateway, upstream):
    connect(gateway, upstream.url)
    connect(gateway, upstream.url, "anthropic")
    first, second = create_key(gateway, "one"), create_key(gateway, "two")
    upstream.add(Behavior(status=500, error_message="down"), model="gpt-4o")
    upstream.add(Behavior(usage=(321, 45), cached_tokens=21, thinking="hm", reasoning_tokens=5))
    calls = [
        ("openai", "openai/gpt-4o-mini", False, first),
        ("openai", "openai/gpt-4o-mini", True, second),
        ("anthropic", "anthropic/claude-haiku-4-5", True, first),
        ("responses", "anthropic/claude-haiku-4-5", False, None),
        ("gemini", "openai/gpt-4o-mini", True, second),
        ("openai", "openai/gpt-4o", False, first),  # an error
        ("openai", "nobody/model", False, None),  # an error without a provider
    ]
    for client, model, stream, key in calls * 3:
        headers = probe.key_headers(client, key["key"]) if key else {}
        send(gateway, client, model, stream, headers=headers)
    gateway.flush_usage()
    columns = ["prompt_tokens", "completion_tokens", "cache_read_tokens", "cache_write_tokens",
               "reasoning_tokens", "cost_usd", "list_cost_usd"]  # fmt: skip
    with gateway.services.database.connection_context():
        rows = (
            UsageRecord.select(
                fn.COUNT(UsageRecord.id),
                fn.SUM(Case(None, [(UsageRecord.status >= 400, 1)], 0)),
                *[fn.SUM(getattr(UsageRecord, c)) for c in columns],
                fn.SUM(UsageRecord.latency_ms),
            )
            .tuples()
            .get()
        )
        rollups = (
            UsageHourly.select(
                fn.SUM(UsageHourly.requests),
                fn.SUM(UsageHourly.errors),
                *[fn.SUM(getattr(UsageHourly, c)) for c in columns],
                fn.SUM(UsageHourly.latency_ms_sum),
            )
            .tuples()
            .get()
        )
        per_key = {
            k: (n, c)
            for k, n, c in UsageRecord.select(
                fn.COALESCE(UsageRecord.api_key_id, 0), fn.COUNT(UsageRecord.id),
                fn.SUM(UsageRecord.cost_usd)
            ).group_by(fn.COALESCE(UsageRecord.api_key_id, 0)).tuples()
        }  # fmt: skip
    assert rows[0] == 21 and rows[1] == 6
    assert rows[:7] == rollups[:7]
    assert rows[7:] == pytest.approx(rollups[7:], abs=1e-9)
    assert set(columns) <= set(SUMMED)
    summary = admin_call(gateway, "GET", "/api/usage/summary?groupBy=key").json()
    assert summary["totals"]["requests"] == 21 and summary["totals"]["errors"] == 6
    assert summary["totals"]["costUsd"] == pytest.approx(rows[7], abs=1e-9)
    assert {g["keyId"]: (g["requests"], pytest.approx(g["costUsd"], abs=1e-9))
            for g in summary["groups"]} == per_key  # fmt: skip
