"""Cloud platforms' connections through the dashboard's HTML forms, as a browser without
JavaScript posts them: Azure OpenAI's deployments and api-version, Vertex AI's service-account
JSON, project and region, Cloudflare's account id, Bedrock's region and AWS access keys. Each
connection then answers through the strict fakes of tests/fakes/cloud_platforms.py and
tests/fakes/bedrock.py; a bad option is a 400 naming its input; editing keeps the secret.
"""

from __future__ import annotations

import html
import re

import openai
import pytest
import requests

from tests.dashboard_user import browser_session, csrf_from
from tests.fakes.bedrock import BedrockFake
from tests.fakes.bedrock_auth import AwsKey, BedrockAuth
from tests.fakes.cloud_platforms import AzureOpenAI, CloudflareWorkersAI, VertexAI
from tests.integration.test_cloud_platforms import google  # noqa: F401 (a fixture)

AZURE_KEY = "azure-key-0123456789abcdef"
CF_ACCOUNT = "0123456789abcdef0123456789abcdef"
CF_TOKEN = "cf-token-0123456789abcdef"
PROJECT, REGION = "omniroute-test", "europe-west4"
AWS_REGION, ACCESS_KEY = "eu-central-1", "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
HELLO = [{"role": "user", "content": "hello"}]


class Dashboard:
    """The Providers page as a browser without JavaScript uses it."""

    def __init__(self, gateway):
        self.gateway = gateway
        self.session = browser_session(gateway)
        self.token = csrf_from(self.session.get(gateway.url + "/providers").text)

    def post(self, path: str, fields: dict, language: str = "en") -> requests.Response:
        return self.session.post(
            self.gateway.url + path,
            data={"csrf_token": self.token, "isActive": "on", **fields},
            headers={"Accept-Language": language},
            allow_redirects=False,
        )

    def add(self, fields: dict) -> dict:
        response = self.post("/providers", fields)
        assert response.status_code == 302, response.text
        return self.connections()[-1]

    def connections(self) -> list[dict]:
        api = self.gateway.admin().get(self.gateway.url + "/api/providers")
        return api.json()["data"]


def _chat(gateway, model: str) -> str:
    client = openai.OpenAI(base_url=gateway.v1, api_key="unused", max_retries=0)
    reply = client.chat.completions.create(model=model, messages=HELLO)
    return reply.choices[0].message.content


def _error_of(page: str, input_id: str) -> str:
    """The error shown on the input `input_id`, which must point at it."""
    tag = re.search(rf'<(?:input|textarea|select) id="{re.escape(input_id)}"[^>]*>', page)
    assert tag is not None, input_id
    assert 'aria-invalid="true"' in tag.group(0)
    assert f'aria-describedby="{input_id}-help {input_id}-error"' in tag.group(0)
    found = re.search(rf'<p class="error" id="{re.escape(input_id)}-error">([^<]*)</p>', page)
    assert found is not None
    return html.unescape(found.group(1))


def test_azure_openai_added_with_the_form_calls_its_deployment(gateway, upstream, cloud):  # noqa: F811
    azure = cloud(AzureOpenAI(AZURE_KEY, frozenset({"prod-gpt4o"})))
    made = Dashboard(gateway).add(
        {
            "provider": "azure-openai",
            "name": "Azure prod",
            "apiKey": AZURE_KEY,
            "baseUrl": azure.base,
            "azure-openai.apiVersion": "2024-06-01",
            "azure-openai.deployments": "gpt-4o = prod-gpt4o\n\n",
            # another platform's inputs, as the page without JavaScript posts them: ignored
            "azure-ai-foundry.deployment": "not-this-one",
            "cloudflare-workers-ai.accountId": "zz",
        }
    )
    assert made["options"] == {
        "api": "deployments",
        "apiVersion": "2024-06-01",
        "deployments": {"gpt-4o": "prod-gpt4o"},
    }
    assert _chat(gateway, "azure/gpt-4o") == "echo: hello"
    seen = azure.requests[-1]
    assert seen.path == "/openai/deployments/prod-gpt4o/chat/completions"
    assert seen.query == {"api-version": ["2024-06-01"]} and seen.headers["api-key"] == AZURE_KEY


