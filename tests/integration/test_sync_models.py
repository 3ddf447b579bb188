"""Sync models: a provider account's own model list pulled into the gateway, against the fake
upstream's GET …/models.

POST /api/providers/<id>/sync-models (one account) and /api/providers/sync-models (every
active account, all at once), and the "Sync models" button on a provider's page: new ids
appear (source "synced"), ids no longer listed are retired (kept, not offered), hidden models
stay hidden, catalog and user models stay; /v1/models lists the merged result.
"""

from __future__ import annotations

import re
import socket

import requests

from omniroute.providers import PROVIDERS
from tests.dashboard_user import browser_session, csrf_from
from tests.fake_upstream import Behavior
from tests.integration.test_proxies_calls import forwarded_paths, new_proxy, route_provider

HX = {"HX-Request": "true"}
KEY = "sk-test-key-0001"


def _sync(gateway, connection_id: int) -> requests.Response:
    return gateway.admin().post(f"{gateway.url}/api/providers/{connection_id}/sync-models")


def _offered(gateway) -> set[str]:
    return {m["id"] for m in requests.get(gateway.v1 + "/models", timeout=10).json()["data"]}


def _models(answer: dict) -> dict[str, dict]:
    return {model["id"]: model for model in answer["models"]}


def _list_requests(upstream):
    return [r for r in upstream.requests if r.route.action == "models"]


def test_new_ids_appear_as_synced_models_and_v1_models_lists_them(gateway, upstream):
    connection = gateway.add_connection(upstream.url)
    upstream.model_ids = ["gpt-4o", "fresh-model-1", "fresh-model-2"]
    response = _sync(gateway, connection["id"])
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["provider"] == "openai"
    assert answer["added"] == ["fresh-model-1", "fresh-model-2"]  # gpt-4o is in the catalog
    assert (answer["retired"], answer["total"]) == ([], 3)
    models = _models(answer)
    assert models["openai/fresh-model-1"]["synced"] is True
    assert models["openai/fresh-model-1"]["retired"] is False
    assert models["openai/gpt-4o"]["synced"] is False  # the catalog row stays a catalog row
    [listing] = _list_requests(upstream)
    assert (listing.method, listing.path) == ("GET", "/v1/models")
    assert listing.headers["authorization"] == f"Bearer {KEY}"
    assert {"openai/fresh-model-1", "openai/fresh-model-2", "openai/gpt-4o"} <= _offered(gateway)

    again = _sync(gateway, connection["id"]).json()
    assert (again["added"], again["retired"]) == ([], [])  # nothing new the second time


def test_ids_no_longer_listed_are_retired_kept_and_not_offered(gateway, upstream):
    connection = gateway.add_connection(upstream.url)
    upstream.model_ids = ["old-model", "kept-model"]
    _sync(gateway, connection["id"])
    upstream.model_ids = ["kept-model"]
    answer = _sync(gateway, connection["id"]).json()
    assert (answer["added"], answer["retired"], answer["total"]) == ([], ["old-model"], 1)
    assert _models(answer)["openai/old-model"]["retired"] is True  # kept, marked
    offered = _offered(gateway)
    assert "openai/old-model" not in offered and "openai/kept-model" in offered
    assert "openai/gpt-4o" in offered  # catalog models are never retired by a sync
    page = browser_session(gateway).get(gateway.url + "/providers/openai").text
    row = re.search(r'<tr data-model="old-model".*?</tr>', page, re.S).group(0)
    assert "<s>openai/old-model</s>" in row and "Retired" in row and "Synced" in row

    upstream.model_ids = ["old-model", "kept-model"]  # listed again: offered again
    back = _sync(gateway, connection["id"]).json()
    assert (back["added"], back["retired"]) == (["old-model"], [])
    assert "openai/old-model" in _offered(gateway)


