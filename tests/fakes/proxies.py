"""Tiny outbound proxies on 127.0.0.1 for the proxied transport's tests, and a TLS front.

- `HttpProxy`: an HTTP proxy. CONNECT opens a tunnel (the target is recorded in `tunnels`);
  any other method is a forwarded request in absolute form (recorded in `forwarded`; the bytes
  then go on to the target as they are, which the fake upstream accepts). Given `credentials`
  ("user:password") it answers 407 to a request without the matching Basic Proxy-Authorization;
  given a TLS context it is an HTTPS proxy (TLS between the client and the proxy).
- `Socks5Proxy`: a SOCKS5 proxy (RFC 1928), CONNECT only, with no authentication or, given
  `credentials`, username/password (RFC 1929). Targets are recorded in `targets` as
  (host, port), the host as the client sent it (an IP address, or a name for socks5h).
  `refuse = True` makes it answer every CONNECT with reply 0x02 (not allowed by ruleset).
- `TlsFront`: HTTPS on its own port in front of a plain HTTP server (e.g. the fake upstream).

Each serves a connection in a thread of its own and relays bytes both ways until either side
closes.
"""

from __future__ import annotations

import base64
import select
import socket
import ssl
import struct
from urllib.parse import urlsplit

from tests.fakes.loopback import LoopbackServer, shut


class RelayServer(LoopbackServer):
    """A loopback server that opens connections to targets and relays bytes between them."""

    def connect(self, host: str, port: int) -> socket.socket:
        """A connection to a target, closed when the server stops."""
        sock = socket.create_connection((host, port), timeout=self.step_timeout)
        self._keep(sock)
        return sock

    def relay(self, one: socket.socket, other: socket.socket) -> None:
        """Copy bytes both ways until either side ends (or both stay silent `step_timeout`), in
        this one thread: a TLS socket is never read and written by two threads at once."""
        peers = {one: other, other: one}
        try:
            while True:
                ready = [s for s in peers if isinstance(s, ssl.SSLSocket) and s.pending()]
                if not ready:
                    ready = select.select(list(peers), [], [], self.step_timeout)[0]
                if not ready:
                    return
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    peers[sock].sendall(data)
        except (OSError, ValueError):  # ValueError: the test closed a socket (fileno -1)
            return
        finally:
            shut(other)


def read_head(sock: socket.socket) -> bytes:
    """A request's head, read byte by byte so nothing after it is taken from the socket."""
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        byte = sock.recv(1)
        if not byte:
            raise ConnectionError("the client closed before its request's end")
        head += byte
    return head


class HttpProxy(RelayServer):
    def __init__(self, credentials: str | None = None, tls: ssl.SSLContext | None = None):
        super().__init__(tls)
        self.credentials = credentials
        self.scheme = "https" if tls else "http"
        self.tunnels: list[str] = []  # CONNECT targets, "host:port"
        self.forwarded: list[str] = []  # forwarded request lines, "METHOD absolute-URL"
        self.refused: list[str] = []  # request lines answered 407

    def url(self, credentials: str | None = None) -> str:
        userinfo = f"{credentials}@" if credentials else ""
        return f"{self.scheme}://{userinfo}127.0.0.1:{self.port}"

    def serve(self, client: socket.socket) -> None:
        head = read_head(client)
        request_line, *lines = head.decode("latin-1").split("\r\n")
        method, target, _version = request_line.split(" ", 2)
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if self.credentials is not None and not self._authorized(headers):
            self.refused.append(request_line)
            client.sendall(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                b'Proxy-Authenticate: Basic realm="test"\r\n'
                b"Content-Length: 0\r\nConnection: close\r\n\r\n"
            )
            return
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            self.tunnels.append(target)
            upstream = self.connect(host.strip("[]"), int(port))
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        else:
            self.forwarded.append(f"{method} {target}")
            parts = urlsplit(target)
            upstream = self.connect(parts.hostname or "", parts.port or 80)
            upstream.sendall(head)
        self.relay(client, upstream)

    def _authorized(self, headers: dict[str, str]) -> bool:
        expected = base64.b64encode((self.credentials or "").encode()).decode()
        return headers.get("proxy-authorization") == f"Basic {expected}"


class Socks5Proxy(RelayServer):
    def __init__(self, credentials: str | None = None, refuse: bool = False):
        super().__init__()
        self.credentials = credentials
        self.refuse = refuse
        self.targets: list[tuple[str, int]] = []

    def url(self, scheme: str = "socks5", credentials: str | None = None) -> str:
        userinfo = f"{credentials}@" if credentials else ""
        return f"{scheme}://{userinfo}127.0.0.1:{self.port}"

    def serve(self, client: socket.socket) -> None:
        version, count = receive(client, 2)
        methods = receive(client, count)
        wanted = 0x00 if self.credentials is None else 0x02
        if version != 5 or wanted not in methods:
            client.sendall(b"\x05\xff")
            return
        client.sendall(bytes([5, wanted]))
        if self.credentials is not None and not self._authenticated(client):
            return
        _version, command, _reserved, kind = receive(client, 4)
        host = self._address(client, kind)
        (port,) = struct.unpack("!H", receive(client, 2))
        self.targets.append((host, port))
        if self.refuse or command != 1:
            client.sendall(b"\x05\x02\x00\x01\x00\x00\x00\x00\x00\x00")
            return
        upstream = self.connect(host, port)
        client.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + b"\x00\x00")
        self.relay(client, upstream)

    def _authenticated(self, client: socket.socket) -> bool:
        (_version, length) = receive(client, 2)
        user = receive(client, length).decode()
        (length,) = receive(client, 1)
        password = receive(client, length).decode()
        accepted = f"{user}:{password}" == self.credentials
        client.sendall(b"\x01\x00" if accepted else b"\x01\x01")
        return accepted

    @staticmethod
    def _address(client: socket.socket, kind: int) -> str:
        if kind == 1:
            return socket.inet_ntoa(receive(client, 4))
        if kind == 3:
            (length,) = receive(client, 1)
            return receive(client, length).decode("idna")
        return socket.inet_ntop(socket.AF_INET6, receive(client, 16))


def receive(sock: socket.socket, size: int) -> bytes:
    """Exactly `size` bytes."""
    data = b""
    while len(data) < size:
        piece = sock.recv(size - len(data))
        if not piece:
            raise ConnectionError("the client closed mid-handshake")
        data += piece
    return data


class TlsFront(RelayServer):
    """HTTPS on `port`, relayed as plain bytes to `target_port` on 127.0.0.1."""

    def __init__(self, tls: ssl.SSLContext, target_port: int):
        super().__init__(tls)
        self.target_port = target_port

    def url(self, path: str = "/v1") -> str:
        return f"https://127.0.0.1:{self.port}{path}"

    def serve(self, client: socket.socket) -> None:
        self.relay(client, self.connect("127.0.0.1", self.target_port))


def server_tls(certificate: tuple[str, str]) -> ssl.SSLContext:
    """A server-side TLS context presenting the test certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context
