"""The proxied transport: upstream calls through an outbound proxy, on urllib3.

HTTP and HTTPS proxies go through urllib3's ProxyManager: an `https://` upstream is reached
through an HTTP CONNECT tunnel (TLS end to end with the provider), an `http://` one is forwarded
(the request sent to the proxy in absolute form); an `https://` proxy is itself spoken to over
TLS. SOCKS proxies go through urllib3's SOCKSProxyManager on PySocks. Credentials in the proxy
URL are sent (Proxy-Authorization: Basic, or the SOCKS5 username and password). The route's CA
bundle, when it names one, is the trust for the provider's certificate and an HTTPS proxy's.
Nothing is retried and no redirect is followed, as on the direct path.

urllib3's failures leave as the OSErrors every transport raises (errors.py): timeouts as
TimeoutError, a proxy that refuses or cannot open the tunnel as ProxyRefused with its reason, a
TLS failure as its ssl error, the rest as ConnectionError with urllib3's text.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

import urllib3
from urllib3.contrib.socks import SOCKSProxyManager
from urllib3.exceptions import (
    HTTPError,
    NewConnectionError,
    ProxyError,
)
from urllib3.exceptions import (
    SSLError as Urllib3SSLError,
)
from urllib3.exceptions import (
    TimeoutError as Urllib3TimeoutError,
)

from .base import READ_SIZE, SendingTransport, StreamingResponse, Timeout
from .errors import ProxyRefused, network_error
from .http_wire import USER_AGENT
from .route import SOCKS_PROXY_SCHEMES, ProxyRoute

MAX_ORIGINS = 64  # connection pools (one per upstream origin) kept per proxy
NEW_CONNECTION_FAILED = ": Failed to establish a new connection: "


class ProxiedResponse(StreamingResponse):
    """A provider's answer read through urllib3, with the same read deadlines as the direct
    path. Closing hands a fully read connection back to urllib3's pool and closes one left
    half-read."""

    def __init__(self, raw: urllib3.BaseHTTPResponse, idle_timeout: float | None):
        self._raw = raw
        self._idle_timeout = idle_timeout
        self._on_close = []
        self._complete = False
        self.status_code = raw.status
        self.headers = raw.headers

    def _set_socket_timeout(self, seconds: float) -> None:
        connection = self._raw.connection
        sock = getattr(connection, "sock", None)
        if sock is not None:
            sock.settimeout(seconds)

    def read1(self, amount: int = READ_SIZE) -> bytes:
        """Whatever has arrived (up to `amount` bytes, decoded), waiting only for the first."""
        try:
            data = self._raw.read1(amount)
        except (HTTPError, OSError) as error:
            raise as_os_error(error) from error
        if not data:
            self._complete = True
        return data

    def read_all(self, limit: int | None = None) -> bytes:
        try:
            data = self._raw.read(limit)
        except (HTTPError, OSError) as error:
            raise as_os_error(error) from error
        if limit is None or len(data) < limit:
            self._complete = True
        return data

    def close(self) -> None:
        raw = self._raw
        if not self._complete:
            raw.close()  # a half-read answer: its connection is not reused
        raw.release_conn()
        self._run_close_callbacks()


class ProxyTransport(SendingTransport[ProxiedResponse]):
    """Upstream calls through the proxy of one `ProxyRoute` (it must name one), at most
    `pool_size` connections kept per upstream origin."""

    def __init__(
        self,
        route: ProxyRoute,
        pool_size: int,
        connect_timeout: float,
        read_timeout: float,
        idle_timeout: float | None = None,
    ):
        self.route = route
        self.timeout: Timeout = (connect_timeout, read_timeout)
        self.idle_timeout = idle_timeout
        self._manager = proxy_manager(route, pool_size)
        self._socks = route.proxy_scheme in SOCKS_PROXY_SCHEMES

    def _send(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: Mapping[str, str],
        provider: str,
        timeout: Timeout | None,
    ) -> ProxiedResponse:
        connect, read = timeout or self.timeout
        try:
            raw = self._manager.request(
                method,
                url,
                body=body,
                headers=with_defaults(headers),
                preload_content=False,
                decode_content=True,
                retries=False,
                redirect=False,
                timeout=urllib3.Timeout(connect=connect, read=read),
            )
        except (HTTPError, OSError, ValueError) as exc:
            error = as_os_error(exc, socks=self._socks)
            raise network_error(error, provider, url) from error
        return ProxiedResponse(raw, read if self.idle_timeout is None else self.idle_timeout)

    def close(self) -> None:
        self._manager.clear()


def proxy_manager(route: ProxyRoute, pool_size: int) -> urllib3.PoolManager:
    """urllib3's manager for the route's proxy, trusting the route's CA bundle if it has one."""
    if route.proxy_url is None:
        raise ValueError("a proxied transport needs a route with a proxy URL")
    options: dict[str, Any] = {"num_pools": MAX_ORIGINS, "maxsize": pool_size, "block": False}
    if route.ca_bundle is not None:
        options["ca_certs"] = route.ca_bundle
    parts = urlsplit(route.proxy_url)
    scheme = parts.scheme.lower()
    if scheme in SOCKS_PROXY_SCHEMES:
        return SOCKSProxyManager(route.proxy_url, **options)
    proxy_headers: dict[str, str] = {}
    if parts.username is not None:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        proxy_headers = urllib3.make_headers(
            proxy_basic_auth=credentials,
            proxy_basic_auth_encoding=credentials_encoding(credentials),
        )
    bare_url = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
    return urllib3.ProxyManager(bare_url, proxy_headers=proxy_headers, **options)


