"""The proxied transport and the transport selector, over real sockets on 127.0.0.1.

The fake upstream answers behind tiny proxies (tests/fakes/proxies.py): an HTTP proxy (CONNECT
tunnels to an HTTPS front of the fake upstream, absolute-form forwarding to plain HTTP), the same
proxy over TLS (an HTTPS proxy), and a SOCKS5 proxy (addresses, names resolved by the proxy,
username/password). Each proxy records what it was asked to reach, so a test can tell the call
went through it; the streamed answer must arrive intact, read the way the pipeline reads it.
A proxy that refuses (407, a SOCKS failure), a proxy that is not there and an untrusted
certificate behind a tunnel are clean upstream errors (502), never an exception of urllib3's.
The selector sends a call without a route on the direct transport, keeps one transport per
route, and trusts a route's CA bundle on the direct (strict, fast) transport when there is no
proxy. The connection test, which runs the pipeline's fallback loop, works unchanged on a
proxied transport.
"""

from __future__ import annotations

import json
import ssl
import time

import pytest

from omniroute.errors import UpstreamUnreachableError
from omniroute.providers import PROVIDERS
from omniroute.providers.accounts import ActiveConnection
from omniroute.proxy.connection_test import run_connection_test
from omniroute.proxy.transport import (
    DIRECT,
    ProxyRefused,
    ProxyRoute,
    Transport,
    TransportSelector,
    WireResponse,
    WireTransport,
    network_error,
)
from omniroute.proxy.transport.proxied import ProxyTransport
from tests.fake_upstream import Behavior
from tests.fakes.certificates import write_test_certificate
from tests.fakes.proxies import HttpProxy, Socks5Proxy, TlsFront, server_tls

pytestmark = pytest.mark.timeout(30)

PROVIDER = "acme"
API_KEY = "sk-proxied"
CREDENTIALS = "alice:p@ss:w0rd"  # user "alice", password "p@ss:w0rd"
CREDENTIALS_IN_URL = "alice:p%40ss%3Aw0rd"
CONNECT_TIMEOUT, READ_TIMEOUT = 2.0, 5.0
WORDS = ["Through ", "the ", "proxy ", "intact."]


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    return write_test_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def ca_bundle(certificate) -> str:
    return certificate[0]


def started(request, server):
    request.addfinalizer(server.stop)
    return server


@pytest.fixture
def https_upstream(request, upstream, certificate) -> TlsFront:
    """The fake upstream behind HTTPS (its test certificate)."""
    return started(request, TlsFront(server_tls(certificate), upstream.port))


@pytest.fixture
def http_proxy(request) -> HttpProxy:
    return started(request, HttpProxy())


@pytest.fixture
def socks_proxy(request) -> Socks5Proxy:
    return started(request, Socks5Proxy())


def proxied(request, route: ProxyRoute) -> ProxyTransport:
    transport = ProxyTransport(route, 4, CONNECT_TIMEOUT, READ_TIMEOUT)
    request.addfinalizer(transport.close)
    return transport


@pytest.fixture
def selector(request) -> TransportSelector:
    chosen = TransportSelector(4, CONNECT_TIMEOUT, READ_TIMEOUT)
    request.addfinalizer(chosen.close)
    return chosen


# --- helpers ---------------------------------------------------------------------------------


def chat_body(stream: bool = True) -> bytes:
    messages = [{"role": "user", "content": "hello"}]
    return json.dumps({"model": "fake-model", "messages": messages, "stream": stream}).encode()


