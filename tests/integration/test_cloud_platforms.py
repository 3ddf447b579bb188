"""Cloud platforms with their own auth, end to end: Azure OpenAI and Azure AI Foundry (`api-key`,
the deployment in the path or the body, `api-version`), Google Vertex AI (a service account's
OAuth2 token from google-auth, project and region in the path) and Cloudflare Workers AI (the
account id in the path, Bearer).

A real gateway calls the strict fakes of tests/fakes/cloud_platforms.py, which refuse a wrong
credential, path or api-version and relay what they accept to the chat fake upstream; the
Vertex fake accepts only live tokens the fake Google token endpoint (tests/fakes/
google_tokens.py) issued after verifying the JWT signed with the service account's key.
"""

from __future__ import annotations

import json
import logging
import time

import openai
import pytest
import requests

from omniroute.providers import vertex
from tests.fakes.cloud_platforms import (
    AzureOpenAI,
    CloudflareWorkersAI,
    VertexAI,
)
from tests.fakes.google_tokens import GoogleTokenFake
from tests.sdk_chat import HELLO
from tests.sdk_chat import openai_chat_text as _chat

AZURE_KEY = "azure-key-0123456789abcdef"
CF_ACCOUNT = "0123456789abcdef0123456789abcdef"
CF_TOKEN = "cf-token-0123456789abcdef"
PROJECT, REGION = "omniroute-test", "europe-west4"


@pytest.fixture(scope="module")
def google():
    fake = GoogleTokenFake().start()
    yield fake
    fake.stop()


