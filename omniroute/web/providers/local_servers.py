"""Find local model servers (Ollama, LM Studio, vLLM, llama.cpp) on this machine's loopback.

Each server is probed at its default port with a short timeout, all at once (on the fan-out
pool); only loopback
hosts are ever probed. `app.config["LOCAL_PORTS"]` ({provider id: port}) moves a server to
another port (tests point them at fake servers). Ollama answers `GET /api/tags` with
{"models": [...]} and serves its OpenAI-compatible API under `/v1`; the others answer the
OpenAI-style `GET /v1/models` with {"data": [...]}.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING

from flask import current_app

from ...providers import PROVIDERS

if TYPE_CHECKING:  # imported by the calls that need it: a worker may never make one
    pass

LOCAL_HOST = "127.0.0.1"
# provider id → (default port, probe path); the OpenAI-compatible base is always …/v1.
LOCAL_SERVERS: dict[str, tuple[int, str]] = {
    "ollama-local": (11434, "/api/tags"),
    "lmstudio-local": (1234, "/v1/models"),
    "vllm-local": (8000, "/v1/models"),
    "llamacpp-local": (8080, "/v1/models"),
}
PROBE_TIMEOUT = 0.5


def _port(provider_id: str) -> int:
    ports = current_app.config.get("LOCAL_PORTS") or {}
    return int(ports.get(provider_id, LOCAL_SERVERS[provider_id][0]))


def server_url(provider_id: str) -> str:
    return f"http://{LOCAL_HOST}:{_port(provider_id)}"


def probe_url(provider_id: str) -> str:
    return server_url(provider_id) + LOCAL_SERVERS[provider_id][1]


def base_url(provider_id: str) -> str:
    """The OpenAI-compatible base URL a connection to this server uses."""
    return server_url(provider_id) + "/v1"


def probe_result(provider_id: str, url: str, answer: Future) -> dict:
    """{"provider", "spec", "url", "ok", "models"?}: did the server answer its listing?"""
    import requests

    found: dict[str, object] = {
        "provider": provider_id,
        "spec": PROVIDERS.get(provider_id),
        "url": url,
        "ok": False,
    }
    try:
        response = answer.result()
        found["ok"] = response.status_code == 200
        if found["ok"]:
            body = response.json()
            items = body.get("data", body.get("models", [])) if isinstance(body, dict) else []
            found["models"] = len(items) if isinstance(items, list) else None
    except (requests.RequestException, ValueError):
        pass
    return found


def detect(connected: set[str]) -> list[dict]:
    """Probe every known local server at once; each result says whether it is `connected`
    already (a connection for that provider exists, so it must not be added again)."""
    fanout = current_app.extensions["omniroute"].fanout
    targets = [(provider_id, probe_url(provider_id)) for provider_id in LOCAL_SERVERS]
    answers = [fanout.get(url, PROBE_TIMEOUT) for _, url in targets]  # all at once
    results = [
        probe_result(*target, answer) for target, answer in zip(targets, answers, strict=True)
    ]
    for result in results:
        result["connected"] = result["provider"] in connected
    return results
