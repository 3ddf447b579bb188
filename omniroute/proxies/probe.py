"""Whether a proxy works: one GET of the probe URL through it, timed.

Any HTTP answer but the proxy's 407 counts as reachable (the probe URL may well answer 401
without a key); a refused tunnel, a wrong password (407), a timeout or a TLS failure is not,
and the error says why without the proxy's password.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..errors import UpstreamError
from ..proxy.transport.route import ProxyRoute, redact_proxy_url

PROBE_TIMEOUT_SECONDS = 10.0
PROXY_AUTH_REQUIRED = 407


@dataclass(frozen=True)
class ProbeResult:
    ok: bool
    latency_ms: float | None
    error: str | None = None

    def as_api(self) -> dict:
        return {"ok": self.ok, "latencyMs": self.latency_ms, "error": self.error}


def probe_proxy(route: ProxyRoute, url: str, timeout: float = PROBE_TIMEOUT_SECONDS) -> ProbeResult:
    """GET `url` through the route's proxy on a transport of its own, closed afterwards."""
    from ..proxy.transport.proxied import ProxyTransport  # urllib3, loaded when first used

    transport = ProxyTransport(route, 1, timeout, timeout, timeout)
    started = time.perf_counter()
    try:
        with transport.get(url, {}, provider="proxy test", timeout=(timeout, timeout)) as answer:
            status = answer.status_code
    except UpstreamError as error:
        shown = redact_proxy_url(route.proxy_url or "")
        return ProbeResult(False, _ms_since(started), f"{error.message} (through {shown})")
    except (OSError, ValueError) as error:
        return ProbeResult(False, _ms_since(started), str(error) or error.__class__.__name__)
    finally:
        transport.close()
    if status == PROXY_AUTH_REQUIRED:  # a plain-HTTP probe URL: the proxy's own refusal
        shown = redact_proxy_url(route.proxy_url or "")
        return ProbeResult(
            False, _ms_since(started), f"the proxy {shown} refused the credentials (407)"
        )
    return ProbeResult(True, _ms_since(started))


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000.0, 1)
