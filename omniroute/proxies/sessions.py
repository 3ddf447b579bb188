"""The requests session of the sign-in, token renewal and quota calls, routed like every other
upstream call: through the proxy of the provider the call's URL belongs to (the provider whose
sign-in or API URL shares the longest prefix with it, on the same origin), else the global
proxy, else the environment's (resolve.py). The process environment is not read by requests
itself: the gateway's own settings decide."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields
from http.cookiejar import DefaultCookiePolicy
from os.path import commonprefix
from urllib.parse import urlsplit

import requests

from ..oauth.provider import OAuthProvider
from ..providers import PROVIDERS
from .resolve import ProxyResolver


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


def url_owners(oauth_providers: Iterable[OAuthProvider]) -> list[tuple[str, str]]:
    """(URL, provider id) for the catalog's API URLs and the sign-in declarations' URLs."""
    owners = [(spec.base_url, spec.id) for spec in PROVIDERS.values() if spec.base_url]
    for provider in oauth_providers:
        for field in fields(provider):
            value = getattr(provider, field.name)
            if field.name.endswith("_url") and isinstance(value, str) and value:
                owners.append((value, provider.id))
    return owners


def owner_of(url: str, owners: Sequence[tuple[str, str]]) -> str:
    """The provider whose URL shares the longest prefix with `url` on its origin ("": none)."""
    origin = _origin(url)
    best, best_length = "", -1
    for known, provider in owners:
        if _origin(known) != origin:
            continue
        length = len(commonprefix([known, url]))
        if length > best_length:
            best, best_length = provider, length
    return best


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()