def test_vertex_added_with_the_json_key_shows_the_masked_service_account(
    gateway,
    upstream,
    cloud,  # noqa: F811
    google,  # noqa: F811
):
    fake = cloud(VertexAI(google, PROJECT, REGION))
    key = google.service_account_json()
    dashboard = Dashboard(gateway)
    made = dashboard.add(
        {
            "provider": "google-vertex",
            "name": "Vertex",
            "apiKey": "",
            "baseUrl": fake.base,
            "google-vertex.serviceAccountJson": key,
            "google-vertex.projectId": PROJECT,
            "google-vertex.location": REGION,
        }
    )
    assert made["options"] == {"projectId": PROJECT, "location": REGION}
    assert _chat(gateway, "vertex/google/gemini-2.5-flash") == "echo: hello"
    assert fake.requests[-1].headers["authorization"].startswith("Bearer ya29.")

    name = re.search(r'"client_email": "([^@]+)@', key).group(1)
    masked = f"{name}@…iam.gserviceaccount.com"
    assert made["apiKeyHint"] == masked
    page = dashboard.session.get(gateway.url + "/providers").text
    assert f"<dd data-key-hint>{masked}</dd>" in page
    assert PROJECT + ".iam" not in page and "PRIVATE KEY" not in page


def test_cloudflare_added_with_the_form_calls_its_account(gateway, upstream, cloud):  # noqa: F811
    fake = cloud(CloudflareWorkersAI(CF_ACCOUNT, CF_TOKEN))
    made = Dashboard(gateway).add(
        {
            "provider": "cloudflare-workers-ai",
            "apiKey": CF_TOKEN,
            "baseUrl": fake.base + "/client/v4",
            "cloudflare-workers-ai.accountId": CF_ACCOUNT,
        }
    )
    assert made["options"] == {"accountId": CF_ACCOUNT}
    assert _chat(gateway, "cf/@cf/meta/llama-3.1-8b-instruct") == "echo: hello"
    assert fake.requests[-1].path == f"/client/v4/accounts/{CF_ACCOUNT}/ai/v1/chat/completions"


