"""Custom models and the model catalog: /api/provider-models, /api/models/catalog, /v1/models."""

from __future__ import annotations

import pytest
import requests

API = "/api/provider-models"
CUSTOM = {"provider": "openai", "modelId": "gpt-4.5-preview", "modelName": "GPT-4.5 Preview"}


def v1_model_ids(gateway) -> list[str]:
    return [m["id"] for m in requests.get(gateway.v1 + "/models").json()["data"]]


def test_anonymous_callers_get_401_json(gateway):
    for method, path in [
        ("GET", "/api/models/catalog"),
        ("GET", API + "?provider=openai"),
        ("POST", API),
        ("PATCH", API),
        ("DELETE", API + "?provider=openai&model=x"),
    ]:
        response = requests.request(method, gateway.url + path, json=CUSTOM)
        assert response.status_code == 401, (method, path)
        assert response.json()["error"]["code"] == "unauthorized"


def test_add_list_and_delete_exactly_as_the_guide_says(gateway):
    with gateway.admin() as admin:
        created = admin.post(gateway.url + API, json=CUSTOM)
        assert created.status_code == 201, created.text
        assert created.json() | {"createdAt": None} == {
            "id": "openai/gpt-4.5-preview",
            "provider": "openai",
            "modelId": "gpt-4.5-preview",
            "modelName": "GPT-4.5 Preview",
            "hidden": False,
            "custom": True,
            "createdAt": None,
        }
        listing = admin.get(gateway.url + API, params={"provider": "openai"}).json()["data"]
        assert [m["modelId"] for m in listing] == ["gpt-4.5-preview"]
        assert admin.get(gateway.url + API, params={"provider": "groq"}).json() == {"data": []}
        again = admin.post(gateway.url + API, json=CUSTOM)
        assert again.status_code == 409 and again.json()["error"]["param"] == "modelId"
        in_catalog = admin.post(gateway.url + API, json={"provider": "openai", "modelId": "gpt-4o"})
        assert in_catalog.status_code == 409
        url = gateway.url + API + "?provider=openai&model=gpt-4.5-preview"
        assert admin.delete(url).status_code == 204
        assert admin.delete(url).status_code == 404
        assert admin.get(gateway.url + API, params={"provider": "openai"}).json() == {"data": []}


@pytest.mark.parametrize(
    "body, param",
    [
        ({"provider": "nope", "modelId": "x"}, "provider"),
        ({"modelId": "x"}, "provider"),
        ({"provider": "openai", "modelId": ""}, "modelId"),
        ({"provider": "openai", "modelId": "   "}, "modelId"),
        ({"provider": "openai"}, "modelId"),
        ({"provider": "openai", "modelId": "a b"}, "modelId"),
        ({"provider": "openai", "modelId": "x", "modelName": 5}, "modelName"),
    ],
)
def test_add_validation_names_the_field(gateway, body, param):
    with gateway.admin() as admin:
        response = admin.post(gateway.url + API, json=body)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == param


def test_other_validation(gateway):
    with gateway.admin() as admin:
        bad_list = admin.get(gateway.url + API, params={"provider": "nope"})
        assert bad_list.status_code == 400 and bad_list.json()["error"]["param"] == "provider"
        no_model = admin.delete(gateway.url + API + "?provider=openai")
        assert no_model.status_code == 400 and no_model.json()["error"]["param"] == "model"
        not_bool = admin.patch(
            gateway.url + API, json={"provider": "openai", "modelId": "gpt-4o", "hidden": "yes"}
        )
        assert not_bool.status_code == 400 and not_bool.json()["error"]["param"] == "hidden"
        unknown = admin.patch(
            gateway.url + API, json={"provider": "openai", "modelId": "zzz", "hidden": True}
        )
        assert unknown.status_code == 404


