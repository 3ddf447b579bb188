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

from collections.abc import Mapping

from ..errors import UpstreamError
from ..proxy.transport import Timeout, TransportSelector, UpstreamResponse
from ..proxy.transport.route import ProxyRoute, redact_proxy_url
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
        if route is None:
            if self.resolver.idle:
                return self.selector.direct.post(
                    url, body, headers, provider=provider, timeout=timeout
                )
            route = self.resolver.route_for(provider, url)
        try:
            return self.selector.post(
                url, body, headers, provider=provider, timeout=timeout, route=route
            )
        except UpstreamError as error:
            _name_proxy(error, route)
            raise

    def get(
        self,
        url: str,
        headers: Mapping[str, str],
        *,
        provider: str,
        timeout: Timeout | None = None,
        route: ProxyRoute | None = None,
    ) -> UpstreamResponse:
        if route is None:
            if self.resolver.idle:
                return self.selector.direct.get(url, headers, provider=provider, timeout=timeout)
            route = self.resolver.route_for(provider, url)
        try:
            return self.selector.get(url, headers, provider=provider, timeout=timeout, route=route)
        except UpstreamError as error:
            _name_proxy(error, route)
            raise

    def for_route(self, route: ProxyRoute | None):
        return self.selector.for_route(route)

    def close(self) -> None:
        self.selector.close()


def _name_proxy(error: UpstreamError, route: ProxyRoute | None) -> None:
    """Name in `error` the proxy the call went through (password hidden)."""
    if route is not None and route.proxy_url is not None:
        shown = redact_proxy_url(route.proxy_url)
        error.message = f"{error.message} (through the proxy {shown})"
        error.args = (error.message,)