def test_hidden_models_stay_hidden_and_user_models_stay(gateway, upstream):
    connection = gateway.add_connection(upstream.url)
    admin = gateway.admin()
    api = gateway.url + "/api/provider-models"
    upstream.model_ids = ["listed-model"]
    _sync(gateway, connection["id"])
    for model_id in ("listed-model", "gpt-4o"):  # a synced model and a catalog model
        hidden = admin.patch(api, json={"provider": "openai", "modelId": model_id, "hidden": True})
        assert hidden.status_code == 200, hidden.text
    mine = admin.post(api, json={"provider": "openai", "modelId": "my-own", "modelName": "Mine"})
    assert mine.status_code == 201

    upstream.model_ids = ["listed-model", "gpt-4o"]
    answer = _sync(gateway, connection["id"]).json()
    assert (answer["added"], answer["retired"]) == ([], [])
    models = _models(answer)
    assert models["openai/listed-model"]["hidden"] is True
    assert models["openai/gpt-4o"]["hidden"] is True
    assert models["openai/my-own"] == {**models["openai/my-own"], "synced": False, "retired": False}
    offered = _offered(gateway)
    assert "openai/listed-model" not in offered and "openai/gpt-4o" not in offered
    assert "openai/my-own" in offered  # the user's model is not the provider's to retire


def test_an_upstream_error_is_a_502_naming_the_providers_status(gateway, upstream):
    connection = gateway.add_connection(upstream.url)
    upstream.models_error = Behavior(status=401, error_message="Incorrect API key provided")
    response = _sync(gateway, connection["id"])
    assert response.status_code == 502
    error = response.json()["error"]
    assert (error["code"], error["provider"], error["upstreamStatus"]) == (
        "model_list_failed",
        "openai",
        401,
    )
    assert "401" in error["message"] and "Incorrect API key provided" in error["message"]
    assert _list_requests(upstream)  # it was asked

    upstream.models_error = None
    upstream.model_ids = ["next-model", "has space"]  # an id with a space is left out
    assert _sync(gateway, connection["id"]).json()["added"] == ["next-model"]


def test_an_unreachable_provider_is_a_502_without_a_status(gateway):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens there once closed
    connection = gateway.add_connection(f"http://127.0.0.1:{port}/v1")
    response = _sync(gateway, connection["id"])
    assert response.status_code == 502
    assert response.json()["error"]["upstreamStatus"] is None


def test_what_cannot_be_synced_is_refused(gateway, upstream):
    assert _sync(gateway, 999).status_code == 404
    search = gateway.add_connection(upstream.url, provider="perplexity")  # publishes no list
    refused = _sync(gateway, search["id"])
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "no_model_list"
    assert not _list_requests(upstream)
    anonymous = requests.post(f"{gateway.url}/api/providers/{search['id']}/sync-models")
    assert anonymous.status_code == 401


def test_sync_all_asks_every_account_at_once(gateway, upstream):
    ids = {
        provider: gateway.add_connection(upstream.url, provider=provider)["id"]
        for provider in ("openai", "deepseek", "groq")
    }
    gateway.add_connection(upstream.url, provider="perplexity")  # no list: not asked
    upstream.model_ids = ["shared-new-model"]
    upstream.models_together = 3  # the fake answers only once all three lists are asked for
    response = gateway.admin().post(gateway.url + "/api/providers/sync-models")
    assert response.status_code == 200, response.text
    data = {entry["provider"]: entry for entry in response.json()["data"]}
    assert set(data) == set(ids)
    for provider, connection_id in ids.items():
        entry = data[provider]
        assert (entry["ok"], entry["connections"], entry["errors"]) == (True, [connection_id], [])
        assert entry["added"] == ["shared-new-model"]
    assert len(_list_requests(upstream)) == 3
    offered = _offered(gateway)
    assert {"openai/shared-new-model", "ds/shared-new-model"} <= offered