def test_catalog_groups_models_by_provider(gateway, upstream):
    gateway.add_connection(upstream.url)
    with gateway.admin() as admin:
        admin.post(gateway.url + API, json=CUSTOM)
        data = admin.get(gateway.url + "/api/models/catalog").json()["data"]
    by_id = {p["provider"]: p for p in data}
    assert {"openai", "claude-code", "glm", "iflow", "deepgram", "ollama-local"} <= set(by_id)
    openai = by_id["openai"]
    assert (openai["prefix"], openai["tier"], openai["format"], openai["connected"]) == (
        "openai",
        "api-key",
        "openai",
        True,
    )
    assert by_id["anthropic"]["connected"] is False
    assert by_id["claude-code"]["prefix"] == "cc" and by_id["claude-code"]["tier"] == "subscription"
    models = {m["id"]: m for m in openai["models"]}
    assert models["openai/gpt-4o-mini"] == {
        "id": "openai/gpt-4o-mini",
        "name": "GPT-4o mini",
        "type": "chat",
        "contextLength": 128000,
        "inputPrice": 0.15,
        "outputPrice": 0.6,
        "custom": False,
        "hidden": False,
        "synced": False,
        "retired": False,
    }
    assert models["openai/text-embedding-3-small"]["type"] == "embedding"
    assert models["openai/gpt-image-1"]["type"] == "image"
    assert models["openai/gpt-4.5-preview"]["custom"] is True
    assert models["openai/gpt-4.5-preview"]["name"] == "GPT-4.5 Preview"
    glm = {m["id"]: m for m in by_id["glm"]["models"]}
    assert glm["glm/glm-4.7"]["inputPrice"] == 0.6
    assert models["openai/text-embedding-3-small"]["outputPrice"] == 0.0  # input-only
    assert by_id["kiro"]["needsSignIn"] is True and openai["needsSignIn"] is False


def test_catalog_shows_the_users_prices(gateway):
    with gateway.admin() as admin:
        admin.post(gateway.url + API, json=CUSTOM)
        for model, price in (("gpt-4o", (1.5, 3.0)), ("gpt-4.5-preview", (70.0, 140.0))):
            body = {"provider": "openai", "model": model, "input": price[0], "output": price[1]}
            assert admin.patch(gateway.url + "/api/pricing", json=body).status_code == 200
        data = admin.get(gateway.url + "/api/models/catalog").json()["data"]
    models = {m["id"]: m for p in data if p["provider"] == "openai" for m in p["models"]}
    assert (models["openai/gpt-4o"]["inputPrice"], models["openai/gpt-4o"]["outputPrice"]) == (
        1.5,
        3.0,
    )
    custom = models["openai/gpt-4.5-preview"]
    assert (custom["inputPrice"], custom["outputPrice"], custom["custom"]) == (70.0, 140.0, True)
    assert models["openai/gpt-4o-mini"]["inputPrice"] == 0.15  # no user price: the catalog's


