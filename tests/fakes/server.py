"""The fake upstream server: an asyncio HTTP/1.1 server on 127.0.0.1 speaking four wire formats.

OpenAI Chat Completions, OpenAI Responses, Anthropic Messages and Gemini generateContent, each
written by hand in its own module from the providers' API references (never from the gateway's
code, so it is an independent oracle). Tests script it with `Behavior` rules matched on the
request's model (Gemini: the model in the URL) and API key (read from the header that format
uses); unmatched requests follow the echo / CALLTOOL / "tool said" conventions of
`tests.fakes.script`. Error answers come in each format's own shape (or as a scripted raw
body). Every request is recorded. The event loop runs in a thread, so one instance serves
thousands of concurrent streams.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import sys
import threading
import traceback

from tests.fakes import anthropic, gemini, openai_chat, responses, validation
from tests.fakes.recording import FORMATS, Recorded
from tests.fakes.script import Behavior, Rule, build_reply
from tests.fakes.wire import Frame, read_request, send, send_json, send_stream

DIALECTS = {module.FORMAT: module for module in (openai_chat, anthropic, responses, gemini)}
MODEL_IDS = ("fake-model",)
MODELS_WAIT = 5.0  # seconds a list request waits for the others `models_together` asks for


class FakeUpstream:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, record: bool = True):
        self.host, self.port = host, port
        self.record = record
        # strict: refuse what the real API refuses (tests.fakes.validation); a test that turns
        # it off must say why
        self.strict = True
        self.strict_refusals: list[tuple[str, str]] = []  # (format, message) of each refusal
        self.rules: list[Rule] = []
        self.requests: list[Recorded] = []
        self.valid_keys: set[str] = set()  # empty: any key is accepted
        # GET .../models: the ids it lists, the error it answers instead (a status >= 400),
        # and how many list requests must wait together before any is answered (a test that
        # they are sent at once; one left waiting alone gets a 503 after MODELS_WAIT seconds)
        self.model_ids: list[str] = list(MODEL_IDS)
        self.models_error: Behavior | None = None
        self.models_together = 1
        self._models_waiting = 0
        self.stream_log: list[tuple[float, str]] = []  # (monotonic time, event text) as sent
        # streams the client closed before their end: (monotonic time noticed, events sent)
        self.aborted_streams: list[tuple[float, int]] = []
        self._serial = itertools.count(1)
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
        """Close the listener, every open connection and every request still being answered,
        then end the loop's thread."""
        if self._loop is None:
            return

        async def shut_down():
            self._server.close()
            for writer in list(self._writers):
                writer.transport.abort()
            handlers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for handler in handlers:  # e.g. one still sleeping out a scripted delay
                handler.cancel()
            await asyncio.gather(*handlers, return_exceptions=True)
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
            self.aborted_streams.clear()
            self.strict_refusals.clear()
            self.strict = True
            self._serial = itertools.count(1)
            self.model_ids = list(MODEL_IDS)
            self.models_error = None
            self.models_together = 1
            self._models_waiting = 0

    def add(
        self,
        behavior: Behavior,
        model: str | None = None,
        api_key: str | None = None,
        times: int | None = None,
    ) -> None:
        with self._lock:
            self.rules.append(Rule(behavior, model, api_key, times))

    def add_cycle(
        self,
        behaviors: list[Behavior | None],
        model: str | None = None,
        api_key: str | None = None,
    ) -> Rule:
        """Answer matching requests with each behaviour in turn, forever (None: the default
        conventions). The returned rule's `served` counts the requests it answered."""
        if not behaviors:
            raise ValueError("a cycle needs at least one behaviour")
        rule = Rule(None, model, api_key, None, list(behaviors))
        with self._lock:
            self.rules.append(rule)
        return rule

    def requests_for(self, fmt: str) -> list[Recorded]:
        """Recorded requests of one format: "openai", "anthropic", "responses" or "gemini"."""
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; one of {FORMATS}")
        return [r for r in self.requests if r.format == fmt]

    def chat_requests(self) -> list[Recorded]:
        return self.requests_for("openai")

    def answer_headers(self, request: Recorded) -> dict[str, str]:
        """Headers every answer to `request` carries besides the behaviour's (none here; a
        subclass adds its own, e.g. the quota headers of tests.fakes.subscriptions)."""
        return {}

    def _behavior_for(self, model: str | None, api_key: str | None) -> Behavior | None:
        with self._lock:
            for rule in self.rules:
                if rule.model not in (None, model) or rule.api_key not in (None, api_key):
                    continue
                if rule.times is not None:
                    if rule.times <= 0:
                        continue
                    rule.times -= 1
                return rule.next_behavior()
        return None

    # -- HTTP ----------------------------------------------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self._writers.add(writer)
        try:
            while True:
                request = await read_request(reader, writer)
                if request is None:
                    break
                try:
                    keep_open = await self._respond(request, writer)
                except (ConnectionError, asyncio.IncompleteReadError):
                    raise
                except Exception as exc:  # a bug in the fake: say so loudly, never hang
                    traceback.print_exc(file=sys.stderr)
                    await send_json(writer, 500, openai_chat.error(500, f"fake upstream: {exc!r}"))
                    keep_open = True
                if not keep_open:
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass  # stop(): end quietly (asyncio's stream callback chokes on a cancelled task)
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _respond(self, request: Recorded, writer: asyncio.StreamWriter) -> bool:
        if self.record:
            with self._lock:
                self.requests.append(request)
        route = request.route
        dialect = DIALECTS.get(route.format, openai_chat)
        if self.valid_keys and request.api_key not in self.valid_keys:
            await send_json(writer, *dialect.key_error())
            return True
        if route.action == "models":
            return await self._list_models(request, dialect, writer)
        if route.format is None:
            await send_json(writer, 404, openai_chat.error(404, f"no route {request.path}"))
            return True
        return await self._answer(request, dialect, writer)

    async def _list_models(self, request: Recorded, dialect, writer) -> bool:
        """GET .../models: the scripted error, else the list once `models_together` wait."""
        with self._lock:
            self._models_waiting += 1
        deadline = asyncio.get_running_loop().time() + MODELS_WAIT
        while self._models_waiting < self.models_together:
            if asyncio.get_running_loop().time() > deadline:
                await send_json(writer, 503, openai_chat.error(503, "list requests came alone"))
                return True
            await asyncio.sleep(0.01)
        if self.models_error is not None:
            headers = {"Content-Type": "application/json", **self.models_error.headers}
            body = error_body(dialect, self.models_error)
            await send(writer, self.models_error.status, body, headers)
            return True
        await send_json(writer, 200, _model_list(request, self.model_ids))
        return True

    async def _answer(self, request: Recorded, dialect, writer: asyncio.StreamWriter) -> bool:
        """The scripted part: delay, error, count, stream or body, from the matching rule —
        after the strict check, which refuses what the real API would refuse."""
        route = request.route
        if self.strict and (invalid := validation.check(request)) is not None:
            with self._lock:
                self.strict_refusals.append((route.format, invalid.message))
            await send_json(writer, validation.STATUS, validation.error_body(dialect, invalid))
            return True
        body = request.body if isinstance(request.body, dict) else {}
        matched = self._behavior_for(request.model, request.api_key)
        behavior = matched or Behavior()
        extra = self.answer_headers(request)
        if extra:  # a subclass's own headers; the behaviour's win
            behavior = dataclasses.replace(behavior, headers={**extra, **behavior.headers})
        if behavior.delay:
            await asyncio.sleep(behavior.delay)
        if behavior.status >= 400:
            headers = {"Content-Type": "application/json", **behavior.headers}
            await send(writer, behavior.status, error_body(dialect, behavior), headers)
            return True
        if route.action == "count_tokens":
            await send_json(writer, 200, anthropic.count_tokens(body), behavior.headers)
            return True
        conversation = dialect.conversation(body)
        reply = build_reply(matched, conversation, request.model, next(self._serial), body)
        if _is_event_stream(request, body):
            return await self._stream(writer, behavior, dialect.stream(reply), dialect.STREAM_END)
        if behavior.raw_body is not None:
            headers = {"Content-Type": "application/json", **behavior.headers}
            await send(writer, 200, behavior.raw_body, headers)
        elif route.action == "stream":  # streamGenerateContent without alt=sse: a JSON array
            await send_json(writer, 200, gemini.chunks(reply), behavior.headers)
        else:
            await send_json(writer, 200, dialect.answer(reply), behavior.headers)
        return True

    async def _stream(self, writer, behavior: Behavior, frames: list[Frame], end: bytes) -> bool:
        if behavior.raw_body is not None:
            frames, end = [Frame(behavior.raw_body, "raw_body")], b""
        return await send_stream(
            writer, behavior, frames, end, self.stream_log, self.aborted_streams
        )


