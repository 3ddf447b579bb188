"""Fireworks images: OpenAI's images request becomes Fireworks' FLUX text_to_image workflow.

A small real HTTP server plays Fireworks' API reference: POST
/inference/v1/workflows/accounts/fireworks/models/<model>/text_to_image with
`Accept: application/json` answers {"id", "base64": ["data:image/png;base64,…"],
"finishReason", "seed"}; any other path is a 404 (Fireworks has no /images/generations).
"""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openai
import pytest
import requests

PNG = base64.b64encode(b"png-bytes").decode()
FLUX = "accounts/fireworks/models/flux-1-schnell-fp8"
WORKFLOW = f"/inference/v1/workflows/{FLUX}/text_to_image"


class _Fireworks(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.seen.append({"path": self.path, "headers": dict(self.headers), "body": body})
        if self.path != WORKFLOW:
            return self._reply(404, {"error": {"message": "not found"}})
        self._reply(
            200,
            {
                "id": "req-1",
                "base64": [f"data:image/png;base64,{PNG}"],
                "finishReason": "SUCCESS",
                "seed": 42,
            },
        )

    def _reply(self, status: int, payload: dict) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


@pytest.fixture
def fireworks(gateway):
    _Fireworks.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Fireworks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/inference/v1"
    gateway.add_connection(base, provider="fireworks", apiKey="fw-key-0001")
    yield _Fireworks.seen
    server.shutdown()
    server.server_close()


def test_the_guides_dedicated_route_uses_the_workflow(gateway, fireworks):
    client = openai.OpenAI(
        base_url=gateway.v1 + "/providers/fireworks", api_key="unused", max_retries=0
    )
    reply = client.images.generate(
        model=FLUX, prompt="a red fox", size="1792x1024", response_format="b64_json"
    )
    assert base64.b64decode(reply.data[0].b64_json) == b"png-bytes"
    [sent] = fireworks
    assert sent["path"] == WORKFLOW
    assert sent["body"] == {"prompt": "a red fox", "aspect_ratio": "16:9"}
    assert sent["headers"]["Accept"] == "application/json"
    assert sent["headers"]["Authorization"] == "Bearer fw-key-0001"


def test_a_bare_model_name_and_url_answers(gateway, fireworks):
    body = {"model": "fireworks/flux-1-schnell-fp8", "prompt": "p", "seed": 7}
    answer = requests.post(gateway.v1 + "/images/generations", json=body, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"] == [{"url": f"data:image/png;base64,{PNG}"}]
    assert isinstance(answer.json()["created"], int)
    assert fireworks[-1]["path"] == WORKFLOW
    assert fireworks[-1]["body"] == {"prompt": "p", "seed": 7}


def test_what_the_workflow_cannot_do_is_a_400_before_sending(gateway, fireworks):
    for extra, param in (({"n": 2}, "n"), ({"size": "big"}, "size")):
        body = {"model": f"fireworks/{FLUX}", "prompt": "p", **extra}
        answer = requests.post(gateway.v1 + "/images/generations", json=body, timeout=10)
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["param"] == param
    assert fireworks == []
