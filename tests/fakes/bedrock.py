"""A strict fake of Amazon Bedrock Runtime's Converse API, on 127.0.0.1.

POST /model/{modelId}/converse answers JSON; POST /model/{modelId}/converse-stream answers AWS
event-stream frames (application/vnd.amazon.eventstream), written by the small encoder below
with both CRC32 checksums, as botocore's parser verifies them. Before answering it checks, as
Bedrock does:
- the credentials (tests/fakes/bedrock_auth.py: the SigV4 signature recomputed with the secret,
  or a Bedrock API key as Bearer): 403 with Bedrock's message otherwise;
- the Converse body (400 ValidationException `{"message": …}`): only Converse's top-level
  fields, a non-empty `messages` starting with a user turn and alternating roles, content
  blocks with exactly one known member, no blank text, toolUse/toolResult only with a
  toolConfig, tool specs with inputSchema.json, a toolChoice of auto/any/tool, inferenceConfig
  fields only, and reasoning given back only with a signature this fake issued.
The answer: with tools and no tool result yet, a toolUse of the first tool with input
{"query": <the last user text>}; else "echo: <the last user text>" (after a tool result:
"tool said: <its text>"), preceded by a reasoning block with a signature when
additionalModelRequestFields.thinking is enabled. Usage: the words of the text blocks in, of
the answer out, and CACHE_READ tokens read from the cache; every request is recorded.

It also answers Bedrock's control-plane ListFoundationModels, GET /foundation-models, under the
same credentials (a SigV4 signature over the GET for service "bedrock"), with `modelSummaries`
for the ids in `model_ids`; any other GET is an UnknownOperationException.
"""

from __future__ import annotations

import json
import struct
import threading
from binascii import crc32
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote

from tests.fakes.bedrock_auth import BedrockAuth
from tests.fakes.threaded_server import ThreadedFakeServer

TOP_LEVEL = frozenset(
    {
        "messages",
        "system",
        "inferenceConfig",
        "toolConfig",
        "guardrailConfig",
        "additionalModelRequestFields",
        "promptVariables",
        "additionalModelResponseFieldPaths",
        "requestMetadata",
        "performanceConfig",
    }
)
INFERENCE = frozenset({"maxTokens", "temperature", "topP", "stopSequences"})
BLOCKS = frozenset(
    {"text", "image", "document", "video", "toolUse", "toolResult", "guardContent",
     "cachePoint", "reasoningContent", "citationsContent", "searchResult"}
)  # fmt: skip
REASONING_TEXT = "Let me think about that."
CACHE_READ = 3
LIST_PATH = "/foundation-models"


class Invalid(ValueError):
    pass


@dataclass
class BedrockRecorded:
    path: str
    model: str
    stream: bool
    headers: dict[str, str]
    body: Any


@dataclass
class BedrockFake(ThreadedFakeServer):
    auth: BedrockAuth
    requests: list[BedrockRecorded] = field(default_factory=list)
    signatures: set[str] = field(default_factory=set)
    model_ids: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, recorded: BedrockRecorded) -> None:
        with self._lock:
            self.requests.append(recorded)

    def issue_signature(self) -> str:
        with self._lock:
            signature = f"bedrock-sig-{len(self.signatures) + 1:04d}"
            self.signatures.add(signature)
            return signature


# ---------------------------------------------------------------------------------------------
# The body checks


def check_body(body: Any, fake: BedrockFake) -> None:
    if not isinstance(body, dict):
        raise Invalid("The request body must be a JSON object.")
    unknown = set(body) - TOP_LEVEL
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise Invalid("The messages field is required and must not be empty.")
    if messages[0].get("role") != "user":
        raise Invalid(
            "A conversation must start with a user message. Try again with a conversation "
            "that starts with a user message."
        )
    uses_tools = False
    for index, message in enumerate(messages):
        if message.get("role") not in ("user", "assistant") or set(message) - {"role", "content"}:
            raise Invalid(f"messages.{index}: only role (user or assistant) and content")
        if index and message["role"] == messages[index - 1]["role"]:
            raise Invalid(
                "A conversation must alternate between user and assistant roles. Make sure the "
                "conversation alternates between user and assistant roles and try again."
            )
        content = message.get("content")
        if not isinstance(content, list) or not content:
            raise Invalid(f"messages.{index}.content must be a non-empty list")
        for number, block in enumerate(content):
            uses_tools |= _check_block(block, f"messages.{index}.content.{number}", fake)
    for number, block in enumerate(body.get("system") or []):
        if (
            not isinstance(block, dict)
            or len(block) != 1
            or next(iter(block)) not in ("text", "cachePoint", "guardContent")
        ):
            raise Invalid(f"system.{number} must be a text, cachePoint or guardContent block")
    inference = body.get("inferenceConfig", {})
    if not isinstance(inference, dict) or set(inference) - INFERENCE:
        raise Invalid("inferenceConfig takes maxTokens, temperature, topP and stopSequences")
    if "toolConfig" in body:
        _check_tools(body["toolConfig"])
    elif uses_tools:
        raise Invalid(
            "The toolConfig field must be defined when using toolUse and toolResult content blocks."
        )


