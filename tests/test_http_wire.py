"""The upstream HTTP/1.1 client (omniroute.proxy.http_wire, wrapped by proxy.upstream) against
real raw-socket servers on 127.0.0.1.

`ScriptedServer` accepts connections in a thread and answers each request it reads with the
exact steps a test scripted for it (bytes to send, pauses, gates the test opens, a close, a
silence); it records every raw request, the connection it came on and how many connections it
accepted, so the tests can tell a reused keep-alive connection from a new one. Covered: bodies
framed by Content-Length, chunks (streamed with read1) and the connection's end; keep-alive
reuse and a server closing idle connections; interim, bodiless and `Connection: close`
answers; gzip and deflate; network failures mapped to 502/504; header parsing and the request
head; closing a half-read answer.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from collections import deque
from dataclasses import dataclass

import pytest

from omniroute.errors import UpstreamTimeoutError, UpstreamUnreachableError
from omniroute.proxy import http_wire
from omniroute.proxy.upstream import UpstreamClient, network_error

pytestmark = pytest.mark.timeout(15)

CONNECT_TIMEOUT = READ_TIMEOUT = 1.0
STEP_TIMEOUT = 5.0  # the longest a server thread waits for a gate or a request
PROVIDER = "acme"
CLOSE = object()  # script step: close the connection
HANG = object()  # script step: say nothing until the server stops


@dataclass
class Received:
    conn: int  # the number of the connection it came on, from 0
    raw: bytes

    @property
    def request_line(self) -> str:
        return self.raw.split(b"\r\n", 1)[0].decode()

    def header_lines(self) -> list[str]:
        return self.raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]


class ScriptedServer:
    """A raw-socket HTTP server: the n-th request it reads gets the n-th scripted answer."""

    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.received: list[Received] = []
        self.accepted = 0
        self.closed = 0  # connections this server closed
        self._answers: deque[list] = deque()
        self._gates: list[threading.Event] = []
        self._socks: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._spawn(self._accept_loop)

    def script(self, *steps) -> None:
        """The answer to the next unanswered request, as steps (see `_run`)."""
        self._answers.append(list(steps))

    def gate(self) -> threading.Event:
        """A step that holds the answer until the test sets it."""
        gate = threading.Event()
        self._gates.append(gate)
        return gate

    def stop(self) -> None:
        self._stop.set()
        for gate in self._gates:
            gate.set()
        self._listener.close()
        with self._lock:
            socks = list(self._socks)
        for sock in socks:
            _shut(sock)
        for thread in self._threads:
            thread.join(2)

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.settimeout(STEP_TIMEOUT)
            with self._lock:
                number, self.accepted = self.accepted, self.accepted + 1
                self._socks.append(sock)
            self._spawn(self._serve, sock, number)

    def _serve(self, sock: socket.socket, number: int) -> None:
        reader = sock.makefile("rb")
        try:
            while (raw := _read_request(reader)) is not None:
                with self._lock:
                    self.received.append(Received(number, raw))
                steps = self._answers.popleft() if self._answers else [CLOSE]
                if not self._run(sock, steps):
                    break
        except OSError:
            pass
        finally:
            reader.close()
            _shut(sock)
            with self._lock:
                self.closed += 1

    def _run(self, sock: socket.socket, steps: list) -> bool:
        """Play an answer's steps; False when the connection is to be closed."""
        for step in steps:
            if step is CLOSE:
                return False
            if step is HANG:
                self._stop.wait(STEP_TIMEOUT)
                return False
            if isinstance(step, threading.Event):
                step.wait(STEP_TIMEOUT)
            elif isinstance(step, float):
                time.sleep(step)
            else:
                sock.sendall(step)
        return True


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


def _read_request(reader) -> bytes | None:
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        line = reader.readline()
        if not line:
            return None
        head += line
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return head + reader.read(length)


# --- answers ---------------------------------------------------------------------------------


def head(*headers: str, status: str = "200 OK") -> bytes:
    return "".join(f"{line}\r\n" for line in (f"HTTP/1.1 {status}", *headers, "")).encode()


def fixed(body: bytes, *headers: str, status: str = "200 OK") -> bytes:
    """An answer framed by Content-Length."""
    return head(f"Content-Length: {len(body)}", *headers, status=status) + body


def chunk(data: bytes, extension: str = "") -> bytes:
    return f"{len(data):x}{extension}\r\n".encode() + data + b"\r\n"


LAST_CHUNK = b"0\r\n\r\n"
CHUNKED = "Transfer-Encoding: chunked"


