"""Fakes of the cloud platforms' front doors (Azure OpenAI / AI Foundry, Vertex AI, Cloudflare
Workers AI), strict about the auth and the address each one requires.

Each checks a request the way its platform does — the path (deployment, project and region,
account id), the query (`api-version`) and the credential (`api-key`; a live Bearer token
issued by the fake Google token endpoint; the API token) — and refuses it with the platform's
status and error shape. A request that passes is relayed, body untouched, to the chat fake
upstream (`tests.fakes.FakeUpstream`) with the key RELAY_KEY, and its answer comes back as it is:
the fake upstream checks the OpenAI body and writes the answer, and records what the platform
forwarded. Every request is recorded here too (path, query, headers, body).

Each also answers its platform's own model list (a GET), under the same auth, with the ids in
the fake's `model_ids` and in that platform's shape: Azure OpenAI's Models - List
(`/openai/models?api-version=…`) and the v1 API's `/openai/v1/models`; Vertex AI's publisher
models (`/v1beta1/publishers/google/models`, ids without the `google/` publisher); Cloudflare's
Model Search (`/client/v4/accounts/{id}/ai/models/search`, the id in `name`, a uuid in `id`).
Any other GET is a 404 in the platform's shape.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from tests.fakes.google_tokens import GoogleTokenFake
from tests.fakes.threaded_server import ThreadedFakeServer

RELAY_KEY = "sk-cloud-relay"
AZURE_VERSIONS = frozenset({"2024-06-01", "2024-10-21", "2024-05-01-preview", "2025-04-01-preview"})
Refusal = tuple[int, dict]


@dataclass
class CloudRecorded:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


class Platform:
    """One platform's checks: `refusal` is None for a chat request it accepts, `list_refusal`
    for a GET of its model list; `model_list` answers that list."""

    def refusal(self, request: CloudRecorded) -> Refusal | None:
        raise NotImplementedError

    def list_refusal(self, request: CloudRecorded) -> Refusal | None:
        raise NotImplementedError

    def model_list(self, model_ids: list[str]) -> dict:
        raise NotImplementedError

    def relayed(self, request: CloudRecorded, raw: bytes) -> bytes:
        """The OpenAI body the platform runs for an accepted request (its own, by default)."""
        return raw

    def answered(self, request: CloudRecorded, content_type: str, answer: bytes) -> bytes:
        """The platform's answer for the chat fake upstream's (the same, by default)."""
        return answer


def _azure_error(status: int, code: str, message: str) -> Refusal:
    return status, {"error": {"code": code, "message": message}}


AZURE_LIST_PATHS = ("/openai/models", "/openai/v1/models")
AZURE_PATHS = (
    re.compile(r"/openai/deployments/(?P<deployment>[^/]+)/chat/completions"),
    re.compile(r"/models/chat/completions"),  # Azure AI Model Inference: deployment = body model
    re.compile(r"/openai/v1/chat/completions"),  # the v1 API: no api-version
)


@dataclass
class AzureOpenAI(Platform):
    api_key: str
    deployments: frozenset[str]

    def refusal(self, request: CloudRecorded) -> Refusal | None:
        match = next((m for p in AZURE_PATHS if (m := p.fullmatch(request.path))), None)
        refused = self._access_refusal(request, found=match is not None)
        if refused is not None or match is None:
            return refused
        deployment = match.groupdict().get("deployment") or (request.body or {}).get("model")
        if deployment not in self.deployments:
            return _azure_error(
                404,
                "DeploymentNotFound",
                "The API deployment for this resource does not exist.",
            )
        return None

    def list_refusal(self, request: CloudRecorded) -> Refusal | None:
        return self._access_refusal(request, found=request.path in AZURE_LIST_PATHS)

    def model_list(self, model_ids: list[str]) -> dict:
        capabilities = {"chat_completion": True, "embeddings": False, "inference": True}
        return {
            "object": "list",
            "data": [
                {
                    "id": model_id,
                    "object": "model",
                    "status": "succeeded",
                    "lifecycle_status": "generally-available",
                    "capabilities": capabilities,
                    "created_at": 1700000000,
                }
                for model_id in model_ids
            ],
        }

    def _access_refusal(self, request: CloudRecorded, found: bool) -> Refusal | None:
        """The key, the path and the api-version, checked as Azure does (v1: no version)."""
        if request.headers.get("api-key") != self.api_key:
            return _azure_error(
                401,
                "401",
                "Access denied due to invalid subscription key or wrong API endpoint.",
            )
        if not found:
            return _azure_error(404, "404", "Resource not found")
        versions = request.query.get("api-version")
        v1 = request.path.startswith("/openai/v1/")
        if not v1 and not versions:
            return _azure_error(404, "404", "Resource not found")  # as Azure: no api-version
        if versions and versions[0] not in AZURE_VERSIONS:
            return _azure_error(400, "BadRequest", "API version not supported")
        return None


VERTEX_LIST_PATH = "/v1beta1/publishers/google/models"
VERTEX_NOT_FOUND: Refusal = (
    404,
    {"error": {"code": 404, "message": "Not found", "status": "NOT_FOUND"}},
)
VERTEX_PATH = re.compile(
    r"/v1/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)"
    r"/endpoints/openapi/chat/completions"
)


@dataclass
class VertexAI(Platform):
    tokens: GoogleTokenFake
    project: str
    location: str

    def refusal(self, request: CloudRecorded) -> Refusal | None:
        refused = self._token_refusal(request)
        if refused is not None:
            return refused
        match = VERTEX_PATH.fullmatch(request.path)
        if match is None or (match["project"], match["location"]) != (
            self.project,
            self.location,
        ):
            return VERTEX_NOT_FOUND
        if not str((request.body or {}).get("model", "")).startswith("google/"):
            return 400, {
                "error": {
                    "code": 400,
                    "message": "model must be google/…",
                    "status": "INVALID_ARGUMENT",
                }
            }
        return None

    def list_refusal(self, request: CloudRecorded) -> Refusal | None:
        refused = self._token_refusal(request)
        if refused is None and request.path != VERTEX_LIST_PATH:
            return VERTEX_NOT_FOUND
        return refused

    def model_list(self, model_ids: list[str]) -> dict:
        return {
            "publisherModels": [
                {
                    "name": f"publishers/google/models/{model_id}",
                    "versionId": "001",
                    "openSourceCategory": "PROPRIETARY",
                    "launchStage": "GA",
                }
                for model_id in model_ids
            ]
        }

    def _token_refusal(self, request: CloudRecorded) -> Refusal | None:
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or not self.tokens.live(auth[7:]):
            return 401, {
                "error": {
                    "code": 401,
                    "message": "Request had invalid authentication credentials.",
                    "status": "UNAUTHENTICATED",
                }
            }
        return None


@dataclass
class CloudflareWorkersAI(Platform):
    account_id: str
    api_token: str

    def refusal(self, request: CloudRecorded) -> Refusal | None:
        return self._refusal(request, "/ai/v1/chat/completions")

    def list_refusal(self, request: CloudRecorded) -> Refusal | None:
        return self._refusal(request, "/ai/models/search")

    def model_list(self, model_ids: list[str]) -> dict:
        return {
            "success": True,
            "errors": [],
            "messages": [],
            "result": [
                {
                    "id": str(uuid.uuid4()),
                    "source": 1,
                    "name": model_id,
                    "description": "",
                    "task": {"id": str(uuid.uuid4()), "name": "Text Generation"},
                    "tags": [],
                    "properties": [],
                }
                for model_id in model_ids
            ],
        }

    def _refusal(self, request: CloudRecorded, endpoint: str) -> Refusal | None:
        if request.headers.get("authorization") != f"Bearer {self.api_token}":
            return 401, {
                "success": False,
                "errors": [{"code": 10000, "message": "Authentication error"}],
            }
        if request.path != f"/client/v4/accounts/{self.account_id}{endpoint}":
            return 404, {
                "success": False,
                "errors": [{"code": 7000, "message": "No route for that URI"}],
            }
        return None


class _Handler(BaseHTTPRequestHandler):
    fake: CloudPlatformFake

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        parts = urlsplit(self.path)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        request = CloudRecorded(
            parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()}, body
        )
        self._send(*self.fake.answer(request, raw))

    def do_GET(self):
        parts = urlsplit(self.path)
        request = CloudRecorded(
            parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()}, None
        )
        self._send(*self.fake.list_answer(request))

    def _send(self, status: int, content_type: str, answer: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


@dataclass
class CloudPlatformFake(ThreadedFakeServer):
    handler_class = _Handler
    platform: Platform
    upstream_url: str  # the chat fake upstream's /v1 URL
    requests: list[CloudRecorded] = field(default_factory=list)
    model_ids: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def list_answer(self, request: CloudRecorded) -> tuple[int, str, bytes]:
        with self._lock:
            self.requests.append(request)
        refused = self.platform.list_refusal(request)
        status, answer = refused or (200, self.platform.model_list(list(self.model_ids)))
        return status, "application/json", json.dumps(answer).encode()

    def answer(self, request: CloudRecorded, raw: bytes) -> tuple[int, str, bytes]:
        with self._lock:
            self.requests.append(request)
        refused = self.platform.refusal(request)
        if refused is not None:
            status, error = refused
            return status, "application/json", json.dumps(error).encode()
        relayed = requests.post(
            self.upstream_url + "/chat/completions",
            data=self.platform.relayed(request, raw),
            headers={
                "Authorization": f"Bearer {RELAY_KEY}",
                "Content-Type": "application/json",
                "Accept": request.headers.get("accept", "application/json"),
            },
            timeout=30,
        )
        content_type = relayed.headers.get("Content-Type", "application/json")
        answer = self.platform.answered(request, content_type, relayed.content)
        return relayed.status_code, content_type, answer
