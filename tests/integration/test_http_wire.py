"""The upstream HTTP/1.1 client (omniroute.proxy.transport.http_wire, wrapped by the direct
transport, WireTransport) against real raw-socket servers on 127.0.0.1.

`ScriptedServer` accepts connections in a thread and answers each request it reads with the
exact steps a test scripted for it (bytes to send, pauses, gates the test opens, a close, a
half-close that keeps listening, a reset, a silence), over plain TCP or TLS; it records every
raw request, the connection it came on, how many connections it accepted and any bytes that
reached a connection after it said goodbye, so the tests can tell a reused keep-alive
connection from a new one and prove that nothing was sent on a dead one. Covered: bodies framed
by Content-Length, chunks (streamed with read1) and the connection's end; keep-alive reuse, the
check before reuse (unasked bytes buffered or still in the socket), the single resend when
sending on a reused connection fails, and no resend once a request was sent; HTTP/1.0, interim,
bodiless and `Connection: close` answers; malformed framing; gzip and deflate (bounded decoded
reads); the percent-encoded request target; clearing the pool; HTTPS; network failures mapped
to 502/504; header parsing and the request head; closing a half-read answer. Strict framing
(RFC 9112): a table of doubtful answers (both Transfer-Encoding and Content-Length, unknown
codings, malformed status lines, field names, values, folding, chunk lines, trailers, oversized
sections), each of which must fail the call as a broken upstream and leave the next call on a
new connection, and a table of sound edge cases that must be read and keep the connection.
"""

from __future__ import annotations

import gzip
import socket
import ssl
import struct
import threading
import time
import zlib
from collections import deque
from dataclasses import dataclass

import pytest

from omniroute.errors import UpstreamTimeoutError, UpstreamUnreachableError
from omniroute.proxy.transport import WireTransport, http_wire, network_error
from tests.fakes.certificates import write_test_certificate
from tests.fakes.loopback import LoopbackServer, shut

pytestmark = pytest.mark.timeout(15)

CONNECT_TIMEOUT = READ_TIMEOUT = 1.0
STEP_TIMEOUT = 5.0  # the longest a server thread waits for a gate or a request
PROVIDER = "acme"
CLOSE = object()  # script step: close the connection
HANG = object()  # script step: say nothing until the server stops
HALF_CLOSE = object()  # script step: send FIN, then record whatever still arrives until EOF
RESET = object()  # script step: abort the connection with an RST (SO_LINGER 0)


@dataclass
class Received:
    conn: int  # the number of the connection it came on, from 0
    raw: bytes

    @property
    def request_line(self) -> str:
        return self.raw.split(b"\r\n", 1)[0].decode()

    def header_lines(self) -> list[str]:
        return self.raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]


class ScriptedServer(LoopbackServer):
    """A raw-socket HTTP server: the n-th request it reads gets the n-th scripted answer."""

    step_timeout = STEP_TIMEOUT

    def __init__(self, tls: ssl.SSLContext | None = None):
        self.received: list[Received] = []
        self.accepted = 0
        self.closed = 0  # connections this server closed
        self.half_closed = 0  # connections it sent FIN on (HALF_CLOSE)
        self.after_goodbye: dict[int, bytes] = {}  # connection -> bytes read after HALF_CLOSE
        self._answers: deque[list] = deque()
        self._gates: list[threading.Event] = []
        super().__init__(tls)  # accepts from now on: every field above is ready
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"

    def script(self, *steps) -> None:
        """The answer to the next unanswered request, as steps (see `_run`)."""
        self._answers.append(list(steps))

    def gate(self) -> threading.Event:
        """A step that holds the answer until the test sets it."""
        gate = threading.Event()
        self._gates.append(gate)
        return gate

    def stop(self) -> None:
        for gate in self._gates:
            gate.set()
        super().stop()

    def _accepted(self, sock: socket.socket) -> None:
        """Number each connection as it is accepted (before any TLS handshake)."""
        with self._lock:
            number, self.accepted = self.accepted, self.accepted + 1
            self._sockets.append(sock)
        self._spawn(self._serve, sock, number)

    def _serve(self, sock: socket.socket, number: int) -> None:
        reader = None
        try:
            if self._tls is not None:  # the handshake, in this thread (a failing one ends it)
                sock = self._tls.wrap_socket(sock, server_side=True)
                self._keep(sock)
            reader = sock.makefile("rb")
            while (raw := _read_request(reader)) is not None:
                with self._lock:
                    self.received.append(Received(number, raw))
                steps = self._answers.popleft() if self._answers else [CLOSE]
                if not self._run(sock, reader, number, steps):
                    break
        except OSError:
            pass
        finally:
            if reader is not None:
                reader.close()
            shut(sock)
            with self._lock:
                self.closed += 1

    def _run(self, sock, reader, number: int, steps: list) -> bool:
        """Play an answer's steps; False when the connection is to be closed."""
        for step in steps:
            if step is CLOSE:
                return False
            if step is RESET:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.close()  # really closed (with the RST) once `reader` is closed too
                return False
            if step is HALF_CLOSE:
                sock.shutdown(socket.SHUT_WR)
                with self._lock:
                    self.half_closed += 1
                late = reader.read()  # until the client closes its end
                with self._lock:
                    self.after_goodbye[number] = late
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


