"""Fakes of Snowflake Cortex and Predibase, strict about the address and the credential each
requires (the platforms of tests/fakes/cloud_platforms.py, served by its CloudPlatformFake).

- Snowflake Cortex: POST /api/v2/cortex/v1/chat/completions with `Authorization: Bearer <PAT>`
  for the one account the fake is (its host is the test's, so the account shows only in the
  connection's options); a wrong token is Snowflake's 401 `{"code", "message"}`.
- Predibase: POST /{tenant}/deployments/v2/llms/{deployment}/v1/chat/completions, Bearer; an
  unknown tenant or deployment is a 404, and the body's `model` must be "" (the deployment's
  base model) or one of the deployment's adapters. What it runs is the deployment's model,
  relayed to the chat fake upstream under that name.
- IBM watsonx.ai: POST /ml/v1/text/chat (or /chat_stream) with a `version` date, a live bearer
  token from the fake IAM (tests/fakes/token_exchanges.py), `model_id` and the project's
  `project_id` in the body, and none of OpenAI's `model`, `stream`, `stream_options`; its
  answers are the chat fake upstream's in watsonx's shape (extra `model_id`, `model_version`,
  `created_at`; stream events with `id:` and `event: message` lines and no `[DONE]`). Its
  model list is /ml/v1/foundation_model_specs, `{"resources": [{"model_id", "label"}]}`.
- GigaChat: POST /api/v1/chat/completions and GET /api/v1/models with a live bearer token from
  the fake OAuth (tests/fakes/token_exchanges.py); the tests serve it over HTTPS with a
  certificate of their own CA, as GigaChat's chains to a root no default trust store has.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from tests.fakes.cloud_platforms import CloudRecorded, Platform, Refusal
from tests.fakes.token_exchanges import TokenIssuer

CORTEX_CHAT = "/api/v2/cortex/v1/chat/completions"
PREDIBASE_CHAT = re.compile(
    r"/(?P<tenant>[^/]+)/deployments/v2/llms/(?P<deployment>[^/]+)/v1/chat/completions"
)


@dataclass
class SnowflakeCortex(Platform):
    token: str

    def refusal(self, request: CloudRecorded) -> Refusal | None:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"code": "390303", "message": "Invalid OAuth access token. "}
        if request.path != CORTEX_CHAT:
            return 404, {"code": "390404", "message": "Not found."}
        return None

    def list_refusal(self, request: CloudRecorded) -> Refusal | None:
        return 404, {"code": "390404", "message": "Not found."}


@dataclass
class Predibase(Platform):
    token: str
    tenant: str
    deployments: dict[str, frozenset[str]]  # deployment → its adapters

    def refusal(self, request: CloudRecorded) -> Refusal | None:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"error": "Unauthorized: invalid API token"}
        match = PREDIBASE_CHAT.fullmatch(request.path)
        if match is None or match["tenant"] != self.tenant:
            return 404, {"error": "Not Found"}
        adapters = self.deployments.get(match["deployment"])
        if adapters is None:
            return 404, {"error": f"deployment {match['deployment']} not found"}
        model = (request.body or {}).get("model")
        if model != "" and model not in adapters:
            return 400, {"error": f"adapter {model!r} not found for this deployment"}
        return None

    def list_refusal(self, request: CloudRecorded) -> Refusal | None:
        return 404, {"error": "Not Found"}

    def relayed(self, request: CloudRecorded, raw: bytes) -> bytes:
        match = PREDIBASE_CHAT.fullmatch(request.path)
        assert match is not None
        body = json.loads(raw)
        body["model"] = body["model"] or match["deployment"]
        return json.dumps(body).encode()


WATSONX_CHAT = {"/ml/v1/text/chat": False, "/ml/v1/text/chat_stream": True}
WATSONX_LIST = "/ml/v1/foundation_model_specs"
VERSION_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
OPENAI_ONLY = ("model", "stream", "stream_options")
WATSONX_EXTRA = {"model_version": "3.3.0", "created_at": "2026-01-01T00:00:00.000Z"}


def _watsonx_error(status: int, code: str, message: str) -> Refusal:
    return status, {
        "errors": [{"code": code, "message": message}],
        "trace": "0123456789abcdef",
        "status_code": status,
    }


@dataclass
class Watsonx(Platform):
    iam: TokenIssuer
    project_id: str

    def refusal(self, request: CloudRecorded) -> Refusal | None:
        refused = self._access_refusal(request, request.path in WATSONX_CHAT)
        if refused is not None:
            return refused
        body = request.body or {}
        if body.get("project_id") != self.project_id:
            return _watsonx_error(403, "no_associated_service_instance_error", "project")
        extra = [name for name in OPENAI_ONLY if name in body]
        if extra or not isinstance(body.get("model_id"), str):
            return _watsonx_error(400, "json_validation_error", f"unexpected fields {extra}")
        return None

    def list_refusal(self, request: CloudRecorded) -> Refusal | None:
        refused = self._access_refusal(request, request.path == WATSONX_LIST)
        if refused is None and request.query.get("filters") != ["function_text_chat"]:
            return _watsonx_error(400, "invalid_filter", "filters")
        return refused

    def model_list(self, model_ids: list[str]) -> dict:
        resources = [
            {"model_id": model_id, "label": model_id.split("/")[-1]} for model_id in model_ids
        ]
        return {"total_count": len(resources), "limit": 200, "resources": resources}

    def relayed(self, request: CloudRecorded, raw: bytes) -> bytes:
        body = dict(request.body)
        body["model"] = body.pop("model_id")
        del body["project_id"]
        if WATSONX_CHAT[request.path]:
            body["stream"] = True
        return json.dumps(body).encode()

    def answered(self, request: CloudRecorded, content_type: str, answer: bytes) -> bytes:
        if not content_type.startswith("text/event-stream"):
            value = json.loads(answer)
            if isinstance(value, dict) and "choices" in value:
                value.update(model_id=value["model"], **WATSONX_EXTRA)
            return json.dumps(value).encode()
        events = []
        for block in answer.decode().split("\n\n"):
            data = block.removeprefix("data: ").strip()
            if not data or data == "[DONE]":
                continue
            chunk = json.loads(data)
            chunk.update(model_id=chunk.get("model"), **WATSONX_EXTRA)
            events.append(f"id: {len(events) + 1}\nevent: message\ndata: {json.dumps(chunk)}\n\n")
        return "".join(events).encode()

    def _access_refusal(self, request: CloudRecorded, found: bool) -> Refusal | None:
        authorization = request.headers.get("authorization", "")
        if not authorization.startswith("Bearer ") or not self.iam.live(authorization[7:]):
            return _watsonx_error(401, "authentication_token_expired", "Failed to authenticate")
        if not found:
            return _watsonx_error(404, "not_found", f"{request.path} not found")
        if not VERSION_DATE.fullmatch((request.query.get("version") or [""])[0]):
            return _watsonx_error(400, "missing_version", "version is required")
        return None


GIGACHAT_CHAT, GIGACHAT_MODELS = "/api/v1/chat/completions", "/api/v1/models"


@dataclass
class GigaChat(Platform):
    oauth: TokenIssuer

    def refusal(self, request: CloudRecorded) -> Refusal | None:
        return self._access_refusal(request, GIGACHAT_CHAT)

    def list_refusal(self, request: CloudRecorded) -> Refusal | None:
        return self._access_refusal(request, GIGACHAT_MODELS)

    def model_list(self, model_ids: list[str]) -> dict:
        data = [{"id": i, "object": "model", "owned_by": "salutedevices"} for i in model_ids]
        return {"object": "list", "data": data}

    def _access_refusal(self, request: CloudRecorded, path: str) -> Refusal | None:
        authorization = request.headers.get("authorization", "")
        if not authorization.startswith("Bearer ") or not self.oauth.live(authorization[7:]):
            return 401, {"status": 401, "message": "Unauthorized"}
        if request.path != path:
            return 404, {"status": 404, "message": "No such method"}
        return None
