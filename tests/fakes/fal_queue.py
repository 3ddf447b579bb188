"""A strict fake of fal's queue API (real HTTP, 127.0.0.1).

- POST /{owner}/{app}[/{subpath}] (a model in MODELS) with `Authorization: Key <key>` and the
  model's input — `prompt`, `num_images` 1 to 4, `image_size` as an enum name or {"width",
  "height"}, and only the fields FLUX takes (others: fal's 422 `detail` list) — answers
  {"request_id", "status_url", "response_url", "cancel_url", "queue_position"}; the status and
  response URLs name the app without its subpath, as fal's do.
- GET …/requests/{id}/status (the key again) answers IN_QUEUE, then IN_PROGRESS `pending`
  times, then COMPLETED.
- GET …/requests/{id} (the key again) answers the output, {"images": [{"url", "width",
  "height", "content_type"}], "seed", "has_nsfw_concepts", "prompt"}, the URLs on this server
  under /files/, which refuse a request carrying a key; `failing` makes it fal's 422 instead.
A wrong key is 401 {"detail"}; every request is recorded.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.threaded_server import ThreadedFakeServer

MODELS = ("fal-ai/flux/dev", "fal-ai/flux/schnell", "fal-ai/flux-pro/v1.1")
ENUM_SIZES = ("square_hd", "square", "portrait_4_3", "portrait_16_9", "landscape_4_3")
INPUT_FIELDS = {"prompt", "image_size", "num_images", "seed", "output_format", "guidance_scale"}
INPUT_FIELDS |= {"num_inference_steps", "enable_safety_checker", "sync_mode"}
REQUEST = re.compile(r"/(?P<app>[^/]+/[^/]+)/requests/(?P<id>[0-9a-f-]{36})(?P<status>/status)?")


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FalQueue(ThreadedFakeServer):
    keys: frozenset[str] = frozenset({"fal-key-1"})
    pending: int = 1  # status polls answered IN_PROGRESS before COMPLETED
    failing: bool = False
    requests: list[Recorded] = field(default_factory=list)
    jobs: dict[str, dict] = field(default_factory=dict)  # request id → input and polls so far
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def submit(self, model: str, body: Any) -> tuple[int, dict]:
        problems = _input_problems(body)
        if problems:
            return 422, {"detail": problems}
        request_id = str(uuid.uuid4())
        app = "/".join(model.split("/")[:2])
        self.jobs[request_id] = {"input": body, "polls": 0}
        at = f"{self.base}/{app}/requests/{request_id}"
        return 200, {
            "request_id": request_id,
            "status_url": at + "/status",
            "response_url": at,
            "cancel_url": at + "/cancel",
            "queue_position": 0,
        }

    def status(self, request_id: str) -> tuple[int, dict]:
        job = self.jobs[request_id]
        job["polls"] += 1
        if job["polls"] == 1:
            return 202, {"status": "IN_QUEUE", "queue_position": 0}
        if job["polls"] <= 1 + self.pending:
            return 202, {"status": "IN_PROGRESS", "logs": None}
        return 200, {"status": "COMPLETED", "logs": None, "metrics": {"inference_time": 0.4}}

    def result(self, request_id: str) -> tuple[int, dict]:
        if self.failing:
            return 422, {"detail": [{"loc": ["body", "prompt"], "msg": "NSFW content"}]}
        given = self.jobs[request_id]["input"]
        size = given.get("image_size") or {"width": 1024, "height": 768}
        images = [
            {
                "url": f"{self.base}/files/{request_id}-{index}.png",
                "width": size.get("width", 1024),
                "height": size.get("height", 768),
                "content_type": "image/png",
            }
            for index in range(given.get("num_images", 1))
        ]
        count = len(images)
        return 200, {
            "images": images,
            "seed": given.get("seed", 42),
            "has_nsfw_concepts": [False] * count,
            "prompt": given["prompt"],
            "timings": {"inference": 0.4},
        }


def _input_problems(body: Any) -> list[dict]:
    if not isinstance(body, dict):
        return [{"loc": ["body"], "msg": "value is not a valid dict", "type": "type_error.dict"}]
    problems = [
        {"loc": ["body", name], "msg": "extra fields not permitted", "type": "value_error.extra"}
        for name in body
        if name not in INPUT_FIELDS
    ]
    if not isinstance(body.get("prompt"), str) or not body["prompt"]:
        problems.append({"loc": ["body", "prompt"], "msg": "field required"})
    count = body.get("num_images", 1)
    if not isinstance(count, int) or not 1 <= count <= 4:
        problems.append({"loc": ["body", "num_images"], "msg": "ensure 1 <= value <= 4"})
    size = body.get("image_size")
    if size is not None and size not in ENUM_SIZES:
        sides = isinstance(size, dict) and set(size) == {"width", "height"}
        if not sides or not all(isinstance(v, int) and 0 < v <= 14142 for v in size.values()):
            problems.append({"loc": ["body", "image_size"], "msg": "invalid image size"})
    return problems


class FalHandler(BaseHTTPRequestHandler):
    fake: FalQueue

    def log_message(self, *_args) -> None:
        pass

    def _record(self, method: str, body: Any) -> None:
        headers = {key.lower(): value for key, value in self.headers.items()}
        with self.fake._lock:
            self.fake.requests.append(Recorded(method, self.path, headers, body))

    def _keyed(self) -> bool:
        authorization = self.headers.get("Authorization", "")
        if authorization.startswith("Key ") and authorization[4:] in self.fake.keys:
            return True
        self._json(401, {"detail": "Invalid authentication credentials"})
        return False

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        self._record("POST", body)
        if not self._keyed():
            return
        model = self.path.strip("/")
        if model not in MODELS:
            self._json(404, {"detail": f"Application '{model}' not found"})
            return
        self._json(*self.fake.submit(model, body))

    def do_GET(self) -> None:  # noqa: N802
        self._record("GET", None)
        if self.path.startswith("/files/"):
            if "Authorization" in self.headers:
                self._json(400, {"detail": "a file URL takes no credentials"})
                return
            self._send(200, b"PNG:fal:" + self.path.encode(), "image/png")
            return
        if not self._keyed():
            return
        found = REQUEST.fullmatch(self.path)
        if found is None or found["id"] not in self.fake.jobs:
            self._json(404, {"detail": "Request not found"})
        elif found["status"]:
            self._json(*self.fake.status(found["id"]))
        else:
            self._json(*self.fake.result(found["id"]))

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


FalQueue.handler_class = FalHandler
