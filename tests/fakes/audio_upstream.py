"""A fake speech-to-text upstream: Deepgram, AssemblyAI and OpenAI's /audio/transcriptions.

A real HTTP server (http.server.ThreadingHTTPServer) on 127.0.0.1 in a thread, written from the
providers' API references, not from the gateway's code. Paths:

- Deepgram    POST /deepgram/v1/listen?model=…            auth `Authorization: Token <key>`
- AssemblyAI  POST /assemblyai/v2/upload, POST /assemblyai/v2/transcript,
              GET /assemblyai/v2/transcript/{id}           auth: the raw key in `Authorization`
- OpenAI      POST /openai/v1/audio/transcriptions         auth `Authorization: Bearer <key>`

Scripting: `deepgram_status` (e.g. 401), `assemblyai_statuses` (the statuses the job reports
poll by poll, e.g. ["processing", "processing", "completed"] or [..., "error"]),
`assemblyai_error` (the reason an "error" job gives). Every request is recorded.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from tests.fakes.threaded_server import ThreadedFakeServer

TEXT = "Hello there. This is a test."
WORDS = [  # (word, start, end) in seconds
    ("Hello", 0.0, 0.4),
    ("there.", 0.4, 0.9),
    ("This", 1.2, 1.5),
    ("is", 1.5, 1.7),
    ("a", 1.7, 1.8),
    ("test.", 1.8, 2.4),
]
DURATION = 2.5


@dataclass
class Recorded:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes
    form: dict = field(default_factory=dict)  # multipart fields: name → str or (filename, bytes)

    def json(self):
        return json.loads(self.body)


class AudioUpstream(ThreadedFakeServer):
    def __init__(self):
        self.requests: list[Recorded] = []
        self.deepgram_status = 200
        self.assemblyai_statuses: list[str] = ["completed"]
        self.assemblyai_error = "File does not appear to contain audio."
        self.jobs: dict[str, list[str]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    @property
    def deepgram_url(self) -> str:
        return self.base + "/deepgram/v1"

    @property
    def assemblyai_url(self) -> str:
        return self.base + "/assemblyai/v2"

    @property
    def openai_url(self) -> str:
        return self.base + "/openai/v1"

    def record(self, recorded: Recorded) -> None:
        with self._lock:
            self.requests.append(recorded)

    def find(self, method: str, path_part: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and path_part in r.path]

    def new_job(self) -> str:
        job_id = f"job-{next(self._ids)}"
        with self._lock:
            self.jobs[job_id] = list(self.assemblyai_statuses)
        return job_id

    def next_status(self, job_id: str) -> str | None:
        with self._lock:
            statuses = self.jobs.get(job_id)
            if statuses is None:
                return None
            return statuses.pop(0) if len(statuses) > 1 else statuses[0]


class _Handler(BaseHTTPRequestHandler):
    fake: AudioUpstream
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args) -> None:  # quiet
        pass

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        recorded = Recorded(
            method, parts.path, parse_qs(parts.query), dict(self.headers.items()), body
        )
        content_type = self.headers.get("Content-Type", "")
        if content_type.startswith("multipart/form-data"):
            recorded.form = parse_multipart(content_type, body)
        self.fake.record(recorded)
        path = parts.path
        if method == "POST" and path == "/deepgram/v1/listen":
            return self._deepgram(recorded)
        if method == "GET" and path == "/deepgram/v1/projects":  # Deepgram's key check
            if recorded.headers.get("Authorization") != "Token dg-key":
                return self._json(
                    401, {"err_code": "INVALID_AUTH", "err_msg": "Invalid credentials."}
                )
            return self._json(200, {"projects": [{"project_id": "p1", "name": "fake"}]})
        if path.startswith("/assemblyai/v2/"):
            return self._assemblyai(method, path.removeprefix("/assemblyai/v2/"), recorded)
        if method == "POST" and path == "/openai/v1/audio/transcriptions":
            return self._openai(recorded)
        self._json(404, {"error": f"no route {method} {path}"})

    # -- Deepgram ---------------------------------------------------------------------------
    def _deepgram(self, recorded: Recorded) -> None:
        auth = recorded.headers.get("Authorization", "")
        if self.fake.deepgram_status == 401 or not auth.startswith("Token "):
            return self._json(
                401,
                {"err_code": "INVALID_AUTH", "err_msg": "Invalid credentials.", "request_id": "r1"},
            )
        channel = {
            "alternatives": [
                {
                    "transcript": TEXT,
                    "confidence": 0.99,
                    "words": [
                        {
                            "word": w.strip(".").lower(),
                            "punctuated_word": w,
                            "start": s,
                            "end": e,
                            "confidence": 0.99,
                        }
                        for w, s, e in WORDS
                    ],
                }
            ]
        }
        if recorded.query.get("detect_language") == ["true"]:
            channel["detected_language"] = "en"
        self._json(
            200,
            {
                "metadata": {"request_id": "r1", "duration": DURATION, "channels": 1},
                "results": {"channels": [channel]},
            },
        )

    # -- AssemblyAI -------------------------------------------------------------------------
    def _assemblyai(self, method: str, path: str, recorded: Recorded) -> None:
        if recorded.headers.get("Authorization") != "aai-key":
            return self._json(401, {"error": "Authentication error, API token missing/invalid"})
        if method == "POST" and path == "upload":
            return self._json(200, {"upload_url": f"{self.fake.base}/cdn/upload/abc"})
        if method == "POST" and path == "transcript":
            job_id = self.fake.new_job()
            return self._json(200, {"id": job_id, "status": "queued", "text": None})
        if method == "GET" and path == "transcript":  # AssemblyAI's list (used as a key check)
            return self._json(200, {"transcripts": [], "page_details": {"limit": 1}})
        if method == "GET" and path.startswith("transcript/"):
            job_id = path.removeprefix("transcript/")
            status = self.fake.next_status(job_id)
            if status is None:
                return self._json(404, {"error": "Transcript not found"})
            payload = {"id": job_id, "status": status, "text": None}
            if status == "completed":
                payload.update(
                    text=TEXT,
                    audio_duration=3,
                    language_code="en_us",
                    words=[
                        {"text": w, "start": int(s * 1000), "end": int(e * 1000)}
                        for w, s, e in WORDS
                    ],
                )
            elif status == "error":
                payload["error"] = self.fake.assemblyai_error
            return self._json(200, payload)
        self._json(404, {"error": "not found"})

    # -- OpenAI -----------------------------------------------------------------------------
    def _openai(self, recorded: Recorded) -> None:
        form = recorded.form
        if not isinstance(form.get("file"), tuple) or not form.get("model"):
            return self._json(
                400, {"error": {"message": "file and model are required", "type": "invalid"}}
            )
        response_format = form.get("response_format", "json")
        if response_format == "verbose_json":
            return self._json(
                200,
                {
                    "task": "transcribe",
                    "language": "english",
                    "duration": DURATION,
                    "text": TEXT,
                    "segments": [
                        {"id": 0, "start": 0.0, "end": 0.9, "text": " Hello there."},
                        {"id": 1, "start": 1.2, "end": 2.4, "text": " This is a test."},
                    ],
                },
            )
        self._json(200, {"text": TEXT})

    def _json(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def parse_multipart(content_type: str, body: bytes) -> dict:
    """name → value (str) or (filename, bytes, content type) for a file."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields: dict = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            fields[name] = (filename, payload, part.get_content_type())
        else:
            fields[name] = payload.decode()
    return fields


AudioUpstream.handler_class = _Handler
