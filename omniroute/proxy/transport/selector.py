"""The transport for each call, chosen by its route: what the gateway holds as its upstream.

A call without a route (or with the direct one) goes on the fast direct transport at the cost of
one method call. A route with a CA bundle but no proxy gets a direct transport of its own whose
TLS trusts that bundle; a route with a proxy gets a proxied transport (urllib3). Each distinct
route keeps its transport, and so its connections; past MAX_ROUTES routes the one made first is
closed and forgotten (a response still being read from it finishes first).
A route that cannot be used (a CA bundle that cannot be read) fails the call as an unreachable
upstream naming the reason, like any network failure.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from .base import Timeout, Transport, UpstreamResponse
from .direct import WireTransport
from .errors import TransportError, network_error
from .route import ProxyRoute, tls_context

MAX_ROUTES = 256


class TransportSelector:
    """Sends each call on the transport its `route` asks for (see the module's doc); itself a
    Transport, whose calls without a route go direct."""

    def __init__(
        self,
        pool_size: int,
        connect_timeout: float,
        read_timeout: float,
        idle_timeout: float | None = None,
    ):
        self._settings = (pool_size, connect_timeout, read_timeout, idle_timeout)
        self.direct = WireTransport(pool_size, connect_timeout, read_timeout, idle_timeout)
        self.timeout: Timeout = self.direct.timeout
        self._routed: dict[ProxyRoute, Transport] = {}
        self._lock = threading.Lock()

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
        """POST on the route's transport (direct when `route` is None)."""
        transport = self.direct if route is None else self._for_call(route, provider, url)
        return transport.post(url, body, headers, provider=provider, timeout=timeout)

    def get(
        self,
        url: str,
        headers: Mapping[str, str],
        *,
        provider: str,
        timeout: Timeout | None = None,
        route: ProxyRoute | None = None,
    ) -> UpstreamResponse:
        """GET on the route's transport (direct when `route` is None)."""
        transport = self.direct if route is None else self._for_call(route, provider, url)
        return transport.get(url, headers, provider=provider, timeout=timeout)

    def for_route(self, route: ProxyRoute | None) -> Transport:
        """The transport serving `route`, made on first use. Raises TransportError when the
        route cannot be used."""
        if route is None or route.is_direct:
            return self.direct
        transport = self._routed.get(route)
        if transport is not None:
            return transport
        retired = None
        with self._lock:
            transport = self._routed.get(route)
            if transport is None:
                transport = self._routed[route] = self._make(route)
                retired = self._retire_oldest() if len(self._routed) > MAX_ROUTES else None
        if retired is not None:
            retired.close()
        return transport

    def close(self) -> None:
        """Close every transport's connections (graceful shutdown)."""
        with self._lock:
            routed, self._routed = list(self._routed.values()), {}
        self.direct.close()
        for transport in routed:
            transport.close()

    def _for_call(self, route: ProxyRoute, provider: str, url: str) -> Transport:
        try:
            return self.for_route(route)
        except TransportError as error:
            raise network_error(error, provider, url) from error

    def _make(self, route: ProxyRoute) -> Transport:
        pool_size, connect_timeout, read_timeout, idle_timeout = self._settings
        try:  # read the bundle now, whichever transport uses it: a bad one fails here, named
            tls = tls_context(route.ca_bundle)
        except OSError as error:  # ssl.SSLError included
            raise TransportError(
                f"the CA bundle {route.ca_bundle!r} cannot be used: {error}"
            ) from error
        if route.proxy_url is not None:
            from .proxied import ProxyTransport  # urllib3: loaded for the first proxied route

            return ProxyTransport(route, pool_size, connect_timeout, read_timeout, idle_timeout)
        return WireTransport(pool_size, connect_timeout, read_timeout, idle_timeout, tls)

    def _retire_oldest(self) -> Transport:
        oldest = next(iter(self._routed))
        return self._routed.pop(oldest)