def make_client(request, read_timeout: float = READ_TIMEOUT) -> WireTransport:
    client = WireTransport(pool_size=4, connect_timeout=CONNECT_TIMEOUT, read_timeout=read_timeout)
    request.addfinalizer(client.close)
    return client


@pytest.fixture
def client(request) -> WireTransport:
    return make_client(request)


def get(client: WireTransport, server: ScriptedServer, path: str = "/v1/models", **headers):
    return client.get(server.url + path, headers, provider=PROVIDER)


def fetch(client: WireTransport, server: ScriptedServer, path: str = "/v1/models") -> bytes:
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


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_connection_closed_by_server_after_answer_is_replaced(request, scheme):
    prefix = "" if scheme == "http" else "tls_"  # the plain or the TLS fixtures (further down)
    client = request.getfixturevalue(prefix + "client")
    server = request.getfixturevalue(prefix + "server")
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


def test_idle_connection_the_server_said_goodbye_on_gets_no_request_bytes(client, server):
    server.script(fixed(b"one"), HALF_CLOSE)  # FIN, but the server still reads that connection
    server.script(fixed(b"two"))

    assert fetch(client, server) == b"one"
    wait_until(lambda: server.half_closed == 1)
    assert fetch(client, server, "/second") == b"two"
    wait_until(lambda: server.closed == 1)  # the client closed the dead one: its EOF came

    assert server.after_goodbye == {0: b""}  # not one byte of the second request landed there
    assert server.accepted == 2
    assert [(r.conn, r.request_line) for r in server.received] == [
        (0, "GET /v1/models HTTP/1.1"),
        (1, "GET /second HTTP/1.1"),
    ]


def test_every_dead_idle_connection_is_dropped_before_reuse(client, server):
    server.script(fixed(b"a"), HALF_CLOSE)
    server.script(fixed(b"b"), HALF_CLOSE)
    server.script(fixed(b"fresh"))

    with get(client, server) as one, get(client, server) as two:  # two pooled connections
        assert one.read_all() + two.read_all() == b"ab"
    wait_until(lambda: server.half_closed == 2)

    assert fetch(client, server, "/third") == b"fresh"
    wait_until(lambda: server.closed == 2)

    assert server.accepted == 3
    assert server.after_goodbye == {0: b"", 1: b""}
    assert [(r.conn, r.request_line) for r in server.received][2:] == [(2, "GET /third HTTP/1.1")]


@pytest.mark.parametrize(
    ("goodbye", "reason"), [(CLOSE, "remote end closed"), (RESET, "connection reset")]
)
def test_reused_connection_dropped_after_the_request_is_502_and_not_resent(
    client, server, goodbye, reason
):
    server.script(fixed(b"one"))
    server.script(goodbye)  # reads the request, then closes (or resets) without a word
    server.script(fixed(b"never asked for"))

    assert fetch(client, server) == b"one"
    with pytest.raises(UpstreamUnreachableError) as caught:
        client.post(server.url + "/v1/chat", b"{}", {}, provider=PROVIDER)

    assert caught.value.status == 502
    assert reason in str(caught.value)
    time.sleep(0.1)  # a resend would have reached the server by now
    assert server.accepted == 1
    assert [(r.conn, r.request_line) for r in server.received] == [
        (0, "GET /v1/models HTTP/1.1"),
        (0, "POST /v1/chat HTTP/1.1"),  # exactly once
    ]


def test_reused_connection_whose_answer_breaks_off_is_502_and_not_resent(client, server):
    server.script(fixed(b"one"))
    server.script(b"HTTP/1.1 200 OK\r\nContent-Ty", CLOSE)
    server.script(fixed(b"never asked for"))

    assert fetch(client, server) == b"one"
    with pytest.raises(UpstreamUnreachableError) as caught:
        client.post(server.url + "/v1/chat", b"{}", {}, provider=PROVIDER)

    assert caught.value.status == 502
    assert "connection broken" in str(caught.value)
    time.sleep(0.1)
    assert server.accepted == 1
    assert len(server.received) == 2


def test_new_connection_closed_without_answer_is_an_error_not_a_retry(client, server):
    server.script(CLOSE)
    server.script(fixed(b"never asked for"))

    with pytest.raises(UpstreamUnreachableError) as caught:
        get(client, server)

    assert caught.value.status == 502
    assert "remote end closed" in str(caught.value)
    assert server.accepted == 1
    assert len(server.received) == 1


