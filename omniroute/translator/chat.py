"""The chat tester: one live chat through the gateway, every step of it recorded.

The call runs through a copy of the real Pipeline — same routes, routing state, usage writer,
telemetry and accounting — whose upstream client is a CapturingClient and whose monitor keeps the
finished usage row (and still feeds the live monitor). `ChatRun.events()` yields the cycle as it
happens: the inbound request, each upstream request (secrets redacted) and the bytes of its
answer, the reply's status and headers, each chunk the client receives, and a final summary with
the routing decision (combo, provider, account, the attempt chain).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass

from ..formats import canonical as c
from ..formats.registry import FORMATS
from ..proxy.translation import ClientCall
from .capture import CAPTURE_LIMIT, CapturingClient

CHAT_ENDPOINT = "translator.chat"


@dataclass
class ChatRequest:
    model: str
    client_format: str
    message: str = ""
    system: str = ""
    stream: bool = True
    max_tokens: int | None = None
    body: dict | None = None  # a whole client-format body instead of message and system

    def client_body(self) -> dict:
        if self.body is not None:
            return self.body
        request = c.Request(
            model=self.model,
            messages=(c.Message("user", (c.TextPart(self.message),)),),
            system=(c.TextPart(self.system),) if self.system.strip() else (),
            stream=self.stream,
            max_tokens=self.max_tokens,
        )
        return FORMATS[self.client_format].build_request(request)

    def client_path(self) -> str:
        return FORMATS[self.client_format].client_path(self.model, self.stream)


class ChatMonitor:
    """Keeps the run's usage row and hands it on to the live monitor when someone watches."""

    watching = True

    def __init__(self, live):
        self.live = live
        self.row: dict | None = None

    def publish(self, row: dict) -> None:
        self.row = row
        if self.live.watching:
            self.live.publish(row)


class ChatRun:
    def __init__(self, services, chat: ChatRequest, client_gone=None):
        self.services = services
        self.chat = chat
        self.capture = CapturingClient(services.upstream)
        self.monitor = ChatMonitor(services.pipeline.monitor)
        self.pipeline = copy.copy(services.pipeline)
        self.pipeline.client = self.capture
        self.pipeline.monitor = self.monitor
        self.client_gone = client_gone
        self.response = bytearray()
        self.reply_status: int | None = None
        self.reply_headers: dict[str, str] = {}

    def events(self) -> Iterator[tuple[str, dict]]:
        """(name, payload) for each step, in the order it happened; "done" last."""
        chat, body = self.chat, self.chat.client_body()
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        yield "inbound", {"format": chat.client_format, "path": chat.client_path(), "body": body}
        in_url = FORMATS[chat.client_format].model_in_url
        call = ClientCall(
            chat.client_format,
            raw,
            CHAT_ENDPOINT,
            None,
            model=chat.model if in_url else None,
            stream=chat.stream if in_url else None,
            headers={},
            client_gone=self.client_gone,
        )
        reply = self.pipeline.handle(call)
        yield from self._notes()
        self.reply_status, self.reply_headers = reply.status, dict(reply.headers)
        yield "reply", {"status": reply.status, "headers": self.reply_headers}
        chunks = [reply.body] if isinstance(reply.body, bytes) else reply.body
        try:
            for chunk in chunks:
                yield from self._notes()
                self._keep(chunk)
                yield "response_chunk", {"text": chunk.decode("utf-8", "replace")}
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()  # ends the relay: closes the upstream answer and records the row
        yield from self._notes()
        yield "done", self.summary()

    def _keep(self, chunk: bytes) -> None:
        room = CAPTURE_LIMIT - len(self.response)
        self.response.extend(chunk[: max(room, 0)])

    def _notes(self) -> Iterator[tuple[str, dict]]:
        for kind, exchange, data in self.capture.drain():
            if kind == "upstream_request":
                payload = {
                    k: v
                    for k, v in exchange.as_json().items()
                    if k in ("number", "provider", "method", "url", "headers", "body")
                }
            elif kind == "upstream_response":
                payload = {
                    "number": exchange.number,
                    "status": exchange.status,
                    "headers": exchange.response_headers,
                    "ms": exchange.ms,
                    "error": exchange.error,
                }
            else:
                payload = {"number": exchange.number, "text": data.decode("utf-8", "replace")}
            yield kind, payload

    def summary(self) -> dict:
        return {
            "status": self.reply_status,
            "headers": self.reply_headers,
            "routing": self.routing(),
            "exchanges": [exchange.as_json() for exchange in self.capture.exchanges],
            "response": self.response.decode("utf-8", "replace"),
        }

    def routing(self) -> dict:
        """The routing decision: the combo (if the model names one), who answered, every call."""
        row = self.monitor.row or {}
        chain = json.loads(row["attempt_chain"]) if row.get("attempt_chain") else []
        combo = self.services.routes.snapshot().combos.get(self.chat.model)
        answered = next((step for step in reversed(chain) if step.get("status", 500) < 400), None)
        attempts = row.get("attempts") or len(chain)
        return {
            "requestedModel": self.chat.model,
            "combo": None
            if combo is None
            else {
                "name": combo.name,
                "strategy": combo.strategy,
                "targets": [target.model for target in combo.targets],
            },
            "provider": row.get("provider"),
            "model": row.get("model"),
            "account": answered.get("account") if answered else None,
            "attempts": attempts,
            "fallbackAttempts": max(0, attempts - 1),
            "chain": chain,
            "status": row.get("status", self.reply_status),
            "error": row.get("error"),
            "latencyMs": row.get("latency_ms"),
            "ttftMs": row.get("ttft_ms"),
            "promptTokens": row.get("prompt_tokens"),
            "completionTokens": row.get("completion_tokens"),
        }


def run_to_end(run: ChatRun) -> dict:
    """The whole cycle at once (no live view): inbound, summary and every upstream exchange."""
    inbound = None
    for name, payload in run.events():
        if name == "inbound":
            inbound = payload
        elif name == "done":
            return {"inbound": inbound, **payload}
    return {"inbound": inbound, **run.summary()}