def stream_chat(transport: Transport, base_url: str, **options) -> str:
    """POST a streamed chat call and read it as the pipeline does (first piece by a deadline,
    then `started()` and read1 until the end): the text of its deltas, and "[DONE]" if seen."""
    headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}
    with transport.post(
        f"{base_url}/chat/completions", chat_body(), headers, provider=PROVIDER, **options
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        raw = response.read1_by(time.monotonic() + READ_TIMEOUT)
        response.started()
        while piece := response.read1():
            raw += piece
    return text_of_stream(raw)


def text_of_stream(raw: bytes) -> str:
    text = []
    for event in raw.decode().split("\n\n"):
        data = event.removeprefix("data: ")
        if data == "[DONE]":
            text.append("[DONE]")
        elif data:
            for choice in json.loads(data)["choices"]:
                text.append(choice["delta"].get("content") or "")
    return "".join(text)


def failed_call(transport: Transport, base_url: str) -> UpstreamUnreachableError:
    with pytest.raises(UpstreamUnreachableError) as caught:
        stream_chat(transport, base_url)
    return caught.value


# --- HTTP and HTTPS proxies ------------------------------------------------------------------


def test_http_proxy_tunnels_an_https_stream_with_connect(
    request, upstream, https_upstream, http_proxy, ca_bundle
):
    upstream.add(Behavior(chunks=WORDS))
    transport = proxied(request, ProxyRoute(http_proxy.url(), ca_bundle))

    assert stream_chat(transport, https_upstream.url()) == "Through the proxy intact.[DONE]"

    assert http_proxy.tunnels == [f"127.0.0.1:{https_upstream.port}"]
    assert http_proxy.forwarded == []
    [received] = upstream.requests
    assert received.path == "/v1/chat/completions"
    assert received.api_key == API_KEY  # inside the tunnel, not seen by the proxy
    assert received.body["messages"] == [{"role": "user", "content": "hello"}]


def test_https_proxy_speaks_tls_and_tunnels(request, upstream, https_upstream, ca_bundle):
    proxy = started(request, HttpProxy(tls=server_tls(request.getfixturevalue("certificate"))))
    upstream.add(Behavior(chunks=WORDS))
    transport = proxied(request, ProxyRoute(proxy.url(), ca_bundle))

    assert proxy.url().startswith("https://")
    assert stream_chat(transport, https_upstream.url()) == "Through the proxy intact.[DONE]"
    assert proxy.tunnels == [f"127.0.0.1:{https_upstream.port}"]


def test_http_proxy_forwards_a_plain_http_call(request, upstream, http_proxy):
    upstream.add(Behavior(chunks=WORDS))
    transport = proxied(request, ProxyRoute(http_proxy.url()))

    assert stream_chat(transport, upstream.url) == "Through the proxy intact.[DONE]"

    assert http_proxy.forwarded == [f"POST {upstream.url}/chat/completions"]
    assert http_proxy.tunnels == []
    assert upstream.requests[0].api_key == API_KEY


def test_connections_through_a_proxy_are_kept_alive(request, upstream, https_upstream, http_proxy):
    transport = proxied(request, ProxyRoute(http_proxy.url(), request.getfixturevalue("ca_bundle")))

    for _ in range(3):
        assert stream_chat(transport, https_upstream.url()).endswith("[DONE]")

    assert len(http_proxy.tunnels) == 1  # one tunnel carried the three calls
    assert len(upstream.requests) == 3


def test_proxy_credentials_from_the_url_are_sent(request, upstream, https_upstream, ca_bundle):
    proxy = started(request, HttpProxy(credentials=CREDENTIALS))
    upstream.add(Behavior(chunks=WORDS))
    transport = proxied(request, ProxyRoute(proxy.url(CREDENTIALS_IN_URL), ca_bundle))

    assert stream_chat(transport, https_upstream.url()) == "Through the proxy intact.[DONE]"
    assert proxy.refused == []
    assert proxy.tunnels == [f"127.0.0.1:{https_upstream.port}"]


def test_a_407_from_the_proxy_is_a_clean_502(request, upstream, https_upstream, ca_bundle):
    proxy = started(request, HttpProxy(credentials=CREDENTIALS))
    transport = proxied(request, ProxyRoute(proxy.url(), ca_bundle))

    error = failed_call(transport, https_upstream.url())

    assert error.status == 502
    assert isinstance(error.__cause__, ProxyRefused)
    assert f"provider '{PROVIDER}' is unreachable" in error.message
    assert "407 Proxy Authentication Required" in error.message
    [refused] = proxy.refused
    assert refused.startswith(f"CONNECT 127.0.0.1:{https_upstream.port} HTTP/1.")
    assert proxy.tunnels == []
    assert upstream.requests == []


def test_a_proxy_that_is_not_there_is_a_clean_502(request, https_upstream, ca_bundle):
    closed = started(request, HttpProxy())
    url = closed.url()
    closed.stop()  # the port is free now: nothing listens
    transport = proxied(request, ProxyRoute(url, ca_bundle))

    error = failed_call(transport, https_upstream.url())

    assert error.status == 502
    assert isinstance(error.__cause__, ProxyRefused)
    assert "connection refused" in error.message.lower()


def test_an_untrusted_certificate_behind_the_tunnel_is_a_clean_502(
    request, upstream, https_upstream, http_proxy
):
    transport = proxied(request, ProxyRoute(http_proxy.url()))  # the system's CAs only

    error = failed_call(transport, https_upstream.url())

    assert error.status == 502
    assert isinstance(error.__cause__, ssl.SSLCertVerificationError)
    assert "SSLCertVerificationError" in error.message
    assert http_proxy.tunnels == [f"127.0.0.1:{https_upstream.port}"]
    assert upstream.requests == []


# --- SOCKS5 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "host", "seen_by_proxy"),
    [
        ("socks5", "127.0.0.1", "127.0.0.1"),  # the gateway resolves, the proxy gets an address
        ("socks5h", "localhost", "localhost"),  # the proxy resolves the name
    ],
)
def test_socks5_proxy_carries_a_stream(request, upstream, socks_proxy, scheme, host, seen_by_proxy):
    upstream.add(Behavior(chunks=WORDS))
    transport = proxied(request, ProxyRoute(socks_proxy.url(scheme)))

    answer = stream_chat(transport, f"http://{host}:{upstream.port}/v1")

    assert answer == "Through the proxy intact.[DONE]"
    assert socks_proxy.targets == [(seen_by_proxy, upstream.port)]
    assert upstream.requests[0].api_key == API_KEY