class BrokenSendSocket:
    """A stand-in socket, the only fake one in this file: a real socket the server closed is
    always caught by the check before reuse (a FIN reads as EOF, an RST as a reset), so sending
    on a reused connection that *passes* the check and then fails cannot be provoked
    deterministically with real sockets. This one looks open to the check (an idle socket pair
    underneath, nothing buffered) and refuses to send."""

    def __init__(self, error: type[OSError]):
        self.error = error
        self.sends = 0
        self.closed = False
        self._idle, self._peer = socket.socketpair()

    def fileno(self) -> int:
        return self._idle.fileno()

    def gettimeout(self) -> float | None:
        return None

    def setblocking(self, _flag) -> None:
        pass

    def recv_into(self, _buffer) -> int:
        raise BlockingIOError  # nothing to read

    def send(self, _data, _flags=0) -> int:
        self.sends += 1
        raise self.error("the server closed it")

    def close(self) -> None:
        self.closed = True
        self._idle.close()
        self._peer.close()


@pytest.mark.parametrize("error", [BrokenPipeError, ConnectionResetError])
def test_send_failing_on_a_reused_connection_is_sent_once_on_a_new_one(client, server, error):
    server.script(fixed(b"fresh"))
    url = server.url + "/v1/chat"
    dead = BrokenSendSocket(error)
    client._pool.release(http_wire.Connection(http_wire.split_url(url)[0], dead))

    with client.post(url, b'{"n": 1}', {}, provider=PROVIDER) as response:
        assert response.status_code == 200
        assert response.read_all() == b"fresh"

    assert dead.sends == 1
    assert dead.closed
    assert server.accepted == 1
    assert [(r.conn, r.request_line) for r in server.received] == [(0, "POST /v1/chat HTTP/1.1")]
    assert server.received[0].raw.endswith(b'{"n": 1}')


def test_send_failing_on_a_new_connection_is_an_error_not_a_retry(client, server, monkeypatch):
    connects = []

    def connect(origin, _timeout):
        connects.append(origin)
        return http_wire.Connection(origin, BrokenSendSocket(BrokenPipeError))

    monkeypatch.setattr(client._pool, "connect", connect)
    with pytest.raises(UpstreamUnreachableError) as caught:
        client.post(server.url + "/v1/chat", b"{}", {}, provider=PROVIDER)

    assert caught.value.status == 502
    assert isinstance(caught.value.__cause__, BrokenPipeError)
    assert len(connects) == 1
    assert server.accepted == 0


def test_unasked_bytes_after_an_answer_keep_the_connection_out_of_reuse(client, server):
    server.script(fixed(b"one") + fixed(b"unasked"))  # one segment: the client buffers both
    server.script(fixed(b"two"))

    assert fetch(client, server) == b"one"
    time.sleep(0.05)
    assert fetch(client, server) == b"two"


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_unasked_bytes_arriving_while_idle_keep_the_connection_out_of_reuse(request, scheme):
    prefix = "" if scheme == "http" else "tls_"
    client = request.getfixturevalue(prefix + "client")
    server = request.getfixturevalue(prefix + "server")
    later = server.gate()
    server.script(fixed(b"one"), later, fixed(b"unasked"))  # sent once the answer was read
    server.script(fixed(b"two"))

    assert fetch(client, server) == b"one"
    later.set()
    time.sleep(0.1)  # the unasked answer crosses the loopback into the idle socket
    assert fetch(client, server, "/second") == b"two"

    assert server.accepted == 2
    assert [(r.conn, r.request_line) for r in server.received] == [
        (0, "GET /v1/models HTTP/1.1"),
        (1, "GET /second HTTP/1.1"),
    ]


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_body_larger_than_the_socket_buffers_is_sent_whole(request, scheme):
    prefix = "" if scheme == "http" else "tls_"
    client = request.getfixturevalue(prefix + "client")
    server = request.getfixturevalue(prefix + "server")
    body = bytes(range(256)) * 32768  # 8 MiB: the kernel takes it in pieces
    server.script(fixed(b"got it"))

    with client.post(server.url + "/v1/files", body, {}, provider=PROVIDER) as response:
        assert response.read_all() == b"got it"

    assert len(server.received) == 1
    assert server.received[0].raw.endswith(b"\r\n\r\n" + body)


# --- clearing the pool -----------------------------------------------------------------------


