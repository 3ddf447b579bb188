"""A real fake upstream: an asyncio HTTP/1.1 server on 127.0.0.1 speaking the OpenAI Chat API.

Tests (and the benchmark) script its behaviour with rules matched on the request's model and
API key: status codes and error bodies, Retry-After, delays before the headers, the text chunks
of a stream and the time between them, tool calls, usage, and a connection reset after N chunks.
Every request it receives is recorded for assertions. It runs its event loop in a thread, so
one instance serves thousands of concurrent streams.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

ECHO_PREFIX = "echo: "


@dataclass
class Behavior:
    status: int = 200
    error_message: str | None = None  # body of an error answer (OpenAI shape)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line is sent
    text: str | None = None  # reply text (default: echo of the last user message)
    chunks: list[str] | None = None  # stream pieces (default: the text split into words)
    chunk_interval: float = 0.0  # seconds between stream chunks
    reset_after_chunks: int | None = None  # drop the connection after this many chunks
    tool_calls: list[tuple[str, str]] | None = None  # (name, arguments JSON)
    usage: tuple[int, int] = (11, 7)  # prompt, completion tokens
    usage_in_stream: bool = True  # send the usage chunk when stream_options.include_usage
    raw_body: bytes | None = None  # send this body as-is (non-stream), e.g. invalid JSON


@dataclass
class Rule:
    behavior: Behavior
    model: str | None = None
    api_key: str | None = None
    times: int | None = None  # None: every matching request


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any

    @property
    def api_key(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[7:] if auth.lower().startswith("bearer ") else None


class FakeUpstream:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, record: bool = True):
        self.host, self.port = host, port
        self.record = record
        self.rules: list[Rule] = []
        self.requests: list[Recorded] = []
        self.valid_keys: set[str] = set()  # empty: any key is accepted
        self.stream_log: list[tuple[float, str]] = []  # (monotonic time, chunk text) as sent
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server = None
        self._thread: threading.Thread | None = None
        self._writers: set[asyncio.StreamWriter] = set()

        self._lock = threading.Lock()

    # -- control -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def start(self) -> FakeUpstream:
        ready = threading.Event()

        def run():
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._handle, self.host, self.port, backlog=4096)
            )
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fake-upstream", daemon=True)
        self._thread.start()
        ready.wait(5)
        return self

    def stop(self) -> None:
        """Close the listener and every open connection, then end the loop's thread."""
        if self._loop is None:
            return

        async def shut_down():
            self._server.close()
            for writer in list(self._writers):
                writer.transport.abort()
            await asyncio.sleep(0.05)
            self._loop.stop()

        asyncio.run_coroutine_threadsafe(shut_down(), self._loop)
        self._thread.join(5)
        self._loop.close()
        self._loop = None

    def reset(self) -> None:
        with self._lock:
            self.rules.clear()
            self.requests.clear()
            self.valid_keys.clear()
            self.stream_log.clear()

    def add(
        self,
        behavior: Behavior,
        model: str | None = None,
        api_key: str | None = None,
        times: int | None = None,
    ) -> None:
        with self._lock:
            self.rules.append(Rule(behavior, model, api_key, times))

    def chat_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def _behavior_for(self, model: str | None, api_key: str | None) -> Behavior:
        with self._lock:
            for rule in self.rules:
                if rule.model not in (None, model) or rule.api_key not in (None, api_key):
                    continue
                if rule.times is not None:
                    if rule.times <= 0:
                        continue
                    rule.times -= 1
                return rule.behavior
        return Behavior()

    # -- HTTP ----------------------------------------------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self._writers.add(writer)
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                keep_open = await self._respond(request, writer)
                if not keep_open:
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _respond(self, request: Recorded, writer: asyncio.StreamWriter) -> bool:
        if self.record:
            with self._lock:
                self.requests.append(request)
        if self.valid_keys and request.api_key not in self.valid_keys:
            await _send_json(writer, 401, _error("Incorrect API key provided", "invalid_api_key"))
            return True
        if request.method == "GET" and request.path.endswith("/models"):
            await _send_json(
                writer,
                200,
                {
                    "object": "list",
                    "data": [{"id": "fake-model", "object": "model", "owned_by": "fake"}],
                },
            )
            return True
        if request.method != "POST" or not request.path.endswith("/chat/completions"):
            await _send_json(writer, 404, _error(f"no route {request.path}", "not_found"))
            return True
        body = request.body if isinstance(request.body, dict) else {}
        behavior = self._behavior_for(body.get("model"), request.api_key)
        if behavior.delay:
            await asyncio.sleep(behavior.delay)
        if behavior.status >= 400:
            message = behavior.error_message or f"fake error {behavior.status}"
            await _send_json(
                writer, behavior.status, _error(message, str(behavior.status)), behavior.headers
            )
            return True
        if body.get("stream"):
            return await self._stream(body, behavior, writer)
        if behavior.raw_body is not None:
            await _send(writer, 200, behavior.raw_body, {"Content-Type": "application/json"})
            return True
        await _send_json(writer, 200, _completion(body, behavior), behavior.headers)
        return True

    async def _stream(self, body: dict, behavior: Behavior, writer) -> bool:
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            "Transfer-Encoding: chunked\r\nCache-Control: no-cache\r\n"
        )
        for name, value in behavior.headers.items():
            head += f"{name}: {value}\r\n"
        writer.write((head + "\r\n").encode())
        created = int(time.time())
        base = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": created,
            "model": body.get("model"),
        }
        events = [
            dict(
                base,
                choices=[
                    {
                        "index": 0,
                        "delta": {"role": "assistant", "content": ""},
                        "finish_reason": None,
                    }
                ],
            )
        ]
        for piece in _pieces(body, behavior):
            events.append(
                dict(
                    base, choices=[{"index": 0, "delta": {"content": piece}, "finish_reason": None}]
                )
            )
        for index, (name, arguments) in enumerate(behavior.tool_calls or []):
            events.append(
                dict(
                    base,
                    choices=[
                        {
                            "index": 0,
                            "delta": {
                                "tool_calls": [
                                    {
                                        "index": index,
                                        "id": f"call_{index}",
                                        "type": "function",
                                        "function": {"name": name, "arguments": arguments},
                                    }
                                ]
                            },
                            "finish_reason": None,
                        }
                    ],
                )
            )
        finish = "tool_calls" if behavior.tool_calls else "stop"
        events.append(dict(base, choices=[{"index": 0, "delta": {}, "finish_reason": finish}]))
        options = body.get("stream_options") or {}
        if options.get("include_usage") and behavior.usage_in_stream:
            events.append(dict(base, choices=[], usage=_usage(behavior)))
        for sent, event in enumerate(events):
            if behavior.reset_after_chunks is not None and sent >= behavior.reset_after_chunks:
                writer.transport.abort()
                return False
            if sent and behavior.chunk_interval:
                await asyncio.sleep(behavior.chunk_interval)
            data = f"data: {json.dumps(event)}\n\n".encode()
            writer.write(b"%x\r\n%s\r\n" % (len(data), data))
            await writer.drain()
            self.stream_log.append((time.monotonic(), json.dumps(event["choices"])))
        done = b"data: [DONE]\n\n"
        writer.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(done), done))
        await writer.drain()
        return True