def _messages(gateway, model: str) -> dict:
    body = {"model": model, "max_tokens": 64, "messages": HELLO}
    response = requests.post(gateway.v1 + "/messages", json=body, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def _create(gateway, body: dict) -> requests.Response:
    return gateway.admin().post(gateway.url + "/api/providers", json=body)


def test_azure_openai_gets_the_deployment_path_the_api_version_and_the_api_key(
    gateway, upstream, cloud
):
    azure = cloud(AzureOpenAI(AZURE_KEY, frozenset({"prod-gpt4o", "gpt-4o-mini"})))
    options = {"deployments": {"gpt-4o": "prod-gpt4o"}}
    made = gateway.add_connection(azure.base, "azure-openai", apiKey=AZURE_KEY, options=options)
    assert made["options"] == {"api": "deployments", "apiVersion": "2024-10-21", **options}

    assert _chat(gateway, "azure/gpt-4o") == "echo: hello"
    seen = azure.requests[-1]
    assert seen.path == "/openai/deployments/prod-gpt4o/chat/completions"
    assert seen.query == {"api-version": ["2024-10-21"]}
    assert seen.headers["api-key"] == AZURE_KEY and "authorization" not in seen.headers
    assert upstream.chat_requests()[-1].body["model"] == "prod-gpt4o"

    assert _chat(gateway, "azure/gpt-4o-mini", stream=True) == "echo: hello"  # named as the model
    assert azure.requests[-1].path == "/openai/deployments/gpt-4o-mini/chat/completions"
    answer = _messages(gateway, "azure/gpt-4o")  # an Anthropic client, answered via Azure
    assert answer["type"] == "message" and answer["content"][0]["text"] == "echo: hello"


def test_the_azure_fake_refuses_a_wrong_key_version_or_deployment(gateway, upstream, cloud):
    azure = cloud(AzureOpenAI(AZURE_KEY, frozenset({"prod-gpt4o"})))
    path = azure.base + "/openai/deployments/prod-gpt4o/chat/completions"
    body = {"model": "x", "messages": HELLO}
    good = {"api-key": AZURE_KEY}
    assert requests.post(path, json=body, timeout=10).status_code == 401
    assert requests.post(path, json=body, headers=good, timeout=10).status_code == 404
    old = requests.post(path + "?api-version=2023-01-01", json=body, headers=good, timeout=10)
    assert old.status_code == 400
    gateway.add_connection(
        azure.base, "azure-openai", apiKey="azure-wrong-key-0000", options={"deployment": "x"}
    )
    with pytest.raises(openai.APIStatusError):
        _chat(gateway, "azure/gpt-4o")
    assert azure.requests[-1].headers["api-key"] == "azure-wrong-key-0000"
    assert not upstream.chat_requests()


def test_azure_ai_foundry_names_the_deployment_in_the_body(gateway, upstream, cloud):
    foundry = cloud(AzureOpenAI(AZURE_KEY, frozenset({"my-deepseek"})))
    gateway.add_connection(
        foundry.base + "/models",  # pasted with the inference path: the resource's root is kept
        "azure-ai-foundry",
        apiKey=AZURE_KEY,
        options={"deployment": "my-deepseek"},
    )
    assert _chat(gateway, "foundry/DeepSeek-R1") == "echo: hello"
    seen = foundry.requests[-1]
    assert (seen.path, seen.query) == (
        "/models/chat/completions",
        {"api-version": ["2024-05-01-preview"]},
    )
    assert seen.body["model"] == "my-deepseek" and seen.headers["api-key"] == AZURE_KEY


def test_azure_v1_api_has_no_api_version(gateway, upstream, cloud):
    azure = cloud(AzureOpenAI(AZURE_KEY, frozenset({"gpt-4o"})))
    gateway.add_connection(azure.base, "azure-openai", apiKey=AZURE_KEY, options={"api": "v1"})
    assert _chat(gateway, "azure/gpt-4o") == "echo: hello"
    assert (azure.requests[-1].path, azure.requests[-1].query) == (
        "/openai/v1/chat/completions",
        {},
    )


def _vertex_connection(gateway, fake, key: str) -> dict:
    options = {"projectId": PROJECT, "location": REGION}
    return gateway.add_connection(fake.base, "google-vertex", apiKey=key, options=options)


def test_vertex_gets_a_service_account_token_once_and_the_regional_path(
    gateway, upstream, cloud, google
):
    fake = cloud(VertexAI(google, PROJECT, REGION))
    exchanges = google.exchanges
    _vertex_connection(gateway, fake, google.service_account_json())
    assert _chat(gateway, "vertex/google/gemini-2.5-flash") == "echo: hello"
    assert _chat(gateway, "vertex/google/gemini-2.5-flash", stream=True) == "echo: hello"
    answer = _messages(gateway, "vertex/google/gemini-2.5-pro")
    assert answer["content"][0]["text"] == "echo: hello"
    assert google.exchanges == exchanges + 1  # one token, cached for the next calls
    seen = fake.requests[-1]
    assert seen.path == (
        f"/v1/projects/{PROJECT}/locations/{REGION}/endpoints/openapi/chat/completions"
    )
    assert seen.headers["authorization"].startswith("Bearer ya29.")
    assert upstream.chat_requests()[-1].body["model"] == "google/gemini-2.5-pro"


def test_vertex_renews_the_token_after_it_expires(gateway, upstream, cloud, google, monkeypatch):
    fake = cloud(VertexAI(google, PROJECT, REGION))
    _vertex_connection(gateway, fake, google.service_account_json())
    assert _chat(gateway, "vertex/google/gemini-2.5-flash") == "echo: hello"
    first = fake.requests[-1].headers["authorization"]
    exchanges = google.exchanges

    google.expire_all()  # the token has expired at Google; the gateway's clock says so too
    monkeypatch.setattr(vertex.TOKENS, "clock", lambda: time.time() + google.expires_in)
    assert _chat(gateway, "vertex/google/gemini-2.5-flash") == "echo: hello"
    assert google.exchanges == exchanges + 1
    assert fake.requests[-1].headers["authorization"] != first


def test_a_service_account_google_refuses_makes_the_account_unavailable(
    gateway, upstream, cloud, google
):
    fake = cloud(VertexAI(google, PROJECT, REGION))
    _vertex_connection(gateway, fake, google.service_account_json(known=False))
    with pytest.raises(openai.APIStatusError) as error:
        _chat(gateway, "vertex/google/gemini-2.5-flash")
    assert error.value.status_code == 503
    assert "token was refused" in error.value.message
    assert not fake.requests  # nothing reached Vertex without a token


def test_cloudflare_gets_the_account_path_and_the_bearer_token(gateway, upstream, cloud):
    fake = cloud(CloudflareWorkersAI(CF_ACCOUNT, CF_TOKEN))
    gateway.add_connection(
        fake.base + "/client/v4",
        "cloudflare-workers-ai",
        apiKey=CF_TOKEN,
        options={"accountId": CF_ACCOUNT},
    )
    assert _chat(gateway, "cf/@cf/meta/llama-3.1-8b-instruct") == "echo: hello"
    seen = fake.requests[-1]
    assert seen.path == f"/client/v4/accounts/{CF_ACCOUNT}/ai/v1/chat/completions"
    assert seen.headers["authorization"] == f"Bearer {CF_TOKEN}"
    assert upstream.chat_requests()[-1].body["model"] == "@cf/meta/llama-3.1-8b-instruct"
    answer = _messages(gateway, "cf/@cf/openai/gpt-oss-120b")
    assert answer["content"][0]["text"] == "echo: hello"
    wrong = requests.post(
        fake.base + f"/client/v4/accounts/{'f' * 32}/ai/v1/chat/completions",
        json={"model": "m", "messages": HELLO},
        headers={"Authorization": f"Bearer {CF_TOKEN}"},
        timeout=10,
    )
    assert wrong.status_code == 404  # the fake checks the account id


SERVICE_ACCOUNT_FIELDS = {"type": "service_account", "client_email": "a@b.iam.gserviceaccount.com"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"provider": "azure-openai", "apiKey": AZURE_KEY}, "baseUrl"),
        (
            {"provider": "azure-openai", "apiKey": AZURE_KEY, "baseUrl": "https://r.openai.azure.com",
             "options": {"apiVersion": "latest"}},
            "options.apiVersion",
        ),
        (
            {"provider": "azure-openai", "apiKey": AZURE_KEY, "baseUrl": "https://r.openai.azure.com",
             "options": {"region": "westeurope"}},
            "options.region",
        ),
        (
            {"provider": "azure-openai", "apiKey": AZURE_KEY, "baseUrl": "https://r.openai.azure.com",
             "options": {"deployments": {"gpt-4o": "no spaces allowed"}}},
            "options.deployments.gpt-4o",
        ),
        (
            {"provider": "google-vertex", "apiKey": "not json",
             "options": {"projectId": PROJECT}},
            "apiKey",
        ),
        (
            {"provider": "google-vertex", "apiKey": json.dumps(SERVICE_ACCOUNT_FIELDS),
             "options": {"projectId": PROJECT}},
            "apiKey",
        ),
        ({"provider": "google-vertex", "apiKey": "{}", "options": {}}, "options.projectId"),
        (
            {"provider": "google-vertex", "apiKey": "{}",
             "options": {"projectId": PROJECT, "location": "Mars 1"}},
            "options.location",
        ),
        (
            {"provider": "cloudflare-workers-ai", "apiKey": CF_TOKEN,
             "options": {"accountId": "my-account"}},
            "options.accountId",
        ),
        ({"provider": "cloudflare-workers-ai", "apiKey": CF_TOKEN}, "options.accountId"),
        ({"provider": "cloudflare-workers-ai", "apiKey": CF_TOKEN, "options": []}, "options"),
        ({"provider": "openai", "apiKey": "sk-abc-123456", "options": {"x": 1}}, "options"),
    ],
)  # fmt: skip
def test_bad_options_are_a_400_naming_the_field(gateway, body, field):
    response = _create(gateway, {"name": "cloud", **body})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == field