def compressed(encoding: str, *texts: bytes) -> list[bytes]:
    """`texts` compressed as one stream, flushed after each so each piece decodes alone."""
    wbits = 31 if encoding == "gzip" else 15  # gzip, or zlib-wrapped deflate (RFC 9110)
    packer = zlib.compressobj(wbits=wbits)
    pieces = [packer.compress(text) + packer.flush(zlib.Z_SYNC_FLUSH) for text in texts]
    pieces[-1] += packer.flush()
    return pieces


# --- fixtures and helpers --------------------------------------------------------------------


@pytest.fixture
def server(request) -> ScriptedServer:
    running = ScriptedServer()
    request.addfinalizer(running.stop)
    return running


def make_client(request, read_timeout: float = READ_TIMEOUT) -> UpstreamClient:
    client = UpstreamClient(pool_size=4, connect_timeout=CONNECT_TIMEOUT, read_timeout=read_timeout)
    request.addfinalizer(client.close)
    return client


@pytest.fixture
def client(request) -> UpstreamClient:
    return make_client(request)


def get(client: UpstreamClient, server: ScriptedServer, path: str = "/v1/models", **headers):
    return client.get(server.url + path, headers, provider=PROVIDER)


def fetch(client: UpstreamClient, server: ScriptedServer, path: str = "/v1/models") -> bytes:
    """GET and read the whole body (the response is closed)."""
    with get(client, server, path) as response:
        return response.read_all()


def read_stream(response) -> list[bytes]:
    pieces = []
    while piece := response.read1():
        pieces.append(piece)
    return pieces


