"""Sync models for the cloud platforms, each against its strict fake: the list is asked where
the platform keeps it, with the platform's own auth, and read in its own shape.

- Azure OpenAI (deployments API): GET /openai/models?api-version=…, `api-key`;
- Azure AI Foundry (models API) and the v1 API: GET /openai/v1/models, `api-key`;
- Vertex AI: GET /v1beta1/publishers/google/models with the service account's token, the
  `publishers/google/models/…` names routed as `google/…`;
- Cloudflare Workers AI: GET /client/v4/accounts/{id}/ai/models/search, Bearer, the id in
  `name` (its `id` is a uuid);
- Amazon Bedrock: the control plane's GET /foundation-models, signed with SigV4 (or a Bedrock
  API key).
Each sync merges like any provider's: a new id appears in /v1/models, an id no longer listed
is retired and leaves it. The fakes refuse a wrong credential or path, so a sync that asked
the chat prefix + /models (as every cloud did before) fails.
"""

from __future__ import annotations

import requests

from tests.fakes.bedrock import BedrockFake
from tests.fakes.bedrock_auth import AwsKey, BedrockAuth
from tests.fakes.cloud_platforms import AzureOpenAI, CloudflareWorkersAI, VertexAI
from tests.integration import test_cloud_platforms as platforms
from tests.integration.test_bedrock import ACCESS_KEY, API_KEY, REGION, SECRET_KEY
from tests.integration.test_cloud_platforms import AZURE_KEY, CF_ACCOUNT, CF_TOKEN, PROJECT
from tests.integration.test_cloud_platforms import REGION as VERTEX_REGION

google = platforms.google  # the Google token fake's fixture (`cloud` is in conftest.py)


def _sync(gateway, connection_id: int) -> requests.Response:
    return gateway.admin().post(f"{gateway.url}/api/providers/{connection_id}/sync-models")


def _offered(gateway) -> set[str]:
    return {m["id"] for m in requests.get(gateway.v1 + "/models", timeout=10).json()["data"]}


def _added_then_retired(gateway, connection: dict, fake, listed: tuple[str, str], routed: str):
    """Sync with `listed` (a catalog model, a new one), then without the new one: the new
    model (`routed`, as /v1/models names it) is added and offered, then retired and not."""
    fake.model_ids = list(listed)
    response = _sync(gateway, connection["id"])
    assert response.status_code == 200, response.text
    answer = response.json()
    new_id = routed.split("/", 1)[1]
    assert (answer["provider"], answer["added"], answer["retired"]) == (
        connection["provider"],
        [new_id],
        [],
    )
    assert routed in _offered(gateway)

    fake.model_ids = [listed[0]]
    answer = _sync(gateway, connection["id"]).json()
    assert (answer["added"], answer["retired"]) == ([], [new_id])
    assert routed not in _offered(gateway)


def test_azure_openai_lists_the_resources_models_with_the_api_version(gateway, cloud):
    azure = cloud(AzureOpenAI(AZURE_KEY, frozenset()))
    connection = gateway.add_connection(azure.base, "azure-openai", apiKey=AZURE_KEY)
    _added_then_retired(gateway, connection, azure, ("gpt-4o", "gpt-5-mini"), "azure/gpt-5-mini")
    seen = azure.requests[-1]
    assert (seen.path, seen.query) == ("/openai/models", {"api-version": ["2024-10-21"]})
    assert seen.headers["api-key"] == AZURE_KEY and "authorization" not in seen.headers


def test_azure_ai_foundry_and_the_v1_api_list_from_openai_v1_models(gateway, cloud):
    foundry = cloud(AzureOpenAI(AZURE_KEY, frozenset()))
    connection = gateway.add_connection(
        foundry.base + "/models", "azure-ai-foundry", apiKey=AZURE_KEY
    )
    _added_then_retired(gateway, connection, foundry, ("Phi-4", "grok-4"), "foundry/grok-4")
    seen = foundry.requests[-1]
    assert (seen.path, seen.query) == ("/openai/v1/models", {})
    assert seen.headers["api-key"] == AZURE_KEY

    v1 = cloud(AzureOpenAI(AZURE_KEY, frozenset()))
    made = gateway.add_connection(
        v1.base, "azure-openai", name="v1", apiKey=AZURE_KEY, options={"api": "v1"}
    )
    v1.model_ids = ["gpt-4.1-nano"]
    assert _sync(gateway, made["id"]).json()["added"] == ["gpt-4.1-nano"]
    assert v1.requests[-1].path == "/openai/v1/models"


