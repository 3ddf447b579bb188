"""LeanChannel and LeanTask (omniroute/lean_channel.py) in a real waitress server on loopback,
driven by raw sockets: the answers are what waitress sends, the head leaves in the same send
as the first body bytes, and the event loop is woken after an answer only when the connection
needs it (a queued request, a close, output left to flush).

The server's loop waits 30 s between wake-ups, so a wake-up skipped when one was needed shows
as a client timing out (each read gives up after 5 s), not as a slower test.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
from waitress.server import create_server

from omniroute.lean_channel import MERGE_LIMIT, LeanChannel, QuietTrigger, quiet_triggers
from omniroute.oversized_bodies import use_channel_class
from omniroute.thread_pool import GrowingTaskDispatcher

LARGE = b"x" * (MERGE_LIMIT + 1)
JSON = b'{"ok": true}'


def app(environ, start_response):
    path = environ["PATH_INFO"]
    environ["wsgi.input"].read()
    if path == "/json" and environ["REQUEST_METHOD"] == "HEAD":
        start_response("200 OK", [("Content-Length", str(len(JSON)))])
        return []
    if path == "/json":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [JSON]
    if path == "/no-content":
        start_response("204 No Content", [])
        return [b"ignored"]
    if path == "/stream":
        start_response("200 OK", [("Content-Type", "text/event-stream")])
        return iter([b"data: 1\n\n", b"data: 2\n\n"])
    if path == "/large":
        start_response("200 OK", [("Content-Length", str(len(LARGE)))])
        return iter([LARGE])
    if path == "/too-long":  # more bytes than its Content-Length: waitress cuts them
        start_response("200 OK", [("Content-Length", "4")])
        return iter([b"abcdefgh"])
    start_response("404 Not Found", [("Content-Length", "0")])
    return []


class RecordingChannel(LeanChannel):
    """Keeps what each send put on the socket, and counts the requests served to the end."""

    sends: list[bytes] = []
    served: list[int] = []
    lock = threading.Lock()

    def service(self):
        super().service()
        with self.lock:
            self.served.append(1)

    def send(self, data, do_close=True):
        sent = super().send(data, do_close)
        if sent:
            with self.lock:
                self.sends.append(bytes(data[:sent]))
        return sent


PULLS: list[int] = []  # one entry per wake-up the quiet trigger let through


def counted(pull):
    def pull_and_count() -> None:
        PULLS.append(1)
        pull()

    return pull_and_count


@pytest.fixture(scope="module")
def server():
    dispatcher = GrowingTaskDispatcher()
    dispatcher.set_thread_count(8)
    running = create_server(
        app,
        host="127.0.0.1",
        port=0,
        _dispatcher=dispatcher,
        asyncore_use_poll=True,
        asyncore_loop_timeout=30,
        channel_request_lookahead=1,
        ident="t",
    )
    use_channel_class(running, RecordingChannel)
    quiet_triggers(running)
    trigger = running.pull_trigger
    assert isinstance(trigger, QuietTrigger)
    trigger.pull = counted(trigger.pull)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    yield running
    running.close()
    for channel in list(running._map.values()):
        channel.close()
    dispatcher.shutdown(cancel_pending=True, timeout=2)


@pytest.fixture
def client(server):
    sock = socket.create_connection(("127.0.0.1", server.effective_port), timeout=5)
    with RecordingChannel.lock:
        RecordingChannel.sends.clear()
        RecordingChannel.served.clear()
    PULLS.clear()
    yield sock
    sock.close()


def request(path: str, method: str = "GET", close: bool = False) -> bytes:
    extra = "Connection: close\r\n" if close else ""
    return f"{method} {path} HTTP/1.1\r\nHost: t\r\n{extra}\r\n".encode()


def read_answer(sock: socket.socket, buffered: bytearray, method: str = "GET") -> tuple:
    """One answer off the connection: (status line, headers, body); `buffered` keeps what
    was read past it."""
    while b"\r\n\r\n" not in buffered:
        buffered += receive(sock)
    head, _, rest = bytes(buffered).partition(b"\r\n\r\n")
    buffered[:] = rest
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value for name, value in (line.split(": ", 1) for line in lines)}
    if method == "HEAD" or status.split()[1] in ("204", "304"):
        return status, headers, b""
    if headers.get("transfer-encoding") == "chunked":
        return status, headers, read_chunked(sock, buffered)
    length = int(headers["content-length"])
    while len(buffered) < length:
        buffered += receive(sock)
    body = bytes(buffered[:length])
    del buffered[:length]
    return status, headers, body


def read_chunked(sock: socket.socket, buffered: bytearray) -> bytes:
    body = b""
    while True:
        while b"\r\n" not in buffered:
            buffered += receive(sock)
        size_line, _, _ = bytes(buffered).partition(b"\r\n")
        size = int(size_line, 16)
        while len(buffered) < len(size_line) + 2 + size + 2:
            buffered += receive(sock)
        start = len(size_line) + 2
        body += bytes(buffered[start : start + size])
        del buffered[: start + size + 2]
        if size == 0:
            return body


def receive(sock: socket.socket) -> bytes:
    data = sock.recv(65536)  # socket.timeout (5 s) fails the test
    assert data, "the server closed the connection"
    return data


def wait_until(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def sends() -> list[bytes]:
    with RecordingChannel.lock:
        return list(RecordingChannel.sends)


def test_a_keep_alive_answer_is_one_send_and_wakes_nothing(client):
    buffered = bytearray()
    for count in range(1, 21):
        client.sendall(request("/json"))
        status, headers, body = read_answer(client, buffered)
        assert status == "HTTP/1.1 200 OK" and body == JSON
        assert headers["content-length"] == str(len(JSON))
        # the next request waits for this one's end (a request already queued is the loop's
        # business, and wakes it rightly: tested with pipelining below)
        assert wait_until(lambda count=count: len(RecordingChannel.served) == count)
    assert wait_until(lambda: len(sends()) == 20)  # head and body together, every time
    recorded = sends()
    assert all(each.startswith(b"HTTP/1.1 200 OK\r\n") and each.endswith(JSON) for each in recorded)
    assert len(PULLS) == 0  # each answer settled: nothing for the loop to do


def test_pipelined_requests_are_all_answered_in_order(client):
    client.sendall(request("/json") + request("/nothing-here") + request("/too-long"))
    buffered = bytearray()
    first, second, third = (read_answer(client, buffered) for _ in range(3))
    assert (first[0], first[2]) == ("HTTP/1.1 200 OK", JSON)
    assert second[0] == "HTTP/1.1 404 Not Found"
    assert (third[0], third[2]) == ("HTTP/1.1 200 OK", b"abcd")
    assert len(PULLS) >= 1  # the queued requests needed the loop


def test_connection_close_answers_then_closes(client):
    client.sendall(request("/json", close=True))
    buffered = bytearray()
    status, headers, body = read_answer(client, buffered)
    assert (status, body, headers["connection"]) == ("HTTP/1.1 200 OK", JSON, "close")
    assert client.recv(10) == b""  # closed by the loop, woken for it (else: 5 s timeout)
    assert len(PULLS) >= 1


def test_a_stream_sends_its_head_with_the_first_chunk(client):  # and closes, as waitress does
    client.sendall(request("/stream"))
    buffered = bytearray()
    status, headers, body = read_answer(client, buffered)
    assert headers["transfer-encoding"] == "chunked"
    assert body == b"data: 1\n\ndata: 2\n\n"
    first = sends()[0]
    assert first.startswith(b"HTTP/1.1 200 OK\r\n") and first.endswith(b"9\r\ndata: 1\n\n\r\n")


def test_an_answer_without_a_body_is_its_head_alone(client, server):
    buffered = bytearray()
    client.sendall(request("/no-content"))
    status, headers, body = read_answer(client, buffered)
    assert status == "HTTP/1.1 204 No Content" and "content-length" not in headers
    assert client.recv(10) == b""  # waitress closes after an answer without a length
    assert sends() == [sends()[0]] and sends()[0].endswith(b"\r\n\r\n")  # the head alone
    with socket.create_connection(("127.0.0.1", server.effective_port), timeout=5) as again:
        again.sendall(request("/json", method="HEAD") + request("/json"))
        status, headers, _ = read_answer(again, buffered, method="HEAD")
        assert status == "HTTP/1.1 200 OK" and headers["content-length"] == str(len(JSON))
        assert read_answer(again, buffered)[2] == JSON  # the connection is still in step


def test_a_large_first_write_keeps_its_head_separate(client):
    client.sendall(request("/large"))
    buffered = bytearray()
    status, headers, body = read_answer(client, buffered)
    assert status == "HTTP/1.1 200 OK" and body == LARGE
    assert sends()[0].endswith(b"\r\n\r\n")  # the head alone: the body was not copied


def test_bytes_past_the_content_length_are_cut_as_waitress_does(client):
    client.sendall(request("/too-long") + request("/json"))
    buffered = bytearray()
    status, headers, body = read_answer(client, buffered)
    assert (headers["content-length"], body) == ("4", b"abcd")
    assert read_answer(client, buffered)[2] == JSON  # nothing extra reached the connection