def credentials_encoding(credentials: str) -> str:
    """Latin-1 as proxies have long read Basic credentials; UTF-8 (RFC 7617's charset) for a
    name or password Latin-1 cannot hold, rather than failing the call."""
    try:
        credentials.encode("latin-1")
    except UnicodeEncodeError:
        return "utf-8"
    return "latin-1"


def with_defaults(headers: Mapping[str, str]) -> dict[str, str]:
    """The request headers, with the gateway's User-Agent unless the caller set one."""
    merged = dict(headers)
    if not any(name.lower() == "user-agent" for name in merged):
        merged["User-Agent"] = USER_AGENT
    return merged


def as_os_error(error: BaseException, socks: bool = False) -> OSError:
    """The OSError a transport raises for one of urllib3's failures (see the module's doc);
    through a SOCKS proxy, failing to open a connection is the proxy's failure."""
    if isinstance(error, ProxyError):
        cause = error.original_error
        if isinstance(cause, Urllib3TimeoutError | TimeoutError) and not isinstance(
            cause, NewConnectionError
        ):
            return TimeoutError(f"the proxy timed out: {short_reason(cause)}")
        return ProxyRefused(f"the proxy refused or failed: {short_reason(cause)}")
    if isinstance(error, NewConnectionError):
        if socks:
            return ProxyRefused(f"the SOCKS proxy refused or failed: {short_reason(error)}")
        return ConnectionError(short_reason(error))
    if isinstance(error, Urllib3TimeoutError):  # ReadTimeoutError, ConnectTimeoutError
        return TimeoutError(str(error))
    if isinstance(error, Urllib3SSLError):
        tls_error = error.args[0] if error.args else None
        return tls_error if isinstance(tls_error, ssl.SSLError) else ConnectionError(str(error))
    if isinstance(error, OSError):
        return error
    return ConnectionError(str(error))


def short_reason(error: BaseException) -> str:
    """An urllib3 error's own message, without the connection object it names."""
    if isinstance(error, NewConnectionError):  # "<connection object>: <message>"
        text = str(error)
        return text.partition(NEW_CONNECTION_FAILED)[2] or text.partition(">: ")[2] or text
    if isinstance(error, ProxyError):
        return short_reason(error.original_error)
    return str(error)