def test_v1_models_lists_connected_catalog_and_custom_models_minus_hidden(gateway, upstream):
    with gateway.admin() as admin:
        admin.post(gateway.url + API, json=CUSTOM)
        admin.post(gateway.url + API, json={"provider": "groq", "modelId": "not-connected"})
    assert v1_model_ids(gateway) == []  # nothing connected yet
    gateway.add_connection(upstream.url)
    models = {m["id"]: m for m in requests.get(gateway.v1 + "/models").json()["data"]}
    assert "openai/gpt-4o-mini" in models and "openai/gpt-4.5-preview" in models
    assert not any(model_id.startswith("groq/") for model_id in models)
    assert models["openai/gpt-4o-mini"]["owned_by"] == "openai"
    assert models["openai/gpt-4o-mini"]["capabilities"] == {
        "type": "chat",
        "context_length": 128000,
    }
    assert models["openai/text-embedding-3-small"]["capabilities"]["type"] == "embedding"
    assert models["openai/gpt-4.5-preview"]["capabilities"]["type"] == "chat"

    with gateway.admin() as admin:
        for model_id in ("gpt-4o", "gpt-4.5-preview"):
            hidden = admin.patch(
                gateway.url + API, json={"provider": "openai", "modelId": model_id, "hidden": True}
            )
            assert hidden.status_code == 200 and hidden.json()["hidden"] is True
        catalog = admin.get(gateway.url + "/api/models/catalog").json()["data"]
        rows = admin.get(gateway.url + API, params={"provider": "openai"}).json()["data"]
    assert {(r["modelId"], r["custom"], r["hidden"]) for r in rows} == {
        ("gpt-4o", False, True),
        ("gpt-4.5-preview", True, True),
    }
    openai = next(p for p in catalog if p["provider"] == "openai")
    assert {m["id"] for m in openai["models"] if m["hidden"]} == {
        "openai/gpt-4o",
        "openai/gpt-4.5-preview",
    }
    ids = v1_model_ids(gateway)
    assert "openai/gpt-4o" not in ids and "openai/gpt-4.5-preview" not in ids
    assert "openai/gpt-4o-mini" in ids

    with gateway.admin() as admin:
        shown = admin.patch(
            gateway.url + API, json={"provider": "openai", "modelId": "gpt-4o", "hidden": False}
        )
        assert shown.status_code == 200 and shown.json()["hidden"] is False
        # deleting the catalog model's row just forgets the hide/show choice
        assert admin.delete(gateway.url + API + "?provider=openai&model=gpt-4o").status_code == 204
    assert "openai/gpt-4o" in v1_model_ids(gateway)


def test_custom_model_is_routed_like_any_other(gateway, upstream):
    gateway.add_connection(upstream.url)
    with gateway.admin() as admin:
        admin.post(gateway.url + API, json=CUSTOM)
    response = requests.post(
        gateway.v1 + "/chat/completions",
        json={"model": "openai/gpt-4.5-preview", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert response.status_code == 200
    assert upstream.requests_for("openai")[-1].model == "gpt-4.5-preview"


def test_local_providers_need_no_key_but_others_do(gateway, upstream):
    with gateway.admin() as admin:
        local = admin.post(
            gateway.url + "/api/providers",
            json={"provider": "ollama-local", "apiKey": "", "baseUrl": upstream.url},
        )
        assert local.status_code == 201, local.text
        keyless = admin.post(gateway.url + "/api/providers", json={"provider": "openai"})
        assert keyless.status_code == 400 and keyless.json()["error"]["param"] == "apiKey"
    assert "ollama-local/llama3.2" in v1_model_ids(gateway)
    response = requests.post(
        gateway.v1 + "/chat/completions",
        json={"model": "ollama-local/llama3.2", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert response.status_code == 200
    sent = upstream.requests_for("openai")[-1]
    assert sent.model == "llama3.2" and sent.api_key is None


def test_provider_nodes_list_the_custom_models_added_to_them(gateway, upstream):
    """Any model can be added to any provider (the guide): a node has no catalog models, so
    it lists exactly the custom models the user added to it."""
    from omniroute.proxy.provider_scope import usable_model_entries

    def node_models() -> list[str]:
        with gateway.services.database.connection_context():
            entries = usable_model_entries(gateway.services.routes.snapshot())
        return [e["id"] for e in entries]

    with gateway.admin() as admin:
        node = admin.post(
            gateway.url + "/api/provider-nodes",
            json={"name": "Box", "prefix": "box", "baseUrl": upstream.url, "apiType": "openai"},
        )
        assert node.status_code == 201
        assert node_models() == []
        added = admin.post(gateway.url + API, json={"provider": "box", "modelId": "qwen3:32b"})
        assert added.status_code == 201, added.text
    assert node_models() == ["box/qwen3:32b"]
    listed = requests.get(gateway.v1 + "/providers/box/models").json()["data"]
    assert [(m["id"], m["owned_by"]) for m in listed] == [("box/qwen3:32b", "box")]
    response = requests.post(
        gateway.v1 + "/chat/completions",
        json={"model": "box/qwen3:32b", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert response.status_code == 200
    assert upstream.requests_for("openai")[-1].model == "qwen3:32b"
