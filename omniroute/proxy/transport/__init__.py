"""Upstream transport: send one request to a provider, read its answer as it arrives.

The rest of the gateway holds a `Transport` and reads `UpstreamResponse`s (base.py); it never
names an implementation. Two implement it:

- `WireTransport` (direct.py, on http_wire.py and http_framing.py): the default and fast path,
  the project's own HTTP/1.1 client with strict RFC 9112 framing (any doubt about an answer's
  framing fails the call and closes the connection);
- `ProxyTransport` (proxied.py): through an HTTP CONNECT, HTTPS or SOCKS proxy, on urllib3's
  ProxyManager / SOCKSProxyManager and PySocks; imported by the first route with a proxy, so a
  gateway without one never loads urllib3.

`TransportSelector` (selector.py) is the Transport the gateway holds: each call goes on the
transport its `ProxyRoute` (route.py: proxy URL or none, CA bundle or none) asks for, direct
when there is none. Network failures become the gateway's errors in one place (errors.py).
"""

from .base import READ_SIZE, StreamingResponse, Timeout, Transport, UpstreamResponse
from .direct import WireResponse, WireTransport
from .errors import ProxyRefused, TransportError, describe_network_error, network_error
from .route import DIRECT, ProxyRoute
from .selector import TransportSelector

__all__ = [
    "DIRECT",
    "READ_SIZE",
    "ProxyRefused",
    "ProxyRoute",
    "StreamingResponse",
    "Timeout",
    "Transport",
    "TransportError",
    "TransportSelector",
    "UpstreamResponse",
    "WireResponse",
    "WireTransport",
    "describe_network_error",
    "network_error",
]
