"""Fakes of Snowflake Cortex and Predibase, strict about the address and the credential each
requires (the platforms of tests/fakes/cloud_platforms.py, served by its CloudPlatformFake).

- Snowflake Cortex: POST /api/v2/cortex/v1/chat/completions with `Authorization: Bearer <PAT>`
  for the one account the fake is (its host is the test's, so the account shows only in the
  connection's options); a wrong token is Snowflake's 401 `{"code", "message"}`.
- Predibase: POST /{tenant}/deployments/v2/llms/{deployment}/v1/chat/completions, Bearer; an
  unknown tenant or deployment is a 404, and the body's `model` must be "" (the deployment's
  base model) or one of the deployment's adapters. What it runs is the deployment's model,
  relayed to the chat fake upstream under that name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from tests.fakes.cloud_platforms import CloudRecorded, Platform, Refusal

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