def test_clear_closes_idle_connections_now_and_busy_ones_when_released(client, server):
    server.script(fixed(b"idle"))
    server.script(fixed(b"busy"))
    server.script(fixed(b"after"))

    idle = get(client, server)
    busy = get(client, server)  # a second connection: the first is still in use
    assert idle.read_all() == b"idle"
    idle.close()  # back to the pool
    assert busy.read_all() == b"busy"  # fully read, not yet released

    client.close()
    wait_until(lambda: server.closed == 1)  # the idle one
    assert server.closed == 1  # the busy one is still open

    busy.close()
    wait_until(lambda: server.closed == 2)  # closed on release, not pooled
    assert fetch(client, server) == b"after"
    assert server.accepted == 3
    assert [r.conn for r in server.received] == [0, 1, 2]


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


@pytest.mark.parametrize(
    ("connection", "reused"),
    [(None, False), ("Connection: keep-alive", True), ("Connection: Keep-Alive", True)],
)
def test_http10_answer_closes_the_connection_unless_keep_alive(client, server, connection, reused):
    headers = [connection] if connection else []
    answer = fixed(b"old", *headers).replace(b"HTTP/1.1", b"HTTP/1.0", 1)
    server.script(answer)  # the server itself keeps the connection open
    server.script(fixed(b"next"))

    assert fetch(client, server) == b"old"
    assert fetch(client, server) == b"next"

    assert server.accepted == (1 if reused else 2)
    assert [r.conn for r in server.received] == ([0, 0] if reused else [0, 1])


# --- content encodings -----------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compressed_body_decoded_by_read_all(client, server, encoding):
    text = b'{"choices": [' + b'{"text": "hello"}, ' * 200 + b"{}]}"
    packed = gzip.compress(text) if encoding == "gzip" else zlib.compress(text)
    server.script(fixed(packed, f"Content-Encoding: {encoding}"))

    with get(client, server) as response:
        assert response.read_all() == text
    assert len(packed) < len(text)


def bomb(encoding: str, size: int = 8 << 20) -> tuple[bytes, int]:
    """`size` zero bytes compressed (about a thousandth of that) and `size`."""
    zeros = bytes(size)
    return (gzip.compress(zeros) if encoding == "gzip" else zlib.compress(zeros)), size


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_read_all_of_a_compression_bomb_stops_at_the_limit(client, server, encoding):
    packed, size = bomb(encoding)
    server.script(fixed(packed, f"Content-Encoding: {encoding}"))

    with get(client, server) as response:
        assert response.read_all(65536) == bytes(65536)
        assert response.read_all(10) == bytes(10)  # the rest is still there, read on demand
    assert len(packed) * 100 < size


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_read1_of_a_compression_bomb_returns_at_most_the_amount(client, server, encoding):
    packed, size = bomb(encoding)
    server.script(fixed(packed, f"Content-Encoding: {encoding}"))

    total, largest = 0, 0
    with get(client, server) as response:
        while piece := response.read1(4096):
            assert piece == bytes(len(piece))
            total, largest = total + len(piece), max(largest, len(piece))
    assert largest == 4096
    assert total == size  # bounded reads still decode it all


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


@pytest.mark.parametrize("length", ["5, 6", "5,6", "abc", "-5", "+5", "5 5", "0x5", "5.0", ""])
def test_malformed_content_length_is_502(client, server, length):
    server.script(head(f"Content-Length: {length}") + b"hello")

    with pytest.raises(UpstreamUnreachableError) as caught:
        get(client, server)
    assert caught.value.status == 502
    assert "connection broken" in str(caught.value)
    assert isinstance(caught.value.__cause__, http_wire.ResponseBroken)


def test_repeated_equal_content_lengths_are_one_length(client, server):
    server.script(head("Content-Length: 5, 5", "Content-Length: 5") + b"hello")
    server.script(fixed(b"next"))

    assert fetch(client, server) == b"hello"
    assert fetch(client, server) == b"next"
    assert server.accepted == 1


def test_content_length_of_superscript_digits_is_response_broken(client, server):
    server.script(b"HTTP/1.1 200 OK\r\nContent-Length: \xb2\r\n\r\nhi")

    with pytest.raises(UpstreamUnreachableError) as caught:
        get(client, server)
    assert caught.value.status == 502
    assert isinstance(caught.value.__cause__, http_wire.ResponseBroken)


@pytest.mark.parametrize("size", [b"-3", b"+3", b"0x3", b"3 3", b"", b"zz", b"3_0"])
def test_malformed_chunk_size_breaks_the_answer(client, server, size):
    server.script(head(CHUNKED) + size + b"\r\nabc\r\n" + LAST_CHUNK)

    with get(client, server) as response, pytest.raises(http_wire.ResponseBroken) as caught:
        response.read_all()
    assert "malformed chunk size" in str(caught.value)
    assert network_error(caught.value, PROVIDER, "reading").status == 502