def test_socks5_proxy_tunnels_https_with_the_ca_bundle(
    request, upstream, https_upstream, socks_proxy, ca_bundle
):
    upstream.add(Behavior(chunks=WORDS))
    transport = proxied(request, ProxyRoute(socks_proxy.url(), ca_bundle))

    assert stream_chat(transport, https_upstream.url()) == "Through the proxy intact.[DONE]"
    assert socks_proxy.targets == [("127.0.0.1", https_upstream.port)]


def test_socks5_username_and_password(request, upstream):
    proxy = started(request, Socks5Proxy(credentials=CREDENTIALS))
    upstream.add(Behavior(chunks=WORDS))
    good = proxied(request, ProxyRoute(proxy.url(credentials=CREDENTIALS_IN_URL)))
    bad = proxied(request, ProxyRoute(proxy.url(credentials="alice:wrong")))

    assert stream_chat(good, upstream.url) == "Through the proxy intact.[DONE]"
    error = failed_call(bad, upstream.url)

    assert error.status == 502
    assert isinstance(error.__cause__, ProxyRefused)
    assert proxy.targets == [("127.0.0.1", upstream.port)]  # the refused call never asked
    assert len(upstream.requests) == 1


def test_a_socks_refusal_is_a_clean_502(request, upstream):
    proxy = started(request, Socks5Proxy(refuse=True))
    transport = proxied(request, ProxyRoute(proxy.url()))

    error = failed_call(transport, upstream.url)

    assert error.status == 502
    assert isinstance(error.__cause__, ProxyRefused)
    assert "connection not allowed by ruleset" in error.message.lower()
    assert proxy.targets == [("127.0.0.1", upstream.port)]
    assert upstream.requests == []


# --- reading a proxied answer ----------------------------------------------------------------


def test_a_silent_stream_through_a_proxy_times_out_at_the_deadline(request, upstream, socks_proxy):
    upstream.add(Behavior(chunks=WORDS, first_event_delay=3.0))
    transport = proxied(request, ProxyRoute(socks_proxy.url()))
    headers = {"Authorization": f"Bearer {API_KEY}"}

    with transport.post(
        f"{upstream.url}/chat/completions", chat_body(), headers, provider=PROVIDER
    ) as response:
        assert response.status_code == 200
        with pytest.raises(TimeoutError) as caught:
            response.read1_by(time.monotonic() + 0.3)

    assert network_error(caught.value, PROVIDER, "first event").status == 504


def test_a_stream_cut_through_a_proxy_is_a_network_error(request, upstream, socks_proxy):
    upstream.add(Behavior(chunks=WORDS, reset_after_chunks=2))
    transport = proxied(request, ProxyRoute(socks_proxy.url()))
    headers = {"Authorization": f"Bearer {API_KEY}"}

    with (
        transport.post(
            f"{upstream.url}/chat/completions", chat_body(), headers, provider=PROVIDER
        ) as response,
        pytest.raises(OSError) as caught,
    ):
        while response.read1():
            pass

    assert network_error(caught.value, PROVIDER, "stream interrupted").status == 502