def _check_block(block: Any, path: str, fake: BedrockFake) -> bool:
    if not isinstance(block, dict) or len(block) != 1 or next(iter(block)) not in BLOCKS:
        raise Invalid(f"{path} must have exactly one known member")
    kind, value = next(iter(block.items()))
    if kind == "text" and (not isinstance(value, str) or not value.strip()):
        raise Invalid(
            f"The text field in the ContentBlock object at {path} is blank. "
            "Add text to the text field, and try again."
        )
    if kind == "toolUse" and not {"toolUseId", "name", "input"} <= set(value):
        raise Invalid(f"{path}.toolUse needs toolUseId, name and input")
    if kind == "toolResult" and not ({"toolUseId", "content"} <= set(value) and value["content"]):
        raise Invalid(f"{path}.toolResult needs toolUseId and content")
    if kind == "image" and (
        value.get("format") not in ("png", "jpeg", "gif", "webp")
        or "bytes" not in value.get("source", {})
    ):
        raise Invalid(f"{path}.image needs a format and source.bytes")
    if kind == "reasoningContent":
        reasoning = value.get("reasoningText")
        if "redactedContent" not in value and (
            not isinstance(reasoning, dict) or reasoning.get("signature") not in fake.signatures
        ):
            raise Invalid(f"{path}.reasoningContent: the signature is not valid")
    return kind in ("toolUse", "toolResult")


def _check_tools(config: Any) -> None:
    tools = config.get("tools") if isinstance(config, dict) else None
    if not isinstance(tools, list) or not tools or set(config) - {"tools", "toolChoice"}:
        raise Invalid("toolConfig needs a non-empty tools list (and optionally toolChoice)")
    for index, tool in enumerate(tools):
        spec = tool.get("toolSpec") if isinstance(tool, dict) else None
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            raise Invalid(f"toolConfig.tools.{index} needs a toolSpec with a name")
        if not isinstance(spec.get("inputSchema"), dict) or set(spec["inputSchema"]) != {"json"}:
            raise Invalid(f"toolConfig.tools.{index}.toolSpec.inputSchema must be {{json: …}}")
        if set(spec) - {"name", "description", "inputSchema"}:
            raise Invalid(f"toolConfig.tools.{index}.toolSpec has unknown fields")
    choice = config.get("toolChoice")
    if choice is not None and (
        not isinstance(choice, dict)
        or len(choice) != 1
        or next(iter(choice)) not in ("auto", "any", "tool")
    ):
        raise Invalid("toolChoice must be one of auto, any, tool")


# ---------------------------------------------------------------------------------------------
# The answer


def answer_blocks(body: dict, fake: BedrockFake) -> tuple[list[dict], str]:
    last = body["messages"][-1]["content"]
    texts = [block["text"] for block in last if "text" in block]
    results = [block["toolResult"] for block in last if "toolResult" in block]
    blocks: list[dict] = []
    thinking = (body.get("additionalModelRequestFields") or {}).get("thinking") or {}
    if thinking.get("type") == "enabled":
        reasoning = {"text": REASONING_TEXT, "signature": fake.issue_signature()}
        blocks.append({"reasoningContent": {"reasoningText": reasoning}})
    tools = (body.get("toolConfig") or {}).get("tools") or []
    if tools and not results:
        name = tools[0]["toolSpec"]["name"]
        use = {
            "toolUseId": f"tooluse_{len(fake.requests):04d}",
            "name": name,
            "input": {"query": " ".join(texts)},
        }
        return [*blocks, {"toolUse": use}], "tool_use"
    if results:
        said = " ".join(
            item.get("text") or json.dumps(item.get("json")) for item in results[0]["content"]
        )
        return [*blocks, {"text": f"tool said: {said}"}], "end_turn"
    return [*blocks, {"text": f"echo: {' '.join(texts)}"}], "end_turn"


def usage(body: dict, blocks: list[dict]) -> dict:
    texts = [b["text"] for m in body["messages"] for b in m["content"] if "text" in b]
    words = sum(len(text.split()) for text in texts)
    out = sum(len(json.dumps(block).split()) for block in blocks)
    return {
        "inputTokens": words,
        "outputTokens": out,
        "totalTokens": words + out + CACHE_READ,
        "cacheReadInputTokens": CACHE_READ,
    }


# ---------------------------------------------------------------------------------------------
# Event-stream frames