def _last_user_text(body: dict) -> str:
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def _reply_text(body: dict, behavior: Behavior) -> str:
    return behavior.text if behavior.text is not None else ECHO_PREFIX + _last_user_text(body)


def _pieces(body: dict, behavior: Behavior) -> list[str]:
    if behavior.chunks is not None:
        return behavior.chunks
    words = _reply_text(body, behavior).split(" ")
    return [w if i == 0 else " " + w for i, w in enumerate(words)]


def _usage(behavior: Behavior) -> dict:
    prompt, completion = behavior.usage
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _completion(body: dict, behavior: Behavior) -> dict:
    message: dict = {"role": "assistant", "content": _reply_text(body, behavior)}
    finish = "stop"
    if behavior.tool_calls:
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": f"call_{i}", "type": "function", "function": {"name": n, "arguments": a}}
                for i, (n, a) in enumerate(behavior.tool_calls)
            ],
        }
        finish = "tool_calls"
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model"),
        "usage": _usage(behavior),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
    }


def _error(message: str, code: str) -> dict:
    return {"error": {"message": message, "type": "invalid_request_error", "code": code}}


async def _read_request(reader: asyncio.StreamReader) -> Recorded | None:
    line = await reader.readline()
    if not line:
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers = {}
    while True:
        header = await reader.readline()
        if header in (b"\r\n", b"\n", b""):
            break
        name, _, value = header.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    raw = b""
    if "content-length" in headers:
        raw = await reader.readexactly(int(headers["content-length"]))
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw
    return Recorded(method, path, headers, body)


async def _send(writer, status: int, payload: bytes, headers: dict[str, str]) -> None:
    head = f"HTTP/1.1 {status} X\r\nContent-Length: {len(payload)}\r\n"
    for name, value in headers.items():
        head += f"{name}: {value}\r\n"
    writer.write((head + "\r\n").encode() + payload)
    await writer.drain()


async def _send_json(writer, status: int, payload: dict, headers: dict[str, str] | None = None):
    await _send(
        writer,
        status,
        json.dumps(payload).encode(),
        {"Content-Type": "application/json", **(headers or {})},
    )