def test_azure_refuses_a_wrong_key_and_the_sync_names_its_status(gateway, cloud):
    azure = cloud(AzureOpenAI(AZURE_KEY, frozenset()))
    connection = gateway.add_connection(azure.base, "azure-openai", apiKey="not-the-key")
    azure.model_ids = ["gpt-5-mini"]
    response = _sync(gateway, connection["id"])
    assert response.status_code == 502
    error = response.json()["error"]
    assert (error["code"], error["upstreamStatus"]) == ("model_list_failed", 401)
    assert "Access denied" in error["message"]
    assert azure.requests[-1].path == "/openai/models"


def test_vertex_lists_googles_publisher_models_with_the_service_accounts_token(
    gateway, cloud, google
):
    fake = cloud(VertexAI(google, PROJECT, VERTEX_REGION))
    options = {"projectId": PROJECT, "location": VERTEX_REGION}
    connection = gateway.add_connection(
        fake.base, "google-vertex", apiKey=google.service_account_json(), options=options
    )
    listed = ("gemini-2.5-flash", "gemini-3-pro-preview")  # google/gemini-2.5-flash: catalog
    _added_then_retired(gateway, connection, fake, listed, "vertex/google/gemini-3-pro-preview")
    seen = fake.requests[-1]
    assert seen.path == "/v1beta1/publishers/google/models"
    assert seen.headers["authorization"].startswith("Bearer ya29.")


def test_cloudflare_lists_from_model_search_reading_the_name(gateway, cloud):
    fake = cloud(CloudflareWorkersAI(CF_ACCOUNT, CF_TOKEN))
    connection = gateway.add_connection(
        fake.base + "/client/v4",
        "cloudflare-workers-ai",
        apiKey=CF_TOKEN,
        options={"accountId": CF_ACCOUNT},
    )
    listed = ("@cf/meta/llama-3.1-8b-instruct", "@cf/qwen/qwq-32b")
    _added_then_retired(gateway, connection, fake, listed, "cf/@cf/qwen/qwq-32b")
    seen = fake.requests[-1]
    assert seen.path == f"/client/v4/accounts/{CF_ACCOUNT}/ai/models/search"
    assert seen.headers["authorization"] == f"Bearer {CF_TOKEN}"


def test_bedrock_lists_foundation_models_signed_with_sigv4_or_an_api_key(gateway):
    auth = BedrockAuth(REGION, {ACCESS_KEY: AwsKey(SECRET_KEY)}, {API_KEY})
    fake = BedrockFake(auth).start()
    try:
        options = {"region": REGION}
        signed = gateway.add_connection(
            fake.base, "bedrock", apiKey=f"{ACCESS_KEY}:{SECRET_KEY}", options=options
        )
        listed = ("amazon.nova-pro-v1:0", "amazon.nova-premier-v1:0")
        _added_then_retired(gateway, signed, fake, listed, "bedrock/amazon.nova-premier-v1:0")
        seen = fake.requests[-1]
        assert seen.path == "/foundation-models"
        assert seen.headers["authorization"].startswith(
            f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/"
        )
        assert f"/{REGION}/bedrock/aws4_request" in seen.headers["authorization"]

        keyed = gateway.add_connection(
            fake.base, "bedrock", name="key", apiKey=API_KEY, options=options
        )
        fake.model_ids = ["amazon.nova-2-lite-v1:0"]
        assert _sync(gateway, keyed["id"]).json()["added"] == ["amazon.nova-2-lite-v1:0"]
        assert fake.requests[-1].headers["authorization"] == f"Bearer {API_KEY}"

        wrong = gateway.add_connection(
            fake.base, "bedrock", name="wrong", apiKey=f"{ACCESS_KEY}:wrong", options=options
        )
        response = _sync(gateway, wrong["id"])
        assert response.status_code == 502
        assert response.json()["error"]["upstreamStatus"] == 403
    finally:
        fake.stop()
