"""The cloud platforms' quirk modules, pure (no sockets): options as stored, and the URL,
headers and model of a call (providers/azure.py, vertex.py, cloudflare.py, platforms.py).
End to end against strict fakes: tests/integration/test_cloud_platforms.py."""

from __future__ import annotations

import pytest

from omniroute.providers import azure, cloudflare, vertex
from omniroute.providers.cloud import CloudRequest, OptionError
from omniroute.providers.platforms import check_connection_options

HEADERS = {"Content-Type": "application/json", "Authorization": "Bearer leaked"}


def _request(options, secret="secret-key", base_url=None, path="/chat/completions", model="m"):
    return CloudRequest(path, "", model, HEADERS, options, secret, base_url, 7)


def test_azure_defaults_and_paths():
    options = check_connection_options("azure-openai", {}, "https://r.openai.azure.com")
    assert options == {"api": "deployments", "apiVersion": "2024-10-21"}
    call = azure.shape(
        _request(options, base_url="https://r.openai.azure.com/openai/", model="gpt-4o")
    )
    assert call.url == (
        "https://r.openai.azure.com/openai/deployments/gpt-4o/chat/completions"
        "?api-version=2024-10-21"
    )
    assert call.headers == {"Content-Type": "application/json", "api-key": "secret-key"}
    embed = azure.shape(
        _request({**options, "deployment": "emb"}, base_url="https://r", path="/embeddings")
    )
    assert (
        embed.url.startswith("https://r/openai/deployments/emb/embeddings?")
        and embed.model == "emb"
    )


def test_foundry_defaults_to_the_models_endpoint():
    options = check_connection_options("azure-ai-foundry", {"deployment": "d1"}, "https://f")
    assert options["api"] == "models" and options["apiVersion"] == "2024-05-01-preview"
    call = azure.shape(_request(options, base_url="https://f"))
    assert call.url == "https://f/models/chat/completions?api-version=2024-05-01-preview"
    assert call.model == "d1"


def test_vertex_regional_and_global_endpoints():
    assert vertex.service_endpoint("global") == "https://aiplatform.googleapis.com"
    assert vertex.service_endpoint("us-central1") == "https://us-central1-aiplatform.googleapis.com"
    options = check_connection_options("google-vertex", {"projectId": "my-project-1"}, None)
    assert options == {"projectId": "my-project-1", "location": "global"}


class _Tokens:
    def token(self, account, secret):
        return f"tok-{account}"


def test_vertex_call_carries_the_token_not_the_key():
    options = {"projectId": "my-project-1", "location": "us-east5"}
    call = vertex.shape(_request(options, secret="{}"), tokens=_Tokens())  # type: ignore[arg-type]
    assert call.url == (
        "https://us-east5-aiplatform.googleapis.com/v1/projects/my-project-1/locations/us-east5"
        "/endpoints/openapi/chat/completions"
    )
    assert call.headers["Authorization"] == "Bearer tok-7"


def test_cloudflare_account_path():
    options = check_connection_options("cloudflare-workers-ai", {"accountId": "a" * 32}, None)
    call = cloudflare.shape(_request(options, secret="cf-token"))
    assert (
        call.url
        == f"https://api.cloudflare.com/client/v4/accounts/{'a' * 32}/ai/v1/chat/completions"
    )
    assert call.headers["Authorization"] == "Bearer cf-token"


@pytest.mark.parametrize(
    ("provider", "options", "base_url", "field"),
    [
        ("azure-openai", {"api": "rest"}, "https://r", "options.api"),
        ("azure-openai", {"deployments": ["a"]}, "https://r", "options.deployments"),
        ("google-vertex", {"projectId": "X"}, None, "options.projectId"),
        ("cloudflare-workers-ai", {"accountId": 5}, None, "options.accountId"),
        ("openai", {"a": 1}, None, "options"),
    ],
)
def test_bad_options_name_their_field(provider, options, base_url, field):
    with pytest.raises(OptionError) as error:
        check_connection_options(provider, options, base_url)
    assert error.value.field == field


def test_vertex_secret_must_be_a_readable_service_account():
    with pytest.raises(OptionError, match="private_key"):
        vertex.check_secret(
            '{"type": "service_account", "client_email": "a@b", "private_key": "nope", '
            '"token_uri": "https://oauth2.googleapis.com/token"}'
        )