def wait_until(predicate, timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "the server never got there"
        time.sleep(0.01)
    time.sleep(0.05)  # the FIN (or the request) crosses the loopback


# --- bodies and keep-alive -------------------------------------------------------------------


def test_content_length_body_read_whole_and_connection_reused(client, server):
    server.script(fixed(b'{"data": []}', "Content-Type: application/json"))
    server.script(fixed(b"second"))

    with get(client, server) as response:
        assert response.status_code == 200
        assert response.read_all() == b'{"data": []}'
    assert fetch(client, server, "/again") == b"second"

    assert server.accepted == 1
    assert [r.request_line for r in server.received] == [
        "GET /v1/models HTTP/1.1",
        "GET /again HTTP/1.1",
    ]
    assert {r.conn for r in server.received} == {0}


def test_chunked_body_streams_piece_by_piece(client, server):
    first, second = server.gate(), server.gate()
    server.script(
        head(CHUNKED) + chunk(b"data: one\n\n", ";ext=1"),
        first,
        chunk(b"data: two\n\n"),
        second,
        b"0\r\nX-Trailer: done\r\nX-Other: 1\r\n\r\n",
    )
    server.script(fixed(b"after"))

    with get(client, server) as response:
        assert response.read1() == b"data: one\n\n"  # the server is holding the rest
        first.set()
        assert response.read1() == b"data: two\n\n"
        second.set()
        assert response.read1() == b""
        assert response.read1() == b""
    assert fetch(client, server) == b"after"
    assert server.accepted == 1
    assert len(server.received) == 2


def test_body_until_connection_close_is_read_whole_and_not_reused(client, server):
    server.script(head("Content-Type: text/plain") + b"all of it", 0.05, b" and more", CLOSE)
    server.script(fixed(b"next"))

    assert fetch(client, server) == b"all of it and more"
    assert fetch(client, server) == b"next"
    assert server.accepted == 2
    assert [r.conn for r in server.received] == [0, 1]


# --- a server closing keep-alive connections -------------------------------------------------


@pytest.mark.parametrize("idle_check", [0.0, 60.0], ids=["peeked-before-reuse", "retried"])
def test_connection_closed_by_server_after_answer_is_replaced(
    client, server, monkeypatch, idle_check
):
    monkeypatch.setattr(http_wire, "IDLE_CHECK_SECONDS", idle_check)
    server.script(fixed(b"one"), CLOSE)
    server.script(fixed(b"two"))

    assert fetch(client, server) == b"one"
    wait_until(lambda: server.closed == 1)
    assert fetch(client, server, "/second") == b"two"

    assert server.accepted == 2
    assert [(r.conn, r.request_line) for r in server.received] == [
        (0, "GET /v1/models HTTP/1.1"),
        (1, "GET /second HTTP/1.1"),
    ]


def test_reused_connection_closed_without_answer_is_retried_once_on_a_new_one(client, server):
    server.script(fixed(b"one"))
    server.script(CLOSE)  # reads the request, then closes without a word
    server.script(fixed(b"two"))

    assert fetch(client, server) == b"one"
    with client.post(server.url + "/v1/chat", b"{}", {}, provider=PROVIDER) as response:
        assert response.status_code == 200
        assert response.read_all() == b"two"

    assert server.accepted == 2
    assert [(r.conn, r.request_line) for r in server.received] == [
        (0, "GET /v1/models HTTP/1.1"),
        (0, "POST /v1/chat HTTP/1.1"),
        (1, "POST /v1/chat HTTP/1.1"),
    ]


def test_new_connection_closed_without_answer_is_an_error_not_a_retry(client, server):
    server.script(CLOSE)
    server.script(fixed(b"never asked for"))

    with pytest.raises(UpstreamUnreachableError) as caught:
        get(client, server)

    assert caught.value.status == 502
    assert "remote end closed" in str(caught.value)
    assert server.accepted == 1
    assert len(server.received) == 1


def test_retry_after_stale_connection_uses_a_new_connection(client, server, monkeypatch):
    monkeypatch.setattr(http_wire, "IDLE_CHECK_SECONDS", 60.0)  # reused without a peek
    server.script(fixed(b"a"), CLOSE)
    server.script(fixed(b"b"), CLOSE)
    server.script(fixed(b"fresh"))

    with get(client, server) as one, get(client, server) as two:  # two pooled connections
        assert one.read_all() + two.read_all() == b"ab"
    wait_until(lambda: server.closed == 2)

    assert fetch(client, server) == b"fresh"
    assert server.accepted == 3


# --- interim, bodiless and closing answers ---------------------------------------------------


def test_100_continue_is_skipped(client, server):
    server.script(head(status="100 Continue") + fixed(b"final", "X-Final: yes"))

    with client.post(server.url + "/v1/x", b"body", {}, provider=PROVIDER) as response:
        assert response.status_code == 200
        assert response.headers.get("x-final") == "yes"
        assert response.read_all() == b"final"


def test_204_has_no_body_and_keeps_the_connection(client, server):
    server.script(head(status="204 No Content"))
    server.script(fixed(b"next"))

    with get(client, server) as response:
        assert response.status_code == 204
        assert response.read_all() == b""
    assert fetch(client, server) == b"next"
    assert server.accepted == 1


def test_connection_close_header_is_honoured(client, server):
    server.script(fixed(b"bye", "Connection: close"))  # the server itself keeps it open
    server.script(fixed(b"new"))

    assert fetch(client, server) == b"bye"
    assert fetch(client, server) == b"new"
    assert server.accepted == 2


# --- content encodings -----------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compressed_body_decoded_by_read_all(client, server, encoding):
    text = b'{"choices": [' + b'{"text": "hello"}, ' * 200 + b"{}]}"
    packed = gzip.compress(text) if encoding == "gzip" else zlib.compress(text)
    server.script(fixed(packed, f"Content-Encoding: {encoding}"))

    with get(client, server) as response:
        assert response.read_all() == text
    assert len(packed) < len(text)


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compressed_stream_decoded_by_read1(client, server, encoding):
    gate = server.gate()
    first, rest = compressed(encoding, b"data: one\n\n", b"data: two\n\n")
    server.script(
        head(CHUNKED, f"Content-Encoding: {encoding}") + chunk(first),
        gate,
        chunk(rest) + LAST_CHUNK,
    )

    with get(client, server) as response:
        assert response.read1() == b"data: one\n\n"
        gate.set()
        assert b"".join(read_stream(response)) == b"data: two\n\n"


# --- failures --------------------------------------------------------------------------------


def test_truncated_body_raises_and_maps_to_502(client, server):
    server.script(head("Content-Length: 100") + b"only part", CLOSE)

    with get(client, server) as response, pytest.raises(ConnectionError) as caught:
        response.read_all()

    mapped = network_error(caught.value, PROVIDER, "reading")
    assert isinstance(mapped, UpstreamUnreachableError)
    assert mapped.status == 502
    assert "connection broken" in str(mapped)


@pytest.mark.parametrize("status_line", [b"HTTP/1.1 OK\r\n\r\n", b"SSH-2.0-OpenSSH\r\n\r\n"])
def test_malformed_status_line_is_502(client, server, status_line):
    server.script(status_line)

    with pytest.raises(UpstreamUnreachableError) as caught:
        get(client, server)
    assert caught.value.status == 502
    assert "connection broken" in str(caught.value)


def test_silent_server_is_504_within_the_read_timeout(request, server):
    client = make_client(request, read_timeout=0.3)
    server.script(HANG)

    started = time.monotonic()
    with pytest.raises(UpstreamTimeoutError) as caught:
        get(client, server)
    waited = time.monotonic() - started

    assert caught.value.status == 504
    assert f"provider '{PROVIDER}'" in str(caught.value)
    assert 0.25 <= waited < 1.0


def test_connection_refused_is_502_naming_the_provider(client):
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed once the block ends

    with pytest.raises(UpstreamUnreachableError) as caught:
        client.get(f"http://127.0.0.1:{port}/v1/models", {}, provider=PROVIDER)
    assert caught.value.status == 502
    assert f"provider '{PROVIDER}' is unreachable" in str(caught.value)
    assert "connection refused" in str(caught.value)


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\rb"])
def test_header_with_cr_or_lf_is_refused_before_sending(client, server, value):
    with pytest.raises(ValueError):
        http_wire.request_head("GET", "/", "h", {"X-Note": value}, None)
    with pytest.raises(UpstreamUnreachableError) as caught:
        get(client, server, **{"X-Note": value})

    assert isinstance(caught.value.__cause__, ValueError)
    time.sleep(0.1)
    assert server.accepted == 0
    assert server.received == []


# --- headers ---------------------------------------------------------------------------------


def test_answer_headers_case_insensitive_repeated_and_folded(client, server):
    server.script(
        fixed(
            b"{}",
            "Content-Type: application/json",
            "X-Multi: a",
            "x-multi: b",
            "X-Folded: first",
            "  second",
            "\tthird",
        )
    )

    with get(client, server) as response:
        headers = response.headers
        assert headers["CONTENT-TYPE"] == headers.get("content-type") == "application/json"
        assert "Content-Type" in headers
        assert headers["X-MULTI"] == "a, b"
        assert headers["x-folded"] == "first second third"
        assert headers.get("x-absent", "none") == "none"
        response.read_all()


def test_request_head_has_host_length_and_defaults(client, server):
    server.script(fixed(b""))

    with client.post(server.url + "/v1/chat?x=1", b'{"a": 1}', {}, provider=PROVIDER) as r:
        r.read_all()

    received = server.received[0]
    assert received.request_line == "POST /v1/chat?x=1 HTTP/1.1"
    assert received.header_lines() == [
        f"Host: 127.0.0.1:{server.port}",
        "User-Agent: OmniRoute",
        "Accept-Encoding: identity",
        "Content-Length: 8",
    ]
    assert received.raw.endswith(b'\r\n\r\n{"a": 1}')


def test_request_head_keeps_the_callers_headers(client, server):
    server.script(fixed(b""))

    with get(client, server, **{"user-agent": "mine/1", "Accept-Encoding": "gzip"}) as r:
        r.read_all()

    assert server.received[0].header_lines() == [
        f"Host: 127.0.0.1:{server.port}",
        "user-agent: mine/1",
        "Accept-Encoding: gzip",
    ]


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://example.com/x", "example.com"),
        ("https://example.com:443/x", "example.com"),
        ("http://example.com:8080/x", "example.com:8080"),
        ("https://[::1]:8443/x", "[::1]:8443"),
    ],
)
def test_host_header_shows_the_port_only_when_not_default(url, host):
    assert http_wire.split_url(url)[2] == host


# --- closing ---------------------------------------------------------------------------------


def test_half_read_response_closes_its_connection_and_callbacks_run_once(client, server):
    gate = server.gate()
    server.script(head(CHUNKED) + chunk(b"part"), gate, chunk(b"rest") + LAST_CHUNK)
    server.script(fixed(b"next"))
    calls = []

    response = get(client, server)
    response.on_close(lambda: calls.append("first"))
    response.on_close(lambda: calls.append("second"))
    assert response.read1() == b"part"
    response.close()
    response.close()
    gate.set()

    assert calls == ["first", "second"]
    assert fetch(client, server) == b"next"
    assert server.accepted == 2
    wait_until(lambda: server.closed == 1)  # the half-read connection was dropped


def test_fully_read_response_returns_its_connection_and_callbacks_run_once(client, server):
    server.script(fixed(b"whole"))
    server.script(fixed(b"next"))
    calls = []

    with get(client, server) as response:
        response.on_close(lambda: calls.append(1))
        assert response.read_all() == b"whole"
    response.close()

    assert calls == [1]
    assert fetch(client, server) == b"next"
    assert server.accepted == 1