def test_chunk_not_followed_by_crlf_breaks_the_answer(client, server):
    server.script(head(CHUNKED) + b"3\r\nabcXY\r\n" + LAST_CHUNK)

    with get(client, server) as response, pytest.raises(http_wire.ResponseBroken) as caught:
        response.read_all()
    assert "without its line end" in str(caught.value)


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


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_stream_waits_until_its_deadline_then_the_idle_timeout(request, scheme):
    server = request.getfixturevalue("server" if scheme == "http" else "tls_server")
    tls = None
    if scheme == "https":
        tls = ssl.create_default_context(cafile=request.getfixturevalue("certificate")[0])
    client = WireTransport(
        pool_size=4, connect_timeout=CONNECT_TIMEOUT, read_timeout=2.0, idle_timeout=0.3, tls=tls
    )
    request.addfinalizer(client.close)
    server.script(head(CHUNKED), HANG)  # the first event never comes
    server.script(head(CHUNKED) + chunk(b"data: one\n\n"), HANG)  # one event, then silence

    with get(client, server) as silent:
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            silent.read1_by(started + 0.2)
        assert 0.15 <= time.monotonic() - started < 1.0  # the deadline, not the read timeout

    with get(client, server) as stalled:
        assert stalled.read1_by(time.monotonic() + 2.0) == b"data: one\n\n"
        stalled.started()
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            stalled.read1()
        assert 0.25 <= time.monotonic() - started < 1.5  # the idle timeout, not the read timeout


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


# --- strict framing (RFC 9112) ---------------------------------------------------------------


def with_fields(*lines: bytes, body: bytes = b"hello") -> bytes:
    """A 200 answer framed by Content-Length with these raw field lines after that one."""
    fields = b"".join(line + b"\r\n" for line in lines)
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), fields, body)


def with_status(status_line: bytes) -> bytes:
    return status_line + b"\r\nContent-Length: 5\r\n\r\nhello"


def chunked_answer(*pieces: bytes) -> bytes:
    return head(CHUNKED) + b"".join(pieces)


def wide_fields(count: int, width: int) -> list[str]:
    return [f"X-Field-{number}: {'a' * width}" for number in range(count)]


BOTH = "both Transfer-Encoding and Content-Length"
CODING = "a transfer coding other than chunked"
LENGTH = "a malformed Content-Length"
STATUS = "not an HTTP answer"
CHUNK_SIZE = "a malformed chunk size line"
FOLDING = "obsolete line folding or leading whitespace"
NAME = "a malformed field name"
VALUE = "a field value with CR or NUL"

