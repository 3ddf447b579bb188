"""How an upstream call leaves the gateway: directly or through an outbound proxy, trusting the
system's certificate authorities or a CA bundle of the user's.

A `ProxyRoute` is a value (hashable, compared by its fields), so equal routes share one
transport and its connection pool. Proxy URLs: `http://` and `https://` proxies (HTTP CONNECT
tunnels; `https://` speaks TLS to the proxy too), `socks5://` (names resolved by the gateway),
`socks5h://` (names resolved by the proxy), `socks4://` and `socks4a://`; credentials go in
the URL (`http://user:password@proxy:3128`, percent-encoded). Proxy environment variables are
never read: a route is explicit.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

HTTP_PROXY_SCHEMES = frozenset({"http", "https"})
SOCKS_PROXY_SCHEMES = frozenset({"socks4", "socks4a", "socks5", "socks5h"})
PROXY_SCHEMES = HTTP_PROXY_SCHEMES | SOCKS_PROXY_SCHEMES


@dataclass(frozen=True, slots=True)
class ProxyRoute:
    """A proxy URL or None (direct), and a CA bundle path or None (the system's CAs).
    A malformed proxy URL is a ValueError saying what is wrong."""

    proxy_url: str | None = None
    ca_bundle: str | None = None

    def __post_init__(self) -> None:
        if self.proxy_url is not None:
            check_proxy_url(self.proxy_url)
        if self.ca_bundle is not None and not self.ca_bundle.strip():
            raise ValueError("the CA bundle path is empty")

    @property
    def is_direct(self) -> bool:
        """No proxy and no CA bundle: the default transport serves it."""
        return self.proxy_url is None and self.ca_bundle is None

    @property
    def proxy_scheme(self) -> str | None:
        return None if self.proxy_url is None else urlsplit(self.proxy_url).scheme.lower()

    def __repr__(self) -> str:  # the proxy URL may hold a password
        shown = None if self.proxy_url is None else redact_proxy_url(self.proxy_url)
        return f"ProxyRoute(proxy_url={shown!r}, ca_bundle={self.ca_bundle!r})"


DIRECT = ProxyRoute()


def with_own_ca_bundle(configured: ProxyRoute | None, own: ProxyRoute | None) -> ProxyRoute | None:
    """The configured route of a call whose own route names the CA bundle its host needs
    (a cloud platform's): the configured proxy, trusting the call's CA bundle."""
    if own is None or own.ca_bundle is None:
        return configured
    if configured is None:
        return own
    return ProxyRoute(configured.proxy_url, own.ca_bundle)


def check_proxy_url(url: str) -> None:
    """Refuse a proxy URL the transports cannot use, naming the problem."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:  # e.g. a port out of range
        raise ValueError(f"the proxy URL is malformed: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in PROXY_SCHEMES:
        allowed = ", ".join(sorted(PROXY_SCHEMES))
        raise ValueError(f"the proxy URL's scheme must be one of {allowed}, not {scheme!r}")
    if not parts.hostname:
        raise ValueError("the proxy URL names no host")
    if parts.path not in ("", "/") or parts.query or parts.fragment or port == 0:
        raise ValueError("the proxy URL is scheme://[user:password@]host[:port], nothing more")


def redact_proxy_url(url: str) -> str:
    """The proxy URL without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{parts.username}:***@{host}").geturl()


def tls_context(ca_bundle: str | None) -> ssl.SSLContext | None:
    """A client TLS context trusting only `ca_bundle` (None: the default context, made by the
    transport). An unreadable bundle raises OSError or ssl.SSLError."""
    if ca_bundle is None:
        return None
    return ssl.create_default_context(cafile=ca_bundle)
