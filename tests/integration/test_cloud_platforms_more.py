"""Snowflake Cortex (the account's Cortex path, a PAT as Bearer) and Predibase (tenant and
deployment in the path, the body's model naming an adapter or "" for the base model), end to
end: the OpenAI and Anthropic SDKs call a real gateway, which calls the strict fakes of
tests/fakes/cloud_platforms_more.py; they refuse a wrong token, path, tenant or adapter and
relay what they accept to the chat fake upstream."""

from __future__ import annotations

import anthropic
import openai
import pytest
import requests

from tests.fakes.cloud_platforms_more import Predibase, SnowflakeCortex
from tests.sdk_chat import HELLO
from tests.sdk_chat import openai_chat_text as _chat

SNOWFLAKE_PAT = "snowflake-pat-0123456789abcdef"
PREDIBASE_TOKEN = "pb_0123456789abcdef"
TENANT = "a1b2c3d4"


def _claude(gateway, model: str) -> str:
    client = anthropic.Anthropic(base_url=gateway.url, api_key="unused", max_retries=0)
    message = client.messages.create(model=model, max_tokens=64, messages=HELLO)
    return message.content[0].text


def _create(gateway, body: dict) -> requests.Response:
    return gateway.admin().post(gateway.url + "/api/providers", json={"name": "c", **body})


def test_snowflake_cortex_gets_the_cortex_path_and_the_pat(gateway, upstream, cloud):
    fake = cloud(SnowflakeCortex(SNOWFLAKE_PAT))
    made = gateway.add_connection(
        fake.base, "snowflake-cortex", apiKey=SNOWFLAKE_PAT, options={"account": "myorg-acct"}
    )
    assert made["options"] == {"account": "myorg-acct"}
    assert _chat(gateway, "snowflake/claude-sonnet-4-5") == "echo: hello"
    seen = fake.requests[-1]
    assert seen.path == "/api/v2/cortex/v1/chat/completions"
    assert seen.headers["authorization"] == f"Bearer {SNOWFLAKE_PAT}"
    assert upstream.chat_requests()[-1].body["model"] == "claude-sonnet-4-5"
    assert _chat(gateway, "snowflake/llama3.3-70b", stream=True) == "echo: hello"
    assert _claude(gateway, "snowflake/openai-gpt-4.1") == "echo: hello"
    assert upstream.chat_requests()[-1].body["model"] == "openai-gpt-4.1"


def test_snowflake_cortex_refuses_a_wrong_token(gateway, upstream, cloud):
    fake = cloud(SnowflakeCortex(SNOWFLAKE_PAT))
    gateway.add_connection(fake.base, "snowflake-cortex", apiKey="snowflake-pat-wrong")
    with pytest.raises(openai.APIStatusError):
        _chat(gateway, "snowflake/llama3.3-70b")
    assert fake.requests[-1].headers["authorization"] == "Bearer snowflake-pat-wrong"
    assert not upstream.chat_requests()


def test_predibase_gets_tenant_and_deployment_and_names_the_base_model_empty(
    gateway, upstream, cloud
):
    fake = cloud(Predibase(PREDIBASE_TOKEN, TENANT, {"qwen3-8b": frozenset({"support/3"})}))
    made = gateway.add_connection(
        fake.base, "predibase", apiKey=PREDIBASE_TOKEN, options={"tenant": TENANT}
    )
    assert made["options"] == {"tenant": TENANT}
    assert _chat(gateway, "predibase/qwen3-8b") == "echo: hello"
    seen = fake.requests[-1]
    assert seen.path == f"/{TENANT}/deployments/v2/llms/qwen3-8b/v1/chat/completions"
    assert seen.headers["authorization"] == f"Bearer {PREDIBASE_TOKEN}"
    assert seen.body["model"] == ""  # the deployment's base model
    assert _chat(gateway, "predibase/qwen3-8b", stream=True) == "echo: hello"
    assert _claude(gateway, "predibase/qwen3-8b") == "echo: hello"
    assert fake.requests[-1].body["model"] == ""


def test_predibase_sends_an_adapter_to_the_connections_deployment(gateway, upstream, cloud):
    fake = cloud(Predibase(PREDIBASE_TOKEN, TENANT, {"qwen3-8b": frozenset({"support/3"})}))
    options = {"tenant": TENANT, "deployment": "qwen3-8b"}
    gateway.add_connection(fake.base, "predibase", apiKey=PREDIBASE_TOKEN, options=options)
    assert _chat(gateway, "predibase/support/3") == "echo: hello"
    seen = fake.requests[-1]
    assert seen.path == f"/{TENANT}/deployments/v2/llms/qwen3-8b/v1/chat/completions"
    assert seen.body["model"] == "support/3"
    wrong = requests.post(
        fake.base + "/other-tenant/deployments/v2/llms/qwen3-8b/v1/chat/completions",
        json={"model": "", "messages": HELLO},
        headers={"Authorization": f"Bearer {PREDIBASE_TOKEN}"},
        timeout=10,
    )
    assert wrong.status_code == 404  # the fake checks the tenant


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"provider": "snowflake-cortex", "apiKey": SNOWFLAKE_PAT}, "options.account"),
        ({"provider": "snowflake-cortex", "apiKey": SNOWFLAKE_PAT,
          "options": {"account": "my account"}}, "options.account"),
        ({"provider": "predibase", "apiKey": PREDIBASE_TOKEN}, "options.tenant"),
        ({"provider": "predibase", "apiKey": PREDIBASE_TOKEN,
          "options": {"tenant": TENANT, "deployment": "a/b"}}, "options.deployment"),
        ({"provider": "predibase", "apiKey": PREDIBASE_TOKEN,
          "options": {"tenant": TENANT, "region": "us"}}, "options.region"),
    ],
)  # fmt: skip
def test_bad_options_are_a_400_naming_the_field(gateway, body, field):
    response = _create(gateway, body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == field
