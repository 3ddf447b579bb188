"""The gateway's upstream: the transport selector, with each call's route chosen by the proxy
settings (resolve.py).

A call that names its route (an attempt's UpstreamCall carries the route of its API key, combo
and provider) keeps it; any other call (audio, key checks, quota polls) takes its provider's
route. With no proxy configured anywhere the resolver is idle and the call goes straight to the
selector's direct transport. A call that fails on a proxy names the proxy (its password hidden)
in its error, so the user knows which hop is down; the pipeline then falls back as for any
unreachable upstream.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from ..errors import UpstreamError
from ..proxy.transport import Timeout, TransportSelector, UpstreamResponse
from ..proxy.transport.route import ProxyRoute, redact_proxy_url, with_own_ca_bundle
from .resolve import ProxyResolver


class RoutedUpstream:
    """A Transport (post, get, close, timeout) routing each call (see the module's doc)."""

    def __init__(self, selector: TransportSelector, resolver: ProxyResolver):
        self.selector = selector
        self.resolver = resolver
        self.timeout: Timeout = selector.timeout
        self.direct = selector.direct

    def post(
        self,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        *,
        provider: str,
        timeout: Timeout | None = None,
        route: ProxyRoute | None = None,
    ) -> UpstreamResponse:
        route = self._route_of(provider, url, route)
        if route is None:
            return self.direct.post(url, body, headers, provider=provider, timeout=timeout)
        with _naming_proxy(route):
            return self.selector.post(
                url, body, headers, provider=provider, timeout=timeout, route=route
            )

    def get(
        self,
        url: str,
        headers: Mapping[str, str],
        *,
        provider: str,
        timeout: Timeout | None = None,
        route: ProxyRoute | None = None,
    ) -> UpstreamResponse:
        route = self._route_of(provider, url, route)
        if route is None:
            return self.direct.get(url, headers, provider=provider, timeout=timeout)
        with _naming_proxy(route):
            return self.selector.get(url, headers, provider=provider, timeout=timeout, route=route)

    def _route_of(self, provider: str, url: str, route: ProxyRoute | None) -> ProxyRoute | None:
        """The call's own route, else its provider's (None: direct, on the fast transport); a
        route that only names the CA bundle its host needs takes the provider's proxy."""
        own_ca_only = route is not None and route.proxy_url is None and route.ca_bundle is not None
        if self.resolver.idle or (route is not None and not own_ca_only):
            return route
        return with_own_ca_bundle(self.resolver.route_for(provider, url), route)

    def for_route(self, route: ProxyRoute | None):
        return self.selector.for_route(route)

    def close(self) -> None:
        self.selector.close()


@contextmanager
def _naming_proxy(route: ProxyRoute) -> Iterator[None]:
    """Name in a failed call's error the proxy it went through (password hidden)."""
    try:
        yield
    except UpstreamError as error:
        if route.proxy_url is not None:
            shown = redact_proxy_url(route.proxy_url)
            error.message = f"{error.message} (through the proxy {shown})"
            error.args = (error.message,)
        raise
