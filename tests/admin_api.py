"""The management API through a gateway's logged-in admin session, each call asserting the
status it expects: accounts, settings, combos, resilience and the health report."""

from __future__ import annotations

import requests


def key(n: int) -> str:
    """The API key of the n-th account `AdminApi.accounts` adds."""
    return f"sk-acct-{n}"


class AdminApi:
    def __init__(self, gateway):
        self.gateway = gateway
        self.session = gateway.admin()

    def call(self, method: str, path: str, expect: int | None = 200, **kwargs):
        """The response (its status checked unless `expect` is None)."""
        response = self.session.request(method, self.gateway.url + path, timeout=10, **kwargs)
        if expect is not None:
            assert response.status_code == expect, response.text
        return response

    def json(self, method: str, path: str, expect: int = 200, **kwargs) -> dict:
        return self.call(method, path, expect, **kwargs).json()

    def connect(self, upstream_url: str, provider: str = "openai", **fields) -> dict:
        body = {"provider": provider, "baseUrl": upstream_url, **fields}
        body.setdefault("name", f"{provider} account")
        body.setdefault("apiKey", "sk-test")
        return self.json("POST", "/api/providers", 201, json=body)

    def accounts(self, upstream, count: int, provider: str = "openai") -> list[dict]:
        """`count` accounts of `provider` named acct-1…, keys `key(1)`…, in fill-first order."""
        return [
            self.connect(upstream.url, provider, name=f"acct-{n}", apiKey=key(n))
            for n in range(1, count + 1)
        ]

    def settings(self, **changes) -> None:
        self.call("PATCH", "/api/settings", json=changes)

    def resilience(self, changes: dict) -> dict:
        return self.json("PATCH", "/api/resilience", json=changes)

    def combo(self, name: str, models: list[str]) -> None:
        body = {"name": name, "models": models, "strategy": "priority"}
        self.call("POST", "/api/combos", 201, json=body)

    def health(self) -> dict:
        return self.json("GET", "/api/health")

    def breakers(self) -> dict[str, dict]:
        return {item["provider"]: item for item in self.health()["providers"]}

    def breaker(self, provider: str) -> dict:
        return self.breakers()[provider]

    def resting(self) -> dict[tuple, float]:
        """{(account name, model or None): seconds left} of every resting account."""
        return {
            (item["accountName"], item["model"]): item["remainingSeconds"]
            for item in self.health()["rateLimits"]
        }

    def reset(self, body=None, expect: int = 200) -> requests.Response:
        return self.call("POST", "/api/resilience/reset", expect, json=body)

    def forget(self, upstream) -> None:
        """Between two cases in one test: forget breakers, rests and backoff, and what the
        fake upstream was scripted to do and received."""
        self.reset({})
        upstream.reset()