DOUBTFUL_ANSWERS = [
    # Transfer-Encoding with Content-Length, or in HTTP/1.0 (RFC 9112 §6.1, §6.2, §6.3 item 3)
    ("te_and_cl", head(CHUNKED, "Content-Length: 5") + chunk(b"hello") + LAST_CHUNK, BOTH),
    ("cl_and_te", head("Content-Length: 15", CHUNKED) + chunk(b"hello") + LAST_CHUNK, BOTH),
    ("te_and_cl_on_a_204", head(CHUNKED, "Content-Length: 0", status="204 No Content"), BOTH),
    (
        "te_in_http10",
        (head(CHUNKED, "Connection: keep-alive") + chunk(b"hello") + LAST_CHUNK).replace(
            b"HTTP/1.1", b"HTTP/1.0", 1
        ),
        "Transfer-Encoding in an HTTP/1.0 answer",
    ),
    # transfer codings: exactly `chunked` (§6.1, §7)
    ("xchunked", head("Transfer-Encoding: xchunked") + chunk(b"hello") + LAST_CHUNK, CODING),
    (
        "gzip_chunked",
        head("Transfer-Encoding: gzip, chunked") + chunk(b"hello") + LAST_CHUNK,
        CODING,
    ),
    (
        "chunked_gzip",
        head("Transfer-Encoding: chunked, gzip") + chunk(b"hello") + LAST_CHUNK,
        CODING,
    ),
    (
        "chunked_twice",
        head("Transfer-Encoding: chunked, chunked") + chunk(b"hello") + LAST_CHUNK,
        CODING,
    ),
    ("chunked_in_two_fields", head(CHUNKED, CHUNKED) + chunk(b"hello") + LAST_CHUNK, CODING),
    ("identity", head("Transfer-Encoding: identity") + b"hello", CODING),
    ("empty_coding", head("Transfer-Encoding: ") + b"hello", CODING),
    # Content-Length (§6.3 item 5)
    ("cl_differing_fields", head("Content-Length: 5", "Content-Length: 6") + b"hello", LENGTH),
    ("cl_differing_list", head("Content-Length: 5, 6") + b"hello", LENGTH),
    ("cl_not_digits", head("Content-Length: 5a") + b"hello", LENGTH),
    ("cl_over_18_digits", head("Content-Length: " + "9" * 19) + b"hello", LENGTH),
    # field lines (§5.1, §5.2, §2.2; RFC 9110 §5.1, §5.5)
    ("space_before_colon", with_fields(b"X-Note : 1"), "whitespace before the colon"),
    (
        "space_before_colon_of_cl",
        b"HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello",
        "whitespace before the colon",
    ),
    ("tab_before_colon", with_fields(b"X-Note\t: 1"), "whitespace before the colon"),
    ("obs_fold_space", with_fields(b"X-Folded: first", b"  second"), FOLDING),
    ("obs_fold_tab", with_fields(b"X-Folded: first", b"\tsecond"), FOLDING),
    (
        "whitespace_before_the_first_field",
        b"HTTP/1.1 200 OK\r\n Content-Length: 5\r\n\r\nhello",
        FOLDING,
    ),
    ("name_with_a_space", with_fields(b"X Note: 1"), NAME),
    ("name_with_an_at", with_fields(b"X@Note: 1"), NAME),
    ("name_not_ascii", with_fields(b"X-Caf\xe9: 1"), NAME),
    ("name_with_nul", with_fields(b"X-\x00Note: 1"), NAME),
    ("empty_name", with_fields(b": 1"), NAME),
    ("no_colon", with_fields(b"NoColonHere"), "a line without a colon"),
    ("value_with_nul", with_fields(b"X-Note: a\x00b"), VALUE),
    ("value_with_a_bare_cr", with_fields(b"X-Note: a\rb"), VALUE),
    ("bare_cr_before_crlf", with_fields(b"X-Note: a\r"), VALUE),
    (
        "bare_cr_ending_a_line",
        b"HTTP/1.1 200 OK\r\nX-Note: a\rContent-Length: 5\r\n\r\nhello",
        VALUE,
    ),
    # bounds
    ("line_over_64k", fixed(b"hello", "X-Long: " + "a" * 70000), "a line over 65536 bytes"),
    ("section_over_256k", fixed(b"hello", *wide_fields(40, 8000)), "over 262144 bytes"),
    ("over_200_fields", fixed(b"hello", *wide_fields(201, 1)), "more than 200 lines"),
    # status line (§4, §2.3; RFC 9110 §15)
    ("status_20000", with_status(b"HTTP/1.1 20000 OK"), STATUS),
    ("status_600", with_status(b"HTTP/1.1 600 Beyond"), STATUS),
    ("status_099", with_status(b"HTTP/1.1 099 Below"), STATUS),
    ("status_of_two_digits", with_status(b"HTTP/1.1 20 OK"), STATUS),
    ("status_after_two_spaces", with_status(b"HTTP/1.1  200 OK"), STATUS),
    ("reason_without_space", with_status(b"HTTP/1.1 200OK"), STATUS),
    ("reason_with_nul", with_status(b"HTTP/1.1 200 O\x00K"), STATUS),
    ("reason_with_bare_cr", with_status(b"HTTP/1.1 200 O\rK"), STATUS),
    ("version_2", with_status(b"HTTP/2.0 200 OK"), STATUS),
    ("version_lowercase", with_status(b"http/1.1 200 OK"), STATUS),
    ("blank_line_first", b"\r\n" + with_status(b"HTTP/1.1 200 OK"), STATUS),
    # interim answers (RFC 9110 §15.2)
    (
        "unasked_101",
        head("Connection: Upgrade", "Upgrade: websocket", status="101 Switching Protocols")
        + fixed(b"hello"),
        "a switch of protocols nobody asked for",
    ),
    ("eleven_interim", head(status="100 Continue") * 11 + fixed(b"hello"), "more than 10 interim"),
    # chunked coding (§7.1)
    ("chunk_size_not_hex", chunked_answer(b"g\r\nhello\r\n", LAST_CHUNK), CHUNK_SIZE),
    ("chunk_size_0x", chunked_answer(b"0x5\r\nhello\r\n", LAST_CHUNK), CHUNK_SIZE),
    ("chunk_size_after_space", chunked_answer(b" 5\r\nhello\r\n", LAST_CHUNK), CHUNK_SIZE),
    ("chunk_size_before_space", chunked_answer(b"5 \r\nhello\r\n", LAST_CHUNK), CHUNK_SIZE),
    ("chunk_size_bare_lf", chunked_answer(b"5\nhello\r\n", LAST_CHUNK), CHUNK_SIZE),
    ("chunk_extension_bare_cr", chunked_answer(b"5;a=b\rc\r\nhello\r\n", LAST_CHUNK), CHUNK_SIZE),
    ("last_chunk_bare_lf", chunked_answer(chunk(b"hello"), b"0\n\r\n"), CHUNK_SIZE),
    (
        "chunk_size_17_digits",
        chunked_answer(b"0" * 16 + b"5\r\nhello\r\n", LAST_CHUNK),
        "a chunk size over 16 hex digits",
    ),
    ("chunk_data_then_lf", chunked_answer(b"5\r\nhello\n", LAST_CHUNK), "without its line end"),
    (
        "trailer_without_colon",
        chunked_answer(chunk(b"hello"), b"0\r\nNoColonHere\r\n\r\n"),
        "a line without a colon in trailers",
    ),
    ("trailer_folded", chunked_answer(chunk(b"hello"), b"0\r\nX-T: a\r\n b\r\n\r\n"), FOLDING),
    (
        "trailer_space_before_colon",
        chunked_answer(chunk(b"hello"), b"0\r\nX-T : a\r\n\r\n"),
        "whitespace before the colon in trailers",
    ),
]


