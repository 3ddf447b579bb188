"""The other upstream calls take the outbound proxy too, through a real gateway and a real proxy
on 127.0.0.1: embeddings, audio transcription (Deepgram), the connection test, and the OAuth
token calls of a subscription sign-in and its renewal (the fake OAuth server)."""

from __future__ import annotations

import re

import pytest
import requests

from tests.admin_api import AdminApi
from tests.fakes.audio_upstream import AudioUpstream
from tests.fakes.media_upstream import MediaUpstream
from tests.fakes.proxies import HttpProxy
from tests.integration.test_oauth_api import hosted_code

pytestmark = pytest.mark.timeout(60)

PROXY = "/api/settings/proxy"
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 64


def new_proxy(request) -> HttpProxy:
    server = HttpProxy()
    request.addfinalizer(server.stop)
    return server


def route_provider(gateway, provider: str, server: HttpProxy) -> None:
    body = {"providers": {provider: {"type": "http", "host": "127.0.0.1", "port": server.port}}}
    answer = gateway.admin().put(gateway.url + PROXY, json=body)
    assert answer.status_code == 200, answer.text


def forwarded_paths(server: HttpProxy) -> list[str]:
    return [line.split(" ", 1)[1].split("?")[0] for line in server.forwarded]


@pytest.fixture
def media(request):
    server = MediaUpstream().start()
    request.addfinalizer(server.stop)
    return server


@pytest.fixture
def audio(request):
    server = AudioUpstream().start()
    request.addfinalizer(server.stop)
    return server


def test_embeddings_go_through_the_providers_proxy(request, gateway, media):
    gateway.add_connection(media.openai_url)
    proxy = new_proxy(request)
    route_provider(gateway, "openai", proxy)
    body = {"model": "openai/text-embedding-3-small", "input": "hi"}
    answer = requests.post(gateway.v1 + "/embeddings", json=body, timeout=10)
    assert answer.status_code == 200, answer.text
    assert forwarded_paths(proxy)[-1].endswith("/v1/embeddings")


def test_audio_transcription_goes_through_the_providers_proxy(request, gateway, audio):
    gateway.add_connection(audio.deepgram_url, provider="deepgram", apiKey="dg-key")
    proxy = new_proxy(request)
    route_provider(gateway, "deepgram", proxy)
    answer = requests.post(
        gateway.v1 + "/audio/transcriptions",
        data={"model": "deepgram/nova-3"},
        files={"file": ("clip.wav", WAV, "application/octet-stream")},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    assert forwarded_paths(proxy)[-1].endswith("/listen")


def test_the_connection_test_goes_through_the_providers_proxy(request, connected, upstream):
    proxy = new_proxy(request)
    route_provider(connected, "openai", proxy)
    (account,) = connected.admin().get(connected.url + "/api/providers").json()["data"]
    tested = connected.admin().post(f"{connected.url}/api/providers/{account['id']}/test")
    assert tested.status_code == 200, tested.text
    assert forwarded_paths(proxy) == [f"{upstream.url}/chat/completions"]


def test_oauth_token_calls_go_through_the_providers_proxy(request, signing_gateway, fake):
    admin = AdminApi(signing_gateway)
    sign_in_proxy = new_proxy(request)
    route_provider(signing_gateway, "claude-code", sign_in_proxy)
    started = admin.json("GET", "/api/oauth/claude-code/start?flow=paste")
    pasted = hosted_code(started["authorizeUrl"])  # the user's browser: never proxied
    done = admin.json("POST", "/api/oauth/claude-code/callback", json={"value": pasted})
    assert any(re.search(r"/claude/.*token", path) for path in forwarded_paths(sign_in_proxy))
    renewal_proxy = new_proxy(request)  # a new proxy: the first one keeps its connection
    route_provider(signing_gateway, "claude-code", renewal_proxy)
    admin.json("POST", f"/api/providers/{done['connectionId']}/refresh")
    assert any(re.search(r"/claude/.*token", path) for path in forwarded_paths(renewal_proxy))
