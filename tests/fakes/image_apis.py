"""A strict fake of Stability AI's and Black Forest Labs' image APIs (real HTTP, 127.0.0.1).

- Stability: POST /stability/v2beta/stable-image/generate/{ultra|core|sd3} takes only
  multipart/form-data with `Authorization: Bearer`, an `Accept` of image/* or application/json,
  a prompt, an aspect_ratio and output_format among its own, and (sd3) an sd3.5 `model`; with
  application/json it answers {"image": base64, "finish_reason", "seed"}.
- Black Forest Labs: POST /bfl/v1/{flux-pro-1.1|flux-pro-1.1-ultra|flux-dev} with `x-key` and a
  JSON body (prompt; width and height multiples of 32 from 256 to 1440) answers {"id",
  "polling_url"}; GET the polling URL (`x-key` again) answers {"status": "Pending"} `pending`
  times, then `final_status` ("Ready" with result.sample, a URL on this server under
  /delivery/, which refuses a request carrying the key); a job posted with a key in
  `busy_keys` is answered 429.
Key checks (the connection test): GET /stability/v1/user/balance, GET /bfl/v1/credits.
Errors have each API's shape; every request is recorded.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.media_upstream import MediaRecorded
from tests.fakes.threaded_server import ThreadedFakeServer

STABILITY_SERVICES = ("ultra", "core", "sd3")
STABILITY_RATIOS = {"16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"}
STABILITY_FIELDS = {"prompt", "aspect_ratio", "negative_prompt", "seed", "style_preset"}
STABILITY_FIELDS |= {"output_format", "model", "mode"}
BFL_MODELS = ("flux-pro-1.1", "flux-pro-1.1-ultra", "flux-dev")


@dataclass
class ImageApis(ThreadedFakeServer):
    requests: list[MediaRecorded] = field(default_factory=list)
    pending: int = 1  # polls answered "Pending" before the final status
    final_status: str = "Ready"
    jobs: dict[str, int] = field(default_factory=dict)  # job id → polls so far
    busy_keys: set[str] = field(default_factory=set)  # BFL keys answered 429 (rate limited)
    polling_base: str | None = None  # where polling URLs point (None: this server's base)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        self.requests.clear()
        self.jobs.clear()
        self.busy_keys.clear()
        self.polling_base = None
        self.pending, self.final_status = 1, "Ready"

    def paths(self) -> list[str]:
        return [urlsplit(r.path).path for r in self.requests]


def multipart_fields(content_type: str, raw: bytes) -> dict[str, str] | None:
    if not content_type.startswith("multipart/form-data"):
        return None
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    return {
        part.get_param("name", header="content-disposition"): part.get_content()
        for part in message.iter_parts()
    }


class ImageApisHandler(BaseHTTPRequestHandler):
    fake: ImageApis
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args) -> None:
        pass

    def _record(self, body: Any) -> None:
        key = self.headers.get("x-key") or self.headers.get("Authorization")
        with self.fake._lock:
            self.fake.requests.append(MediaRecorded(self.path, key, dict(self.headers), body))

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = urlsplit(self.path).path
        if path.startswith("/stability/v2beta/stable-image/generate/"):
            fields = multipart_fields(self.headers.get("Content-Type", ""), raw)
            self._record(fields)
            return self._stability(path.rpartition("/")[2], fields)
        body = json.loads(raw or b"null")
        self._record(body)
        if path.startswith("/bfl/v1/"):
            return self._bfl_job(path.rpartition("/")[2], body)
        self._json(404, {"detail": "Not Found"})

    def do_GET(self) -> None:  # noqa: N802
        self._record(None)
        url = urlsplit(self.path)
        if url.path == "/bfl/v1/get_result":
            return self._bfl_result(parse_qs(url.query).get("id", [""])[0])
        if url.path == "/stability/v1/user/balance":  # the connection test's key checks
            if not self.headers.get("Authorization", "").startswith("Bearer "):
                return self._json(401, {"name": "unauthorized", "errors": ["missing key"]})
            return self._json(200, {"credits": 10.5})
        if url.path == "/bfl/v1/credits":
            if not self.headers.get("x-key"):
                return self._json(403, {"detail": "Not authenticated"})
            return self._json(200, {"credits": 3.0})
        if url.path.startswith("/delivery/"):
            if self.headers.get("x-key"):  # a signed URL must not be sent the account's key
                return self._json(400, {"detail": "unexpected credentials"})
            return self._send(200, b"JPEG:" + url.path.encode(), "image/jpeg")
        self._json(404, {"detail": "Not Found"})

    # -- Stability ----------------------------------------------------------------------------

    def _stability(self, service: str, fields: dict[str, str] | None) -> None:
        def error(status: int, name: str, message: str) -> None:
            self._json(status, {"id": "e1", "name": name, "errors": [message]})

        if not self.headers.get("Authorization", "").startswith("Bearer "):
            return error(401, "unauthorized", "missing authorization header")
        if service not in STABILITY_SERVICES:
            return error(404, "not_found", f"no service {service}")
        accept = self.headers.get("Accept", "")
        if accept != "application/json" and not accept.startswith("image/"):
            return error(400, "bad_request", "accept must be image/* or application/json")
        if fields is None:
            return error(400, "bad_request", "content-type must be multipart/form-data")
        unknown = sorted(set(fields) - STABILITY_FIELDS)
        if unknown or not fields.get("prompt"):
            return error(400, "bad_request", f"prompt is required; unknown: {unknown}")
        if fields.get("aspect_ratio", "1:1") not in STABILITY_RATIOS:
            return error(400, "bad_request", "aspect_ratio is not supported")
        if fields.get("output_format", "png") not in ("png", "jpeg", "webp"):
            return error(400, "bad_request", "output_format is not supported")
        if service == "sd3" and not fields.get("model", "sd3.5-large").startswith("sd3.5"):
            return error(400, "bad_request", "model is not supported")
        image = base64.b64encode(f"PNG:{service}:{fields['prompt']}".encode()).decode()
        self._json(200, {"image": image, "finish_reason": "SUCCESS", "seed": 7})

    # -- Black Forest Labs ----------------------------------------------------------------------

    def _bfl_job(self, model: str, body: Any) -> None:
        if not self.headers.get("x-key"):
            return self._json(403, {"detail": "Not authenticated"})
        if self.headers["x-key"] in self.fake.busy_keys:
            return self._json(429, {"detail": "You have exceeded the number of active tasks"})
        if model not in BFL_MODELS:
            return self._json(404, {"detail": "Not Found"})
        if not isinstance(body, dict) or not body.get("prompt"):
            return self._json(422, {"detail": [{"loc": ["body", "prompt"], "msg": "required"}]})
        for name in ("width", "height"):
            value = body.get(name, 1024)
            if not (isinstance(value, int) and 256 <= value <= 1440 and value % 32 == 0):
                return self._json(422, {"detail": [{"loc": ["body", name], "msg": "invalid"}]})
        with self.fake._lock:
            job = f"job-{len(self.fake.jobs) + 1}"
            self.fake.jobs[job] = 0
        polling = f"{self.fake.polling_base or self.fake.base}/bfl/v1/get_result?id={job}"
        self._json(200, {"id": job, "polling_url": polling})

    def _bfl_result(self, job: str) -> None:
        if not self.headers.get("x-key"):
            return self._json(403, {"detail": "Not authenticated"})
        with self.fake._lock:
            if job not in self.fake.jobs:
                return self._json(200, {"id": job, "status": "Task not found"})
            self.fake.jobs[job] += 1
            polls = self.fake.jobs[job]
        if polls <= self.fake.pending:
            return self._json(200, {"id": job, "status": "Pending", "result": None})
        status = self.fake.final_status
        result = {"sample": f"{self.fake.base}/delivery/{job}.jpeg"} if status == "Ready" else None
        self._json(200, {"id": job, "status": status, "result": result})

    # -- answers ------------------------------------------------------------------------------

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


ImageApis.handler_class = ImageApisHandler