def test_a_whole_answer_and_a_get_through_a_proxy(request, upstream, socks_proxy):
    transport = proxied(request, ProxyRoute(socks_proxy.url()))
    headers = {"Authorization": f"Bearer {API_KEY}"}

    with transport.post(
        f"{upstream.url}/chat/completions", chat_body(stream=False), headers, provider=PROVIDER
    ) as response:
        answer = json.loads(response.read_all())
    with transport.get(f"{upstream.url}/models", headers, provider=PROVIDER) as listing:
        models = json.loads(listing.read_all())

    assert answer["choices"][0]["message"]["content"] == "echo: hello"
    assert [model["id"] for model in models["data"]] == ["fake-model"]
    assert [r.method for r in upstream.requests] == ["POST", "GET"]


# --- the selector ----------------------------------------------------------------------------


def test_a_call_without_a_route_goes_direct(selector, upstream, http_proxy):
    upstream.add(Behavior(chunks=WORDS))

    assert selector.for_route(None) is selector.direct
    assert selector.for_route(DIRECT) is selector.direct
    assert isinstance(selector.direct, WireTransport)
    assert stream_chat(selector, upstream.url) == "Through the proxy intact.[DONE]"
    with selector.get(f"{upstream.url}/models", {}, provider=PROVIDER) as response:
        assert isinstance(response, WireResponse)
        response.read_all()
    assert http_proxy.tunnels == http_proxy.forwarded == []


def test_each_call_goes_the_way_its_route_says(selector, upstream, socks_proxy, http_proxy):
    socks, http = ProxyRoute(socks_proxy.url()), ProxyRoute(http_proxy.url())

    assert stream_chat(selector, upstream.url, route=socks).endswith("[DONE]")
    assert stream_chat(selector, upstream.url, route=http).endswith("[DONE]")
    assert stream_chat(selector, upstream.url).endswith("[DONE]")

    assert socks_proxy.targets == [("127.0.0.1", upstream.port)]
    assert http_proxy.forwarded == [f"POST {upstream.url}/chat/completions"]
    assert len(upstream.requests) == 3


def test_one_transport_per_route(selector, socks_proxy, ca_bundle):
    route = ProxyRoute(socks_proxy.url())
    same = ProxyRoute(socks_proxy.url())
    bundled = ProxyRoute(socks_proxy.url(), ca_bundle)

    first = selector.for_route(route)
    assert isinstance(first, ProxyTransport)
    assert selector.for_route(same) is first
    assert selector.for_route(bundled) is not first


def test_a_ca_bundle_without_a_proxy_uses_the_direct_transport(
    selector, upstream, https_upstream, ca_bundle
):
    upstream.add(Behavior(chunks=WORDS))
    trusting = ProxyRoute(ca_bundle=ca_bundle)

    transport = selector.for_route(trusting)
    assert isinstance(transport, WireTransport)
    assert transport is not selector.direct
    answer = stream_chat(selector, https_upstream.url(), route=trusting)
    assert answer == "Through the proxy intact.[DONE]"

    error = failed_call(selector, https_upstream.url())  # direct: the system's CAs only
    assert isinstance(error.__cause__, ssl.SSLCertVerificationError)


def test_an_unreadable_ca_bundle_is_a_clean_502(selector, upstream, tmp_path):
    missing = ProxyRoute(ca_bundle=str(tmp_path / "no-such-bundle.pem"))

    with pytest.raises(UpstreamUnreachableError) as caught:
        selector.post(
            f"{upstream.url}/chat/completions", b"{}", {}, provider=PROVIDER, route=missing
        )

    assert caught.value.status == 502
    assert "the CA bundle" in caught.value.message
    assert "no-such-bundle.pem" in caught.value.message
    assert upstream.requests == []


# --- the pipeline's code on a proxied transport ----------------------------------------------


def test_the_connection_test_runs_through_a_proxy(request, upstream, socks_proxy):
    transport = proxied(request, ProxyRoute(socks_proxy.url()))
    account = ActiveConnection(1, "openai", "proxied", API_KEY, upstream.url, 1)

    result = run_connection_test(transport, PROVIDERS["openai"], account, "fake-model")

    assert result.ok, result.error
    assert socks_proxy.targets == [("127.0.0.1", upstream.port)]
    assert upstream.requests[0].api_key == API_KEY
    assert upstream.requests[0].body["max_tokens"] == 1
