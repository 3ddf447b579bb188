"""The requests session of the sign-in, token renewal and quota calls, routed like every other
upstream call: through the proxy of the provider the call's URL belongs to (the provider whose
sign-in or API URL shares the longest prefix with it, on the same origin), else the global
proxy, else the environment's (resolve.py). The process environment is not read by requests
itself: the gateway's own settings decide."""

from __future__ import annotations

from collections.abc import Sequence
from http.cookiejar import DefaultCookiePolicy

import requests

from .resolve import ProxyResolver
from .url_owners import owner_of


class RoutedSession(requests.Session):
    def __init__(self, resolver: ProxyResolver, owners: Sequence[tuple[str, str]]):
        super().__init__()
        self.trust_env = False
        self.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # no account's cookie
        # reaches another account's call
        self.resolver = resolver
        self.owners = list(owners)

    def request(self, method, url, *args, **kwargs):
        if not self.resolver.idle:
            route = self.resolver.route_for(owner_of(url, self.owners), url)
            if route is not None and route.proxy_url is not None:
                kwargs.setdefault("proxies", {"http": route.proxy_url, "https": route.proxy_url})
            if route is not None and route.ca_bundle is not None:
                kwargs.setdefault("verify", route.ca_bundle)
        return super().request(method, url, *args, **kwargs)