def test_a_failing_account_never_retires_what_the_others_list(gateway, upstream):
    good = gateway.add_connection(upstream.url, name="good", apiKey="sk-good-key-0001")
    gateway.add_connection(upstream.url, name="bad", apiKey="sk-bad-key-0002")
    upstream.model_ids = ["first-model"]
    first = gateway.admin().post(gateway.url + "/api/providers/sync-models").json()["data"]
    assert first[0]["added"] == ["first-model"] and first[0]["errors"] == []

    upstream.valid_keys = {"sk-good-key-0001"}  # the second account's key is refused now
    upstream.model_ids = ["second-model"]
    [entry] = gateway.admin().post(gateway.url + "/api/providers/sync-models").json()["data"]
    assert (entry["ok"], entry["added"], entry["retired"]) == (True, ["second-model"], [])
    [error] = entry["errors"]
    assert (error["name"], error["upstreamStatus"]) == ("bad", 401)
    assert {"openai/first-model", "openai/second-model"} <= _offered(gateway)

    alone = _sync(gateway, good["id"]).json()  # the account that answers, on its own: complete
    assert alone["retired"] == ["first-model"]


def test_gemini_and_anthropic_lists_are_read_in_their_own_shapes(gateway, upstream):
    gemini = gateway.add_connection(upstream.url, provider="gemini")
    anthropic = gateway.add_connection(upstream.url, provider="anthropic")
    upstream.model_ids = ["listed-by-both"]
    for connection in (gemini, anthropic):
        answer = _sync(gateway, connection["id"]).json()
        assert answer["added"] == ["listed-by-both"], answer
    google, claude = _list_requests(upstream)
    assert google.headers["x-goog-api-key"] == KEY and google.query["pageSize"] == "1000"
    assert claude.headers["x-api-key"] == KEY and claude.query["limit"] == "1000"
    assert "anthropic-version" in claude.headers
    offered = _offered(gateway)
    for provider in ("gemini", "anthropic"):
        assert f"{PROVIDERS[provider].prefix}/listed-by-both" in offered


def test_the_list_goes_through_the_providers_proxy(request, gateway, upstream):
    connection = gateway.add_connection(upstream.url)
    proxy = new_proxy(request)
    route_provider(gateway, "openai", proxy)
    assert _sync(gateway, connection["id"]).status_code == 200
    assert forwarded_paths(proxy) == [f"{upstream.url}/models"]


# -- the provider page ----------------------------------------------------------------------


def test_sync_models_button_without_javascript_and_with_htmx(gateway, upstream):
    gateway.add_connection(upstream.url)
    session = browser_session(gateway)
    page = session.get(gateway.url + "/providers/openai").text
    form = re.search(r'<form[^>]*action="/providers/openai/models/sync".*?</form>', page, re.S)
    assert form is not None and 'id="sync-models"' in form.group(0)
    assert 'hx-post="/providers/openai/models/sync"' in form.group(0)
    token = csrf_from(page)

    upstream.model_ids = ["page-model"]
    full = session.post(gateway.url + "/providers/openai/models/sync", data={"csrf_token": token})
    assert full.status_code == 200 and "<html" in full.text
    assert re.search(r'id="sync-result"[^>]*>\s*Synced: 1 new, 0 retired, 1 listed', full.text)
    assert 'data-model="page-model"' in full.text

    upstream.model_ids = []
    fragment = session.post(
        gateway.url + "/providers/openai/models/sync", data={"csrf_token": token}, headers=HX
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<div id="models-panel">')
    assert "Synced: 0 new, 1 retired, 0 listed" in fragment.text

    upstream.models_error = Behavior(status=500, error_message="list is down")
    failed = session.post(gateway.url + "/providers/openai/models/sync", data={"csrf_token": token})
    assert failed.status_code == 502
    assert re.search(
        r'role="alert" data-sync-error>[^<]*openai test:[^<]*500[^<]*list is down', failed.text
    )
    refused = session.post(gateway.url + "/providers/openai/models/sync")  # no CSRF token
    assert refused.status_code in (400, 403)


def test_providers_without_a_list_or_an_account_offer_no_button(gateway, upstream):
    session = browser_session(gateway)
    no_account = session.get(gateway.url + "/providers/deepseek").text
    assert 'id="sync-models"' not in no_account and "Add an active account" in no_account
    no_list = session.get(gateway.url + "/providers/perplexity").text
    assert 'id="sync-models"' not in no_list and "publishes no list of models" in no_list
