"""Upstream HTTP: one pooled keep-alive `requests.Session` per provider host.

Sessions ignore proxy environment variables (`trust_env=False`: the per-request environment
lookups halve throughput); configured proxies will be applied explicitly. Network failures are
turned into the gateway's UpstreamUnreachableError / UpstreamTimeoutError naming the provider.
"""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from ..errors import UpstreamTimeoutError, UpstreamUnreachableError
from ..providers import ProviderSpec

AUTH_HEADERS = {
    "bearer": lambda key: {"Authorization": f"Bearer {key}"},
    "x-api-key": lambda key: {"x-api-key": key},
    "x-goog-api-key": lambda key: {"x-goog-api-key": key},
}


def auth_headers(spec: ProviderSpec, api_key: str) -> dict[str, str]:
    return AUTH_HEADERS[spec.auth](api_key)


class UpstreamClient:
    def __init__(self, pool_size: int, connect_timeout: float, read_timeout: float):
        self._pool_size = pool_size
        self.timeout = (connect_timeout, read_timeout)
        self._sessions: dict[str, requests.Session] = {}
        self._lock = threading.Lock()

    def session_for(self, url: str) -> requests.Session:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        session = self._sessions.get(origin)
        if session is None:
            with self._lock:
                session = self._sessions.get(origin)
                if session is None:
                    session = self._new_session()
                    self._sessions[origin] = session
        return session

    def _new_session(self) -> requests.Session:
        session = requests.Session()
        session.trust_env = False
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=self._pool_size, max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def post(
        self,
        url: str,
        body: bytes,
        headers: dict[str, str],
        *,
        provider: str,
        timeout: tuple[float, float] | None = None,
    ) -> requests.Response:
        """POST and return the response with its body unread (stream=True)."""
        try:
            return self.session_for(url).post(
                url, data=body, headers=headers, stream=True, timeout=timeout or self.timeout
            )
        except requests.RequestException as exc:
            raise network_error(exc, provider, url) from exc

    def close(self) -> None:
        with self._lock:
            for session in self._sessions.values():
                session.close()
            self._sessions.clear()


def network_error(exc: BaseException, provider: str, context: str):
    """The gateway error for a network failure while talking to `provider`."""
    text = str(exc).lower()
    if isinstance(exc, (requests.Timeout, TimeoutError)) or "timed out" in text:
        return UpstreamTimeoutError(
            f"provider '{provider}' did not answer in time ({context})", provider=provider
        )
    return UpstreamUnreachableError(
        f"provider '{provider}' is unreachable ({context}): {describe_network_error(exc)}",
        provider=provider,
    )


def describe_network_error(exc: BaseException) -> str:
    """A short reason for a network failure, without the long urllib3 repr chain."""
    text = str(exc)
    for marker in (
        "Connection refused",
        "Name or service not known",
        "timed out",
        "Connection reset",
        "Connection aborted",
        "Remote end closed",
    ):
        if marker in text:
            return marker.lower()
    return exc.__class__.__name__