# Where each format keeps an error's code (`Behavior.error_code`).
ERROR_CODE_FIELDS = {"openai": "code", "responses": "code", "anthropic": "type", "gemini": "status"}


def error_body(dialect, behavior: Behavior) -> bytes:
    """An error answer's body: `error_body` as-is, else the format's shape with the scripted
    message, code and (Gemini) details."""
    if behavior.error_body is not None:
        return behavior.error_body
    message = behavior.error_message or f"fake error {behavior.status}"
    payload = dialect.error(behavior.status, message)
    if behavior.error_code is not None:
        payload["error"][ERROR_CODE_FIELDS[dialect.FORMAT]] = behavior.error_code
    if behavior.error_details is not None and dialect.FORMAT == "gemini":
        payload["error"]["details"] = behavior.error_details
    return json.dumps(payload).encode()


def _is_event_stream(request: Recorded, body: dict) -> bool:
    route = request.route
    if route.format == "gemini":
        return route.action == "stream" and request.query.get("alt") == "sse"
    return bool(body.get("stream"))


def _model_list(request: Recorded, model_ids: list[str]) -> dict:
    """GET .../models in the shape the asking client expects (by the key header it sent)."""
    headers = request.headers
    if "x-goog-api-key" in headers or "key" in request.query:
        return {"models": [{"name": f"models/{m}", "displayName": m} for m in model_ids]}
    if "anthropic-version" in headers:
        data = [
            {"type": "model", "id": m, "display_name": m, "created_at": "2025-01-01T00:00:00Z"}
            for m in model_ids
        ]
        return {
            "data": data,
            "has_more": False,
            "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None,
        }
    data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in model_ids]
    return {"object": "list", "data": data}
