"""The gateway's management API as the benchmark uses it: log in, add connections and combos,
read and change the routing settings.

One `Management` session logs in with the admin password (`POST /api/auth/login`) and sends
the CSRF token it returns with every JSON call, like the dashboard does. `connect_gateway` is
the set-up every gateway of the run gets: the OpenAI connection to the fake upstream, checked
with one chat request.
"""

from __future__ import annotations

import requests

from bench import config

TIMEOUT_SECONDS = 10


class Management:
    """A logged-in session on one gateway's /api; use it as a context manager."""

    def __init__(self, port: int):
        self.base = f"http://{config.HOST}:{port}"
        self.session = requests.Session()
        self.session.trust_env = False
        login = self.call("POST", "/api/auth/login", {"password": config.ADMIN_PASSWORD}, 200)
        self.session.headers["X-CSRFToken"] = login["csrfToken"]

    def __enter__(self) -> Management:
        return self

    def __exit__(self, *_exc) -> None:
        self.session.close()

    def call(self, method: str, path: str, body: dict | None, expect: int) -> dict:
        """One JSON call; a status other than `expect` is a RuntimeError quoting the answer."""
        answer = self.session.request(method, self.base + path, json=body, timeout=TIMEOUT_SECONDS)
        if answer.status_code != expect:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text[:300]}")
        return answer.json()

    def add_connection(self, provider: str, name: str, api_key: str, base_url: str) -> dict:
        body = {"provider": provider, "name": name, "apiKey": api_key, "baseUrl": base_url}
        return self.call("POST", "/api/providers", body, 201)

    def add_combo(self, name: str, models: list[str], strategy: str = "priority") -> dict:
        body = {"name": name, "models": models, "strategy": strategy}
        return self.call("POST", "/api/combos", body, 201)

    def settings(self) -> dict:
        return self.call("GET", "/api/settings", None, 200)

    def change_settings(self, changes: dict) -> dict:
        return self.call("PATCH", "/api/settings", changes, 200)

    def chat(self, model: str) -> requests.Response:
        """One non-streaming chat request through the gateway's /v1 (no API key needed)."""
        return self.session.post(
            self.base + config.CHAT_PATH,
            data=config.chat_body(model),
            headers={"Content-Type": "application/json"},
            timeout=TIMEOUT_SECONDS,
        )


def connect_gateway(port: int, upstream_url: str) -> dict:
    """Add the OpenAI connection to the fake upstream and check one request through it."""
    with Management(port) as api:
        created = api.add_connection("openai", "bench", config.API_KEY, upstream_url)
        _check(api.chat(config.GATEWAY_PREFIX + config.FAST_MODEL))
        return created


def check_chat(port: int) -> None:
    """One chat request through a gateway already connected (no dashboard call)."""
    with requests.Session() as session:
        session.trust_env = False
        _check(
            session.post(
                f"http://{config.HOST}:{port}{config.CHAT_PATH}",
                data=config.chat_body(config.GATEWAY_PREFIX + config.FAST_MODEL),
                headers={"Content-Type": "application/json"},
                timeout=TIMEOUT_SECONDS,
            )
        )


def open_dashboard(port: int) -> None:
    """The login page once: the first dashboard request, which builds the dashboard."""
    with requests.Session() as session:
        session.trust_env = False
        page = session.get(f"http://{config.HOST}:{port}/login", timeout=TIMEOUT_SECONDS)
        if page.status_code != 200:
            raise RuntimeError(f"GET /login: {page.status_code}")


def _check(answer: requests.Response) -> None:
    if answer.status_code != 200:
        raise RuntimeError(f"a chat request through the gateway failed: {answer.text}")
