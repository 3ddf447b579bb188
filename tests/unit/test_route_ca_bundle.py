"""A call's own route naming the CA bundle its host needs (GigaChat's) keeps the configured
proxy, and the configured route stands when the call names none."""

from __future__ import annotations

from omniroute.proxy.transport.route import ProxyRoute, with_own_ca_bundle

PROXY = ProxyRoute("http://proxy.internal:3128", "/etc/ssl/company.pem")
OWN = ProxyRoute(ca_bundle="/etc/ssl/russian_trusted_root_ca.pem")


def test_the_configured_route_takes_the_calls_ca_bundle():
    merged = with_own_ca_bundle(PROXY, OWN)
    assert merged == ProxyRoute("http://proxy.internal:3128", OWN.ca_bundle)


def test_without_a_configured_route_the_calls_own_is_used():
    assert with_own_ca_bundle(None, OWN) == OWN


def test_a_call_without_its_own_ca_bundle_keeps_the_configured_route():
    assert with_own_ca_bundle(PROXY, None) == PROXY
    assert with_own_ca_bundle(None, None) is None
    assert with_own_ca_bundle(PROXY, ProxyRoute()) == PROXY
