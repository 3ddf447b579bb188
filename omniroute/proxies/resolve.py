"""Which route one upstream call takes: the first proxy set among its API key, its combo, its
provider and the global level; when no level is set at all, the environment's `HTTPS_PROXY` /
`HTTP_PROXY` (by the URL's scheme, lowercase names too) unless `NO_PROXY` covers the host.

The settings are loaded once and kept until `invalidate()` (every change through the API calls
it); routes are memoised per (key, combo, provider). With nothing configured, no proxy in the
environment and no UPSTREAM_CA_BUNDLE, `idle` is True and the transport does not ask at all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit
from urllib.request import proxy_bypass_environment  # type: ignore[attr-defined]

from ..proxy.transport.route import ProxyRoute
from .config import ProxySettings

ENV_PROXY_SETTINGS = ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY")  # declared in settings.py
ENV_NAMES = {"https": ("HTTPS_PROXY", "https_proxy"), "http": ("HTTP_PROXY", "http_proxy")}


class ProxyResolver:
    """Routes per call (see the module's doc). `load` reads the settings; it runs now and on
    each `invalidate()`, never while a call is being routed."""

    def __init__(
        self,
        load: Callable[[], ProxySettings],
        environ: Mapping[str, str] | None = None,
        ca_bundle: str | None = None,
    ):
        self._load = load
        self._ca_bundle = ca_bundle
        self._default = ProxyRoute(None, ca_bundle) if ca_bundle else None
        self._env = _environment_proxies(environ or {})
        self._lock = threading.Lock()
        self._settings = ProxySettings()
        self._routes: dict[tuple, ProxyRoute | None] = {}
        self.idle = True
        self.invalidate()

    def invalidate(self) -> None:
        """Read the settings again and forget every memoised route."""
        with self._lock:
            self._settings = self._load()
            self._routes = {}
            self.idle = self._settings.is_empty and not self._env and self._default is None

    @property
    def settings(self) -> ProxySettings:
        return self._settings

    def route_for(
        self, provider: str, url: str, combo: str | None = None, key_id: int | None = None
    ) -> ProxyRoute | None:
        """The route for a call to `url` (None: direct, on the fast transport)."""
        cache_key = (provider, combo, key_id)
        routes = self._routes
        if cache_key in routes:
            route = routes[cache_key]
        else:
            route = routes[cache_key] = self._configured(provider, combo, key_id)
        if route is not None:
            return route
        if self._env:
            return self._from_environment(url)
        return self._default

    def _configured(self, provider: str, combo: str | None, key_id: int | None):
        settings = self._settings
        proxy = (
            (settings.keys.get(str(key_id)) if key_id is not None else None)
            or (settings.combos.get(combo) if combo else None)
            or settings.providers.get(provider)
            or settings.global_proxy
        )
        return None if proxy is None else proxy.route(self._ca_bundle)

    def _from_environment(self, url: str) -> ProxyRoute | None:
        parts = urlsplit(url)
        proxy_url = self._env.get(parts.scheme)
        if proxy_url is None or proxy_bypass_environment(parts.hostname or "", self._env):
            return self._default
        return ProxyRoute(proxy_url, self._ca_bundle)


def _environment_proxies(environ: Mapping[str, str]) -> dict[str, str]:
    """{scheme: proxy URL, "no": NO_PROXY} from the environment (a URL without a scheme is
    taken as http://)."""
    found: dict[str, str] = {}
    for scheme, names in ENV_NAMES.items():
        value = next((environ[name] for name in names if environ.get(name)), None)
        if value:
            found[scheme] = value if "://" in value else f"http://{value}"
    if found:
        no_proxy = environ.get("NO_PROXY") or environ.get("no_proxy")
        if no_proxy:
            found["no"] = no_proxy
    return found
