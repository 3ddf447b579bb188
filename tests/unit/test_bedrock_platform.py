"""Amazon Bedrock's quirk module (providers/bedrock.py): options, secrets and SigV4 signing,
checked against the Bedrock fake's own verification (tests/fakes/bedrock_auth.py) and body
checks (tests/fakes/bedrock.py)."""

from __future__ import annotations

import json

import pytest

from omniroute.providers.bedrock import check_options, check_secret, shape
from omniroute.providers.cloud import CloudRequest, OptionError
from tests.fakes.bedrock import BedrockFake, Invalid, check_body
from tests.fakes.bedrock_auth import SIGNATURE_MISMATCH, AwsKey, BedrockAuth

KEY, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
PATH = "/model/amazon.nova-lite-v1%3A0/converse"
BODY = json.dumps({"messages": [{"role": "user", "content": [{"text": "hi"}]}]}).encode()
AUTH = BedrockAuth("eu-west-1", {KEY: AwsKey(SECRET)}, {"bedrock-api-key-abc"})


def _call(secret: str, region: str = "eu-west-1", body: bytes = BODY, base: str | None = None):
    request = CloudRequest(
        path=PATH,
        query="",
        model="amazon.nova-lite-v1:0",
        headers={"Content-Type": "application/json", "Authorization": "Bearer leftover"},
        options={"region": region},
        secret=secret,
        base_url=base,
        account=1,
        body=body,
    )
    return shape(request)


def _verdict(call, body: bytes = BODY):
    host = call.url.split("/")[2]
    headers = {name.lower(): value for name, value in call.headers.items()}
    return AUTH.refusal("POST", call.url.split(host, 1)[1], {"host": host, **headers}, body)


def test_a_call_goes_to_the_regional_endpoint_signed_with_sigv4():
    call = _call(f"{KEY}:{SECRET}")
    assert call.url == f"https://bedrock-runtime.eu-west-1.amazonaws.com{PATH}"
    assert call.headers["Authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={KEY}/")
    assert "X-Amz-Date" in call.headers and call.headers["Accept"] == "application/json"
    assert _verdict(call) is None
    assert _call(f"{KEY}:{SECRET}", base="http://127.0.0.1:9").url == f"http://127.0.0.1:9{PATH}"


def test_the_fake_refuses_a_wrong_secret_a_changed_body_or_another_region():
    assert _verdict(_call(f"{KEY}:wrong"))[2] == {"message": SIGNATURE_MISMATCH}
    assert _verdict(_call(f"{KEY}:{SECRET}"), BODY + b" ")[0] == 403
    assert _verdict(_call(f"{KEY}:{SECRET}", region="us-east-1"))[0] == 403
    unsigned = _call("bedrock-api-key-nope")
    assert unsigned.headers["Authorization"] == "Bearer bedrock-api-key-nope"
    assert _verdict(unsigned)[0] == 403
    assert _verdict(_call("bedrock-api-key-abc")) is None


def test_options_and_secrets_are_checked():
    assert check_options({}, None) == {"region": "us-east-1"}
    assert check_options({"region": "ap-southeast-2"}, None) == {"region": "ap-southeast-2"}
    for bad in ({"region": "Mars"}, {"zone": "a"}):
        with pytest.raises(OptionError):
            check_options(bad, None)
    assert check_secret(f"{KEY}:{SECRET}:token") == f"{KEY}:{SECRET}:token"
    assert check_secret("ABSKQmVkcm9jaw==") == "ABSKQmVkcm9jaw=="
    for bad in (f"{KEY}:", "user:pass", "two words", ""):
        with pytest.raises(OptionError):
            check_secret(bad)


@pytest.mark.parametrize(
    "body",
    [
        {"messages": []},
        {"messages": [{"role": "assistant", "content": [{"text": "hi"}]}]},
        {"messages": [{"role": "user", "content": [{"text": "hi"}]}], "model": "x"},
        {"messages": [{"role": "user", "content": [{"text": " "}]}]},
        {"messages": [{"role": "user", "content": [{"text": "a"}]}] * 2},
        {
            "messages": [
                {
                    "role": "user",
                    "content": [{"toolResult": {"toolUseId": "t", "content": [{"text": "x"}]}}],
                }
            ]
        },
    ],
)
def test_the_fake_refuses_what_bedrock_refuses(body):
    with pytest.raises(Invalid):
        check_body(body, BedrockFake(AUTH))