def frame(headers: dict[str, str], payload: bytes) -> bytes:
    packed = b"".join(
        struct.pack(">B", len(n)) + n.encode() + struct.pack(">BH", 7, len(v.encode())) + v.encode()
        for n, v in headers.items()
    )
    prelude = struct.pack(">II", 16 + len(packed) + len(payload), len(packed))
    message = prelude + struct.pack(">I", crc32(prelude)) + packed + payload
    return message + struct.pack(">I", crc32(message))


def event(kind: str, payload: dict) -> bytes:
    headers = {":event-type": kind, ":content-type": "application/json", ":message-type": "event"}
    return frame(headers, json.dumps({**payload, "p": "abcdefgh"}).encode())


def stream_frames(blocks: list[dict], stop: str, counts: dict) -> list[bytes]:
    frames = [event("messageStart", {"role": "assistant"})]
    for index, block in enumerate(blocks):

        def delta(d: dict, i: int = index) -> bytes:
            return event("contentBlockDelta", {"contentBlockIndex": i, "delta": d})

        if "reasoningContent" in block:
            reasoning = block["reasoningContent"]["reasoningText"]
            frames += [
                delta({"reasoningContent": {"text": reasoning["text"]}}),
                delta({"reasoningContent": {"signature": reasoning["signature"]}}),
            ]
        elif "toolUse" in block:
            use = block["toolUse"]
            start = {"toolUse": {"toolUseId": use["toolUseId"], "name": use["name"]}}
            frames.append(event("contentBlockStart", {"contentBlockIndex": index, "start": start}))
            text = json.dumps(use["input"])
            frames += [
                delta({"toolUse": {"input": text[:5]}}),
                delta({"toolUse": {"input": text[5:]}}),
            ]
        else:
            text = block["text"]
            frames += [delta({"text": text[:4]}), delta({"text": text[4:]})]
        frames.append(event("contentBlockStop", {"contentBlockIndex": index}))
    frames.append(event("messageStop", {"stopReason": stop}))
    frames.append(event("metadata", {"usage": counts, "metrics": {"latencyMs": 12}}))
    return frames


# ---------------------------------------------------------------------------------------------


def model_summary(model_id: str) -> dict:
    """One FoundationModelSummary, as ListFoundationModels answers it."""
    provider = model_id.split(".")[0]
    return {
        "modelArn": f"arn:aws:bedrock:us-east-1::foundation-model/{model_id}",
        "modelId": model_id,
        "modelName": model_id.split(".")[-1].split(":")[0],
        "providerName": provider.capitalize(),
        "inputModalities": ["TEXT"],
        "outputModalities": ["TEXT"],
        "responseStreamingSupported": True,
        "customizationsSupported": [],
        "inferenceTypesSupported": ["ON_DEMAND"],
        "modelLifecycle": {"status": "ACTIVE"},
    }


class BedrockHandler(BaseHTTPRequestHandler):
    fake: BedrockFake
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        headers = {name.lower(): value for name, value in self.headers.items()}
        parts = self.path.split("/")
        if (
            len(parts) != 4
            or parts[1] != "model"
            or parts[3] not in ("converse", "converse-stream")
        ):
            return self._refuse(404, "UnknownOperationException", "Unknown operation")
        refusal = self.fake.auth.refusal("POST", self.path, headers, raw)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        stream = parts[3] == "converse-stream"
        self.fake.record(BedrockRecorded(self.path, unquote(parts[2]), stream, headers, body))
        if refusal is not None:
            return self._refuse(*refusal)
        try:
            check_body(body, self.fake)
        except Invalid as error:
            return self._refuse(400, "ValidationException", str(error))
        blocks, stop = answer_blocks(body, self.fake)
        counts = usage(body, blocks)
        if stream:
            return self._send(
                200,
                b"".join(stream_frames(blocks, stop, counts)),
                "application/vnd.amazon.eventstream",
            )
        answer = {
            "output": {"message": {"role": "assistant", "content": blocks}},
            "stopReason": stop,
            "usage": counts,
            "metrics": {"latencyMs": 12},
        }
        self._send(200, json.dumps(answer).encode(), "application/json")

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.fake.record(BedrockRecorded(self.path, "", False, headers, None))
        if self.path.split("?")[0] != LIST_PATH:
            return self._refuse(404, "UnknownOperationException", "Unknown operation")
        refusal = self.fake.auth.refusal("GET", self.path, headers, b"")
        if refusal is not None:
            return self._refuse(*refusal)
        summaries = [model_summary(model_id) for model_id in self.fake.model_ids]
        self._send(200, json.dumps({"modelSummaries": summaries}).encode(), "application/json")

    def _refuse(self, status: int, kind: str, payload: dict | str) -> None:
        body = payload if isinstance(payload, dict) else {"message": payload}
        self._send(
            status,
            json.dumps(body).encode(),
            "application/json",
            {"x-amzn-ErrorType": f"{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/"},
        )

    def _send(self, status: int, data: bytes, content_type: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


BedrockFake.handler_class = BedrockHandler