def test_bedrock_added_with_aws_access_keys_signs_its_calls(gateway, upstream):
    bedrock = BedrockFake(BedrockAuth(AWS_REGION, {ACCESS_KEY: AwsKey(SECRET_KEY)}, set()))
    bedrock.start()
    try:
        made = Dashboard(gateway).add(
            {
                "provider": "bedrock",
                "apiKey": "",
                "baseUrl": bedrock.base,
                "bedrock.region": AWS_REGION,
                "bedrock.accessKeyId": ACCESS_KEY,
                "bedrock.secretAccessKey": SECRET_KEY,
            }
        )
        assert made["options"] == {"region": AWS_REGION}
        assert _chat(gateway, "bedrock/amazon.nova-lite-v1:0") == "echo: hello"
        authorization = bedrock.requests[-1].headers["authorization"]
        assert authorization.startswith(f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/")
    finally:
        bedrock.stop()


@pytest.mark.parametrize(
    ("fields", "input_id", "message"),
    [
        (
            {"provider": "azure-openai", "apiKey": AZURE_KEY, "baseUrl": "https://r.openai.azure.com",
             "azure-openai.apiVersion": "yesterday"},
            "new-azure-openai-apiVersion",
            "API version: Enter an API version such as 2024-10-21 or 2025-04-01-preview.",
        ),
        (
            {"provider": "azure-openai", "apiKey": AZURE_KEY, "baseUrl": "https://r.openai.azure.com",
             "azure-openai.deployments": "gpt-4o prod"},
            "new-azure-openai-deployments",
            "Deployments per model: Write one model = deployment per line; deployment names "
            "use letters, digits, '.', '_' or '-'.",
        ),
        (
            {"provider": "cloudflare-workers-ai", "apiKey": CF_TOKEN,
             "cloudflare-workers-ai.accountId": "my-account"},
            "new-cloudflare-workers-ai-accountId",
            "Account ID: Enter the account ID: 32 hexadecimal characters.",
        ),
        (
            {"provider": "google-vertex", "google-vertex.projectId": PROJECT,
             "google-vertex.serviceAccountJson": '{"type": "user"}'},
            "new-google-vertex-serviceAccountJson",
            "Service account JSON key: Paste the service account's whole JSON key file "
            '("type": "service_account").',
        ),
        (
            {"provider": "bedrock", "bedrock.region": "Frankfurt", "apiKey": "key"},
            "new-bedrock-region",
            "Region: Enter an AWS region such as us-east-1.",
        ),
    ],
)  # fmt: skip
def test_a_bad_option_is_a_400_shown_on_its_input(gateway, fields, input_id, message):
    dashboard = Dashboard(gateway)
    response = dashboard.post("/providers", fields)
    assert response.status_code == 400
    assert _error_of(response.text, input_id) == message
    assert "must be" not in response.text  # the platform's English rule stays in the JSON API
    assert dashboard.connections() == []
    for secret in (AZURE_KEY, CF_TOKEN, '{"type": "user"}'):
        assert html.escape(secret) not in response.text  # a key is never shown back


def test_a_bad_aws_key_pair_is_shown_on_the_key_in_the_readers_language(gateway):
    fields = {"provider": "bedrock", "apiKey": "", "bedrock.accessKeyId": ACCESS_KEY}
    response = Dashboard(gateway).post("/providers", fields, language="de")
    assert response.status_code == 400
    tag = re.search(r'<input id="new-key"[^>]*>', response.text).group(0)
    assert 'aria-invalid="true"' in tag and 'aria-describedby="new-key-error"' in tag
    shown = re.search(r'<p class="error" id="new-key-error">([^<]*)</p>', response.text)
    assert html.unescape(shown.group(1)).startswith("API-Schlüssel: ")  # the label, in German
    assert "ACCESS_KEY_ID" not in response.text  # not the platform's English rule


def test_editing_shows_the_options_and_keeps_the_secret_left_empty(gateway, upstream, cloud):  # noqa: F811
    fake = cloud(CloudflareWorkersAI(CF_ACCOUNT, CF_TOKEN))
    connection = gateway.add_connection(
        fake.base + "/client/v4",
        "cloudflare-workers-ai",
        apiKey=CF_TOKEN,
        options={"accountId": "f" * 32},
    )
    dashboard = Dashboard(gateway)
    path = f"/providers/{connection['id']}"
    form = dashboard.session.get(gateway.url + path + "/edit").text
    shown = re.search(r'<input id="edit-\d+-cloudflare-workers-ai-accountId"[^>]*>', form)
    assert shown is not None and f'value="{"f" * 32}"' in shown.group(0)
    assert CF_TOKEN not in form

    bad = dashboard.post(path, {"name": "CF", "cloudflare-workers-ai.accountId": "nope"})
    assert bad.status_code == 400
    assert _error_of(bad.text, f"edit-{connection['id']}-cloudflare-workers-ai-accountId") == (
        "Account ID: Enter the account ID: 32 hexadecimal characters."
    )
    fixed = dashboard.post(
        path,
        {"name": "CF", "apiKey": "", "baseUrl": fake.base + "/client/v4",
         "cloudflare-workers-ai.accountId": CF_ACCOUNT},
    )  # fmt: skip
    assert fixed.status_code == 302
    [saved] = dashboard.connections()
    assert saved["options"] == {"accountId": CF_ACCOUNT}
    assert saved["apiKeyHint"] == CF_TOKEN[-4:]
    assert _chat(gateway, "cf/@cf/meta/llama-3.1-8b-instruct") == "echo: hello"
    assert fake.requests[-1].headers["authorization"] == f"Bearer {CF_TOKEN}"


def test_editing_vertex_keeps_the_json_key_left_empty(
    gateway,
    upstream,
    cloud,  # noqa: F811
    google,  # noqa: F811
):
    fake = cloud(VertexAI(google, PROJECT, REGION))
    options = {"projectId": "other-project", "location": REGION}
    key = google.service_account_json()
    made = gateway.add_connection(fake.base, "google-vertex", apiKey=key, options=options)
    dashboard = Dashboard(gateway)
    path = f"/providers/{made['id']}"
    form = dashboard.session.get(gateway.url + path + "/edit").text
    assert f'id="key-{made["id"]}"' not in form  # the JSON key's own textarea instead
    textarea = f'<textarea id="edit-{made["id"]}-google-vertex-serviceAccountJson"'
    assert textarea in form and "PRIVATE KEY" not in form
    response = dashboard.post(
        path,
        {"name": "Vertex", "baseUrl": fake.base, "google-vertex.serviceAccountJson": "",
         "google-vertex.projectId": PROJECT, "google-vertex.location": REGION},
    )  # fmt: skip
    assert response.status_code == 302
    [saved] = dashboard.connections()
    assert saved["options"] == {"projectId": PROJECT, "location": REGION}
    assert saved["apiKeyHint"] == made["apiKeyHint"]
    assert _chat(gateway, "vertex/google/gemini-2.5-flash") == "echo: hello"


def test_the_chosen_providers_inputs_come_as_a_fragment(gateway):
    session = Dashboard(gateway).session
    fragment = session.get(gateway.url + "/providers/credentials?provider=azure-openai").text
    assert fragment.count("<fieldset") == 1 and 'data-cloud-options="azure-openai"' in fragment
    assert 'for="new-azure-openai-apiVersion">API version</label>' in fragment
    assert "e.g. https://my-resource.openai.azure.com (Azure portal" in fragment
    vertex = session.get(gateway.url + "/providers/credentials?provider=google-vertex").text
    assert 'name="apiKey"' not in vertex and "Service account JSON key" in vertex
    plain = session.get(gateway.url + "/providers/credentials?provider=openai").text
    assert "<fieldset" not in plain and re.search(r'name="apiKey"[^>]*required', plain)


def _unique_ids(page: str) -> None:
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_without_javascript_every_platforms_fieldset_is_there_once(gateway):
    dashboard = Dashboard(gateway)
    page = dashboard.session.get(gateway.url + "/providers").text
    fallback = re.search(r"<noscript data-every-cloud>(.*?)</noscript>", page, re.S).group(1)
    for provider in ("azure-openai", "azure-ai-foundry", "google-vertex", "bedrock"):
        assert f'data-cloud-options="{provider}"' in fallback
    assert "<legend>Cloudflare Workers AI</legend>" in fallback
    _unique_ids(page)

    fields = {"provider": "azure-openai", "apiKey": AZURE_KEY, "azure-openai.api": "v2"}
    first = dashboard.post("/providers", fields).text  # Azure needs the resource's endpoint
    shown = re.search(r'<p class="error" id="new-url-error">([^<]*)</p>', first).group(1)
    assert html.unescape(shown) == (
        "Base URL: Enter your resource's endpoint, e.g. https://my-resource.openai.azure.com."
    )
    fields["baseUrl"] = "https://r.openai.azure.com"
    again = dashboard.post("/providers", fields).text  # the chosen one's fieldset, outside
    assert _error_of(again, "new-azure-openai-api") == "API: Choose deployments, models or v1."
    fallback = re.search(r"<noscript data-every-cloud>(.*?)</noscript>", again, re.S).group(1)
    assert 'data-cloud-options="azure-openai"' not in fallback
    assert 'data-cloud-options="azure-ai-foundry"' in fallback
    _unique_ids(again)