def failed_call(client: WireTransport, server: ScriptedServer) -> http_wire.ResponseBroken:
    """The ResponseBroken a GET failed with, at its head or while reading its body, having made
    sure it reaches the caller as the 502 of a broken upstream (as a reset does)."""
    try:
        with get(client, server) as response:
            response.read_all()
    except UpstreamUnreachableError as error:
        cause, mapped = error.__cause__, error
    except http_wire.ResponseBroken as error:
        cause, mapped = error, network_error(error, PROVIDER, "reading")
    else:
        pytest.fail("the answer was accepted")
    assert isinstance(cause, http_wire.ResponseBroken)
    assert isinstance(mapped, UpstreamUnreachableError)
    assert mapped.status == 502
    assert "connection broken" in str(mapped)
    return cause


@pytest.mark.parametrize(
    ("answer", "reason"),
    [pytest.param(answer, reason, id=name) for name, answer, reason in DOUBTFUL_ANSWERS],
)
def test_doubtful_framing_fails_the_call_and_never_reuses_the_connection(
    client, server, answer, reason
):
    server.script(answer)  # the server keeps the connection open for another request
    server.script(fixed(b"next"))

    assert reason in str(failed_call(client, server))
    assert fetch(client, server) == b"next"

    assert server.accepted == 2
    assert [r.conn for r in server.received] == [0, 1]


def test_an_answer_ending_in_its_trailers_is_broken(client, server):
    server.script(chunked_answer(chunk(b"hello"), b"0\r\nX-T: a\r\n"), CLOSE)

    assert "the answer ended in its trailers" in str(failed_call(client, server))


SOUND_ANSWERS = [
    (
        "chunk_extensions",
        chunked_answer(
            chunk(b"hello", ";name=value"),
            chunk(b" world", ' \t; quoted="a b" ;flag'),
            b"0;last=1\r\n\r\n",
        ),
        200,
        b"hello world",
    ),
    (
        "trailers",
        chunked_answer(chunk(b"hello"), b"0\r\nX-Trailer: done\r\nx-other:\t1 \r\n\r\n"),
        200,
        b"hello",
    ),
    (
        "chunk_size_upper_hex_zeros",
        chunked_answer(b"000A\r\n0123456789\r\n", LAST_CHUNK),
        200,
        b"0123456789",
    ),
    ("cl_repeated_in_a_list", head("Content-Length: 5, 5") + b"hello", 200, b"hello"),
    (
        "cl_repeated_fields",
        head("Content-Length: 5", "content-length: 5") + b"hello",
        200,
        b"hello",
    ),
    ("cl_leading_zeros", head("Content-Length: 005") + b"hello", 200, b"hello"),
    ("cl_lowercase_name", head("content-length: 5") + b"hello", 200, b"hello"),
    (
        "te_any_case",
        head("TRANSFER-ENCODING: Chunked") + chunk(b"hello") + LAST_CHUNK,
        200,
        b"hello",
    ),
    (
        "te_empty_list_elements",
        head("Transfer-Encoding: , chunked ,") + chunk(b"hello") + LAST_CHUNK,
        200,
        b"hello",
    ),
    (
        "interim_answers",
        head(status="100 Continue")
        + head("Link: </style.css>; rel=preload", status="103 Early Hints")
        + fixed(b"hello"),
        200,
        b"hello",
    ),
    ("ten_interim", head(status="100 Continue") * 10 + fixed(b"hello"), 200, b"hello"),
    ("status_599", fixed(b"hello", status="599 Network Connect Timeout"), 599, b"hello"),
    ("status_without_reason", with_status(b"HTTP/1.1 200"), 200, b"hello"),
    ("status_with_empty_reason", with_status(b"HTTP/1.1 200 "), 200, b"hello"),
    ("reason_with_tab_and_obs_text", with_status(b"HTTP/1.1 200 O\tK \xe9"), 200, b"hello"),
    ("http_1_1_later_minor", with_status(b"HTTP/1.9 200 OK"), 200, b"hello"),
    ("bare_lf_line_ends", b"HTTP/1.1 200 OK\nContent-Length: 5\nX-A: b\n\nhello", 200, b"hello"),
    (
        "values_with_tab_obs_text_and_nothing",
        with_fields(b"X-Tab: a\tb", b"X-Latin: caf\xe9", b"X-Empty:", b"X-Token: !#$%&'*+-.^_`|~"),
        200,
        b"hello",
    ),
    ("te_on_a_304", head(CHUNKED, status="304 Not Modified"), 304, b""),
    ("200_fields", fixed(b"hello", *wide_fields(199, 1)), 200, b"hello"),
]


