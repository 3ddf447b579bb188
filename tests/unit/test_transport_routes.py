"""Transport routes and network-failure mapping, without sockets: which proxy URLs a ProxyRoute
accepts (and what it says about the others), that its repr hides a proxy password, which
transport the selector keeps for a route (and that it retires the oldest past MAX_ROUTES), and
how urllib3's failures become the OSErrors every transport raises, then the gateway's 502/504."""

from __future__ import annotations

import ssl

import pytest
from urllib3.exceptions import (
    NewConnectionError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
    SSLError,
)

from omniroute.proxy.transport import (
    DIRECT,
    ProxyRefused,
    ProxyRoute,
    TransportError,
    TransportSelector,
    WireTransport,
    describe_network_error,
    network_error,
)
from omniroute.proxy.transport import selector as selector_module
from omniroute.proxy.transport.proxied import ProxyTransport, as_os_error

PROVIDER = "acme"


@pytest.mark.parametrize(
    "url",
    [
        "http://proxy.internal:3128",
        "https://proxy.internal",
        "http://user:p%40ss@10.0.0.1:8080/",
        "socks5://127.0.0.1:1080",
        "socks5h://proxy.internal:1080",
        "socks4://127.0.0.1:1080",
        "socks4a://127.0.0.1:1080",
        "SOCKS5://127.0.0.1:1080",
        "http://[::1]:3128",
    ],
)
def test_proxy_urls_that_routes_accept(url):
    route = ProxyRoute(url)

    assert route.proxy_url == url
    assert not route.is_direct
    assert route.proxy_scheme == url.split(":", 1)[0].lower()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://proxy.internal:21", "scheme must be one of"),
        ("proxy.internal:3128", "scheme must be one of"),
        ("socks://127.0.0.1:1080", "scheme must be one of"),
        ("http://:3128", "names no host"),
        ("http://proxy.internal:3128/path", "nothing more"),
        ("http://proxy.internal:3128?x=1", "nothing more"),
        ("http://proxy.internal:0", "nothing more"),
        ("http://proxy.internal:99999", "malformed"),
    ],
)
def test_proxy_urls_that_routes_refuse(url, says):
    with pytest.raises(ValueError) as caught:
        ProxyRoute(url)

    assert says in str(caught.value)


def test_an_empty_ca_bundle_path_is_refused():
    with pytest.raises(ValueError, match="CA bundle path is empty"):
        ProxyRoute(ca_bundle="  ")


def test_routes_are_values():
    assert ProxyRoute() == DIRECT
    assert DIRECT.is_direct
    assert not ProxyRoute(ca_bundle="/etc/bundle.pem").is_direct
    assert ProxyRoute("socks5://h:1") == ProxyRoute("socks5://h:1")
    assert len({ProxyRoute("socks5://h:1"), ProxyRoute("socks5://h:1"), DIRECT}) == 2


def test_a_route_never_shows_the_proxy_password():
    route = ProxyRoute("http://alice:s3cret@proxy.internal:3128", "/etc/bundle.pem")

    shown = repr(route)

    assert "s3cret" not in shown
    assert "alice:***@proxy.internal:3128" in shown
    assert "/etc/bundle.pem" in shown


class FakeConnection:
    def __str__(self) -> str:
        return "<SOCKSConnection object at 0x1>"


@pytest.mark.parametrize(
    ("error", "kind", "text", "status"),
    [
        (
            ProxyError(
                "Unable to connect to proxy",
                OSError("Tunnel connection failed: 407 Proxy Authentication Required"),
            ),
            ProxyRefused,
            "the proxy refused or failed: Tunnel connection failed: 407 Proxy Authentication",
            502,
        ),
        (
            ProxyError(
                "Unable to connect to proxy",
                NewConnectionError(
                    FakeConnection(),
                    "Failed to establish a new connection: [Errno 111] Connection refused",
                ),
            ),
            ProxyRefused,
            "the proxy refused or failed: [Errno 111] Connection refused",
            502,
        ),
        (
            ReadTimeoutError(None, "/v1/chat", "Read timed out. (read timeout=5)"),
            TimeoutError,
            "Read timed out",
            504,
        ),
        (
            ProtocolError("Connection broken: IncompleteRead(3 bytes read)"),
            ConnectionError,
            "Connection broken",
            502,
        ),
    ],
    ids=["proxy-407", "proxy-not-there", "read-timeout", "stream-cut"],
)
def test_urllib3_failures_become_os_errors(error, kind, text, status):
    mapped = as_os_error(error)

    assert type(mapped) is kind
    assert text in str(mapped)
    assert network_error(mapped, PROVIDER, "calling").status == status


def test_a_failed_connection_through_socks_is_the_proxys_failure():
    error = NewConnectionError(
        FakeConnection(),
        "Failed to establish a new connection: 0x02: Connection not allowed by ruleset",
    )

    through_socks = as_os_error(error, socks=True)
    direct = as_os_error(error)

    assert isinstance(through_socks, ProxyRefused)
    assert str(through_socks) == (
        "the SOCKS proxy refused or failed: 0x02: Connection not allowed by ruleset"
    )
    assert type(direct) is ConnectionError
    assert "SOCKSConnection object" not in str(direct)


def test_a_tls_failure_keeps_its_ssl_error():
    verification = ssl.SSLCertVerificationError("certificate verify failed")

    assert as_os_error(SSLError(verification)) is verification


def test_a_transport_error_is_shown_as_it_says():
    error = network_error(TransportError("the CA bundle '/x' cannot be used"), PROVIDER, "url")

    assert error.status == 502
    assert error.message == (
        f"provider '{PROVIDER}' is unreachable (url): the CA bundle '/x' cannot be used"
    )
    assert describe_network_error(ProxyRefused("the proxy refused")) == "the proxy refused"
    assert describe_network_error(ConnectionResetError("Connection reset by peer")) == (
        "connection reset"
    )


def test_the_selector_keeps_a_transport_per_route_and_retires_the_oldest(monkeypatch):
    monkeypatch.setattr(selector_module, "MAX_ROUTES", 2)
    selector = TransportSelector(4, 1.0, 5.0)
    first, second, third = (ProxyRoute(f"socks5://127.0.0.1:{port}") for port in (1, 2, 3))
    closed = []

    made = selector.for_route(first)
    monkeypatch.setattr(made, "close", lambda: closed.append(first))
    assert isinstance(made, ProxyTransport)
    assert selector.for_route(ProxyRoute("socks5://127.0.0.1:1")) is made
    kept = selector.for_route(second)
    selector.for_route(third)  # a third route: the oldest is closed and forgotten

    assert closed == [first]
    assert selector.for_route(second) is kept
    assert selector.for_route(first) is not made
    assert selector.for_route(DIRECT) is selector.direct
    assert isinstance(selector.direct, WireTransport)
    selector.close()
