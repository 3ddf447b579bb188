"""A small fake upstream for embeddings and images, separate from the chat fake upstream.

A ThreadingHTTPServer on 127.0.0.1 (run in a thread) answering, from the providers' API
references:
- OpenAI POST {base}/embeddings (float or base64 vectors, usage.prompt_tokens = 5 per input) and
  POST {base}/images/generations (url or b64_json images, gpt-image-style usage);
- Gemini POST {base}/models/{model}:batchEmbedContents ({"embeddings": [{"values": […]}]}).
The vector for input i with text t is [len(t), i, 0.5] (float32-exact), cut or padded with 0.5 to
the requested dimensions. Every request is recorded; `fail()` scripts error answers by API key
and/or model.
"""

from __future__ import annotations

import base64
import json
import struct
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.threaded_server import ThreadedFakeServer

TOKENS_PER_INPUT = 5
IMAGE_USAGE = {"input_tokens": 9, "output_tokens": 42, "total_tokens": 51}


@dataclass
class MediaRecorded:
    path: str
    api_key: str | None
    headers: dict[str, str]
    body: Any


@dataclass
class Fault:
    status: int
    api_key: str | None = None
    model: str | None = None
    times: int = 1
    message: str = "scripted failure"


@dataclass
class MediaUpstream(ThreadedFakeServer):
    requests: list[MediaRecorded] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def openai_url(self) -> str:
        return self.base + "/v1"

    @property
    def gemini_url(self) -> str:
        return self.base + "/v1beta"

    def fail(self, status: int, **match) -> None:
        self.faults.append(Fault(status, **match))

    def take_fault(self, api_key: str | None, model: str | None) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                key_ok = fault.api_key is None or fault.api_key == api_key
                model_ok = fault.model is None or fault.model == model
                if key_ok and model_ok and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def record(self, recorded: MediaRecorded) -> None:
        with self._lock:
            self.requests.append(recorded)


class MediaHandler(BaseHTTPRequestHandler):
    upstream: MediaUpstream
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args) -> None:  # keep test output quiet
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.loads(raw or b"null")
        auth = self.headers.get("Authorization", "")
        api_key = auth.removeprefix("Bearer ") if auth else self.headers.get("x-goog-api-key")
        path = self.path
        gemini = ":batchEmbedContents" in path
        model = path.rpartition("/models/")[2].partition(":")[0] if gemini else body.get("model")
        self.fake.record(MediaRecorded(path, api_key, dict(self.headers), body))
        fault = self.fake.take_fault(api_key, model)
        if fault is not None:
            return self._error(fault.status, fault.message, gemini)
        if gemini and path.endswith(f"/models/{model}:batchEmbedContents"):
            return self._gemini_embeddings(model, body)
        if path.endswith("/embeddings"):
            return self._openai_embeddings(body)
        if path.endswith("/images/generations"):
            return self._images(body)
        return self._error(404, f"no route for {path}", gemini)

    def _send(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, gemini: bool) -> None:
        if gemini:
            return self._send(status, {"error": {"code": status, "message": message}})
        kind = "server_error" if status >= 500 else "invalid_request_error"
        self._send(status, {"error": {"message": message, "type": kind, "code": None}})

    def _openai_embeddings(self, body: dict) -> None:
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        if inputs and all(isinstance(item, int) for item in inputs):
            inputs = [inputs]  # one token array
        base64_wanted = body.get("encoding_format") == "base64"
        data = []
        for index, item in enumerate(inputs):
            vector = fake_vector(len(item), index, body.get("dimensions"))
            encoded = encode(vector) if base64_wanted else vector
            data.append({"object": "embedding", "index": index, "embedding": encoded})
        tokens = TOKENS_PER_INPUT * len(inputs)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        self._send(200, {"object": "list", "data": data, "model": body["model"], "usage": usage})

    def _gemini_embeddings(self, model: str, body: dict) -> None:
        embeddings = []
        for index, item in enumerate(body["requests"]):
            if item.get("model") != f"models/{model}":
                return self._error(400, "request model does not match the URL", True)
            text = "".join(part["text"] for part in item["content"]["parts"])
            vector = fake_vector(len(text), index, item.get("outputDimensionality"))
            embeddings.append({"values": vector})
        self._send(200, {"embeddings": embeddings})

    def _images(self, body: dict) -> None:
        count = body.get("n") or 1
        if body.get("response_format") == "b64_json":
            items = [{"b64_json": base64.b64encode(b"png%d" % i).decode()} for i in range(count)]
        else:
            items = [{"url": f"https://images.example/{i}.png"} for i in range(count)]
        for item in items:
            item["revised_prompt"] = body["prompt"]
        self._send(200, {"created": 1700000000, "data": items, "usage": IMAGE_USAGE})


def fake_vector(length: int, index: int, dimensions: int | None) -> list[float]:
    vector = [float(length), float(index), 0.5]
    size = dimensions or len(vector)
    return (vector + [0.5] * size)[:size]


def encode(vector: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()


MediaUpstream.handler_class = MediaHandler