@pytest.mark.parametrize(
    ("answer", "status", "body"),
    [pytest.param(answer, status, body, id=name) for name, answer, status, body in SOUND_ANSWERS],
)
def test_sound_framing_is_read_and_the_connection_reused(client, server, answer, status, body):
    server.script(answer)
    server.script(fixed(b"next"))

    with get(client, server) as response:
        assert response.status_code == status
        assert response.read_all() == body
    assert fetch(client, server) == b"next"

    assert server.accepted == 1
    assert [r.conn for r in server.received] == [0, 0]


def test_field_values_are_trimmed_and_kept_as_sent(client, server):
    server.script(
        with_fields(b"X-Tab: a\tb", b"X-Latin: caf\xe9", b"X-Empty:", b"X-Padded: \t padded \t")
    )

    with get(client, server) as response:
        headers = response.headers
        assert headers["x-tab"] == "a\tb"
        assert headers["x-latin"] == "caf\xe9"
        assert headers["x-empty"] == ""
        assert headers["x-padded"] == "padded"
        assert response.read_all() == b"hello"


# --- headers ---------------------------------------------------------------------------------


def test_answer_headers_case_insensitive_and_repeated(client, server):
    server.script(fixed(b"{}", "Content-Type: application/json", "X-Multi: a", "x-multi: b"))

    with get(client, server) as response:
        headers = response.headers
        assert headers["CONTENT-TYPE"] == headers.get("content-type") == "application/json"
        assert "Content-Type" in headers
        assert headers["X-MULTI"] == "a, b"
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
    ("path", "target"),
    [
        ("/v1/my model", "/v1/my%20model"),
        ("/v1/a%2Fb%20c", "/v1/a%2Fb%20c"),  # escapes already there are kept
        ("/v1/caf\u00e9", "/v1/caf%C3%A9"),
        ("/v1/x?q=a b&k=%41", "/v1/x?q=a%20b&k=%41"),
        ('/v1/x"<>', "/v1/x%22%3C%3E"),
    ],
)
def test_request_target_is_percent_encoded(client, server, path, target):
    server.script(fixed(b""))

    with get(client, server, path) as response:
        response.read_all()

    assert server.received[0].request_line == f"GET {target} HTTP/1.1"
    assert http_wire.split_url(server.url + path)[1] == target


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


# --- HTTPS -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 and its key (PEM files)."""
    return write_test_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def tls_server(request, certificate) -> ScriptedServer:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    running = ScriptedServer(tls=context)
    request.addfinalizer(running.stop)
    return running


@pytest.fixture
def tls_client(request, certificate) -> WireTransport:
    """A client trusting the test certificate (a CA bundle of one) instead of the system's CAs."""
    client = WireTransport(
        pool_size=4,
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        tls=ssl.create_default_context(cafile=certificate[0]),
    )
    request.addfinalizer(client.close)
    return client


def test_https_request_and_answer(tls_client, tls_server):
    tls_server.script(fixed(b'{"data": []}', "Content-Type: application/json"))

    with get(tls_client, tls_server) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert isinstance(response._conn.sock, ssl.SSLSocket)
        assert response.read_all() == b'{"data": []}'

    assert tls_server.url.startswith("https://")
    assert tls_server.received[0].request_line == "GET /v1/models HTTP/1.1"
    assert tls_server.received[0].header_lines()[0] == f"Host: 127.0.0.1:{tls_server.port}"


def test_https_keep_alive_reuses_the_connection(tls_client, tls_server):
    tls_server.script(fixed(b"one"))
    tls_server.script(head(CHUNKED) + chunk(b"two") + LAST_CHUNK)
    tls_server.script(fixed(b"three"))

    assert fetch(tls_client, tls_server) == b"one"
    assert fetch(tls_client, tls_server) == b"two"
    assert fetch(tls_client, tls_server) == b"three"
    assert tls_server.accepted == 1
    assert [r.conn for r in tls_server.received] == [0, 0, 0]


def test_https_untrusted_certificate_is_a_clear_502(client, tls_server):
    tls_server.script(fixed(b"never sent"))

    with pytest.raises(UpstreamUnreachableError) as caught:
        get(client, tls_server)  # the default context: the test certificate is not trusted

    assert caught.value.status == 502
    assert isinstance(caught.value.__cause__, ssl.SSLCertVerificationError)
    assert f"provider '{PROVIDER}' is unreachable" in str(caught.value)
    assert "SSLCertVerificationError" in str(caught.value)
    assert tls_server.received == []
