"""GigaChat end to end over HTTPS: the authorization key is exchanged at the fake OAuth
(`Authorization: Basic`, a fresh RqUID, the scope) for a token kept until it expires, and the
OpenAI and Anthropic SDKs' chats reach the GigaChat fake with it as Bearer. Both fakes present
a certificate of a CA no trust store has (as Sber's chain to the Russian Trusted Root CA): the
connection's `caBundle` option is what makes them trusted, for the token and for every call,
and without it nothing is sent in the clear or unverified."""

from __future__ import annotations

import ssl
import time

import anthropic
import openai
import pytest
import requests

from omniroute.providers import gigachat
from tests.fakes.certificates import write_test_certificate
from tests.fakes.cloud_platforms import CloudPlatformFake
from tests.fakes.cloud_platforms_more import GigaChat
from tests.fakes.token_exchanges import GigaChatOAuthFake

AUTH_KEY = "ZTU2MjM2MjctYmI4Yy00MTJjLTk0YjctMjMyaE5qazVPR1U0WldZejo4ODdk"
HELLO = [{"role": "user", "content": "hello"}]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return write_test_certificate(tmp_path_factory.mktemp("gigachat-ca"))


def _tls(certificate) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def oauth(certificate):
    fake = GigaChatOAuthFake(frozenset({AUTH_KEY})).start(_tls(certificate))
    yield fake
    fake.stop()


@pytest.fixture
def platform(upstream, oauth, certificate):
    fake = CloudPlatformFake(GigaChat(oauth), upstream.url).start(_tls(certificate))
    yield fake
    fake.stop()


def _connect(gateway, platform, oauth, certificate, **options) -> dict:
    options = {"authUrl": oauth.url, "caBundle": certificate[0], **options}
    return gateway.add_connection(
        platform.base + "/api/v1", "gigachat", apiKey=AUTH_KEY, options=options
    )


def _openai(gateway) -> openai.OpenAI:
    return openai.OpenAI(base_url=gateway.v1, api_key="unused", max_retries=0)


def test_gigachat_chats_with_an_oauth_token_over_its_own_ca(
    gateway, upstream, oauth, platform, certificate
):
    made = _connect(gateway, platform, oauth, certificate)
    assert made["options"] == {
        "scope": "GIGACHAT_API_PERS",
        "authUrl": oauth.url,
        "caBundle": certificate[0],
    }
    reply = _openai(gateway).chat.completions.create(model="gigachat/GigaChat-2", messages=HELLO)
    assert reply.choices[0].message.content == "echo: hello"
    seen = platform.requests[-1]
    assert seen.path == "/api/v1/chat/completions"
    assert seen.headers["authorization"].startswith("Bearer ")
    assert upstream.chat_requests()[-1].body["model"] == "GigaChat-2"
    chunks = _openai(gateway).chat.completions.create(
        model="gigachat/GigaChat-2-Max", messages=HELLO, stream=True
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "echo: hello"
    claude = anthropic.Anthropic(base_url=gateway.url, api_key="unused", max_retries=0)
    message = claude.messages.create(model="gigachat/GigaChat-2-Pro", max_tokens=64, messages=HELLO)
    assert message.content[0].text == "echo: hello"
    assert oauth.exchanges == 1  # one token (and one RqUID) for every call
    assert len(oauth.seen_rquids) == 1


def test_gigachat_exchanges_again_after_thirty_minutes(
    gateway, upstream, oauth, platform, certificate, monkeypatch
):
    _connect(gateway, platform, oauth, certificate)
    _openai(gateway).chat.completions.create(model="gigachat/GigaChat-2", messages=HELLO)
    oauth.expire_all()
    monkeypatch.setattr(gigachat.TOKENS, "clock", lambda: time.time() + oauth.lifetime)
    reply = _openai(gateway).chat.completions.create(model="gigachat/GigaChat-2", messages=HELLO)
    assert reply.choices[0].message.content == "echo: hello"
    assert oauth.exchanges == 2 and len(oauth.seen_rquids) == 2  # a fresh RqUID each time


def test_without_the_ca_bundle_the_token_exchange_fails_verification(
    gateway, upstream, oauth, platform, certificate
):
    gateway.add_connection(
        platform.base + "/api/v1", "gigachat", apiKey=AUTH_KEY, options={"authUrl": oauth.url}
    )
    with pytest.raises(openai.APIStatusError) as error:
        _openai(gateway).chat.completions.create(model="gigachat/GigaChat-2", messages=HELLO)
    assert error.value.status_code == 503
    assert "could not be reached" in error.value.message
    assert oauth.exchanges == 0 and not platform.requests


def test_a_wrong_scope_or_key_makes_the_account_unavailable(
    gateway, upstream, oauth, platform, certificate
):
    _connect(gateway, platform, oauth, certificate, scope="GIGACHAT_API_CORP")
    with pytest.raises(openai.APIStatusError) as error:
        _openai(gateway).chat.completions.create(model="gigachat/GigaChat-2", messages=HELLO)
    assert error.value.status_code == 503
    assert "GigaChat's OAuth refused the key (HTTP 400)" in error.value.message
    assert not platform.requests


def test_sync_models_lists_with_the_token_over_the_ca(
    gateway, upstream, oauth, platform, certificate
):
    made = _connect(gateway, platform, oauth, certificate)
    platform.model_ids = ["GigaChat-2", "GigaChat-3-Ultra"]
    response = gateway.admin().post(f"{gateway.url}/api/providers/{made['id']}/sync-models")
    assert response.status_code == 200, response.text
    assert response.json()["added"] == ["GigaChat-3-Ultra"]
    assert platform.requests[-1].path == "/api/v1/models"


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"scope": "GIGACHAT_API"}, "options.scope"),
        ({"caBundle": "russian_trusted_root_ca.pem"}, "options.caBundle"),
        ({"caBundle": "/nonexistent/russian_trusted_root_ca.pem"}, "options.caBundle"),
        ({"authUrl": "http://ngw.devices.sberbank.ru:9443/api/v2/oauth"}, "options.authUrl"),
    ],
)
def test_bad_options_are_a_400_naming_the_field(gateway, options, field):
    body = {"name": "g", "provider": "gigachat", "apiKey": AUTH_KEY, "options": options}
    response = gateway.admin().post(gateway.url + "/api/providers", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == field


def test_the_fakes_check_the_rquid_and_the_token(oauth, platform, certificate):
    headers = {"Authorization": f"Basic {AUTH_KEY}"}
    no_rquid = requests.post(
        oauth.url, data={"scope": "GIGACHAT_API_PERS"}, headers=headers, verify=certificate[0],
        timeout=10,
    )  # fmt: skip
    assert no_rquid.status_code == 400
    chat = requests.post(
        platform.base + "/api/v1/chat/completions",
        json={"model": "GigaChat-2", "messages": HELLO},
        headers={"Authorization": "Bearer not-issued"},
        verify=certificate[0],
        timeout=10,
    )
    assert chat.status_code == 401
