"""The dashboard's forms (no JavaScript) for the platforms of tests/integration/
test_cloud_platforms_more.py: each connection added through its fieldset calls its fake with
its options, and a bad option is a 400 shown on its input in the reader's language."""

from __future__ import annotations

import pytest

from tests.fakes.cloud_platforms_more import Predibase, SnowflakeCortex
from tests.integration.test_cloud_forms import Dashboard, _chat, _error_of
from tests.integration.test_cloud_platforms_more import PREDIBASE_TOKEN, SNOWFLAKE_PAT, TENANT


def test_snowflake_cortex_added_with_the_form_calls_its_cortex_path(gateway, upstream, cloud):  # noqa: F811
    fake = cloud(SnowflakeCortex(SNOWFLAKE_PAT))
    made = Dashboard(gateway).add(
        {
            "provider": "snowflake-cortex",
            "apiKey": SNOWFLAKE_PAT,
            "baseUrl": fake.base,
            "snowflake-cortex.account": "myorg-acct",
        }
    )
    assert made["options"] == {"account": "myorg-acct"}
    assert _chat(gateway, "snowflake/mistral-large2") == "echo: hello"
    assert fake.requests[-1].path == "/api/v2/cortex/v1/chat/completions"


def test_predibase_added_with_the_form_calls_its_tenant_and_deployment(gateway, upstream, cloud):  # noqa: F811
    fake = cloud(Predibase(PREDIBASE_TOKEN, TENANT, {"my-qwen": frozenset()}))
    made = Dashboard(gateway).add(
        {
            "provider": "predibase",
            "apiKey": PREDIBASE_TOKEN,
            "baseUrl": fake.base,
            "predibase.tenant": TENANT,
            "predibase.deployment": "my-qwen",
        }
    )
    assert made["options"] == {"tenant": TENANT, "deployment": "my-qwen"}
    assert _chat(gateway, "predibase/my-qwen") == "echo: hello"
    assert fake.requests[-1].path == f"/{TENANT}/deployments/v2/llms/my-qwen/v1/chat/completions"


@pytest.mark.parametrize(
    ("fields", "input_id", "message"),
    [
        (
            {"provider": "snowflake-cortex", "apiKey": SNOWFLAKE_PAT,
             "snowflake-cortex.account": "my account"},
            "new-snowflake-cortex-account",
            "Account identifier: Enter the account identifier, e.g. myorg-myaccount.",
        ),
        (
            {"provider": "predibase", "apiKey": PREDIBASE_TOKEN},
            "new-predibase-tenant",
            "Tenant ID: Enter the tenant ID: letters, digits, '_' or '-'.",
        ),
    ],
)  # fmt: skip
def test_a_bad_option_is_a_400_shown_on_its_input(gateway, fields, input_id, message):
    dashboard = Dashboard(gateway)
    response = dashboard.post("/providers", fields)
    assert response.status_code == 400
    assert _error_of(response.text, input_id) == message
    assert dashboard.connections() == []


def test_watsonx_added_with_the_form_keeps_its_region_and_project(gateway):
    project = "63dc4cf1-252f-424b-b52d-5cdd9814987f"
    made = Dashboard(gateway).add(
        {
            "provider": "watsonx",
            "apiKey": "ibm-cloud-api-key-0123456789abcdef",
            "watsonx.region": "eu-gb",
            "watsonx.projectId": project,
        }
    )
    assert made["options"] == {"region": "eu-gb", "projectId": project, "apiVersion": "2025-02-11"}
    page = Dashboard(gateway).post("/providers", {"provider": "watsonx", "apiKey": "k-123456"})
    assert page.status_code == 400
    assert _error_of(page.text, "new-watsonx-projectId") == (
        "Project ID: Enter the project ID (a GUID), or a space ID instead."
    )


def test_gigachat_added_with_the_form_keeps_its_scope_and_ca_bundle(gateway, tmp_path):
    bundle = tmp_path / "russian_trusted_root_ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    made = Dashboard(gateway).add(
        {
            "provider": "gigachat",
            "apiKey": "ZTU2MjM2MjctYmI4Yy00MTJj",
            "gigachat.scope": "GIGACHAT_API_B2B",
            "gigachat.caBundle": str(bundle),
        }
    )
    assert made["options"] == {"scope": "GIGACHAT_API_B2B", "caBundle": str(bundle)}
    fields = {"provider": "gigachat", "apiKey": "k-123456", "gigachat.caBundle": "root.pem"}
    page = Dashboard(gateway).post("/providers", fields)
    assert page.status_code == 400
    assert _error_of(page.text, "new-gigachat-caBundle") == (
        "CA bundle path: Enter the absolute path of a readable PEM file holding the Russian "
        "Trusted Root CA."
    )