def test_options_can_be_changed_and_are_checked_on_update(gateway):
    made = gateway.add_connection(
        "https://example.openai.azure.com", "azure-openai", apiKey=AZURE_KEY
    )
    url = f"{gateway.url}/api/providers/{made['id']}"
    changed = gateway.admin().put(url, json={"options": {"apiVersion": "2025-04-01-preview"}})
    assert changed.status_code == 200
    assert changed.json()["options"]["apiVersion"] == "2025-04-01-preview"
    bad = gateway.admin().put(url, json={"options": {"apiVersion": "soon"}})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "options.apiVersion"
    no_url = gateway.admin().put(url, json={"baseUrl": None})
    assert no_url.status_code == 400 and no_url.json()["error"]["param"] == "baseUrl"


def test_secrets_stay_out_of_the_api_the_logs_and_the_bundle(
    start, upstream, cloud, google, caplog
):
    gateway = start(SYNC_TOKEN="sync-token-for-tests-0123456789")
    fake = cloud(VertexAI(google, PROJECT, REGION))
    key = google.service_account_json()
    private_key = json.loads(key)["private_key"]
    secret_line = private_key.splitlines()[1]
    with caplog.at_level(logging.DEBUG):
        made = _vertex_connection(gateway, fake, key)
        assert _chat(gateway, "vertex/google/gemini-2.5-flash") == "echo: hello"
        listed = gateway.admin().get(gateway.url + "/api/providers").text
        bundle = requests.get(
            gateway.url + "/api/sync/bundle",
            headers={"Authorization": "Bearer sync-token-for-tests-0123456789"},
            timeout=10,
        )
    assert made["options"] == {"projectId": PROJECT, "location": REGION}
    assert bundle.status_code == 200
    account = next(a for a in bundle.json()["providers"] if a["provider"] == "google-vertex")
    assert account["options"] == {"projectId": PROJECT, "location": REGION}
    token = fake.requests[-1].headers["authorization"][7:]
    for text in (listed, bundle.text, caplog.text):
        assert secret_line not in text and "PRIVATE KEY" not in text
        assert token not in text


def test_testing_a_connection_uses_the_platforms_auth(gateway, upstream, cloud, google):
    azure = cloud(AzureOpenAI(AZURE_KEY, frozenset({"gpt-4o"})))
    good = gateway.add_connection(azure.base, "azure-openai", apiKey=AZURE_KEY)
    vertex_fake = cloud(VertexAI(google, PROJECT, REGION))
    refused = _vertex_connection(gateway, vertex_fake, google.service_account_json(known=False))
    results = {
        made["id"]: gateway.admin().post(f"{gateway.url}/api/providers/{made['id']}/test").json()
        for made in (good, refused)
    }
    assert results[good["id"]]["ok"] is True
    assert azure.requests[-1].headers["api-key"] == AZURE_KEY
    assert results[refused["id"]]["ok"] is False
    assert "token was refused" in results[refused["id"]]["error"]
    assert not vertex_fake.requests
