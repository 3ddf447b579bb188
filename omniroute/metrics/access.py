"""Who may scrape GET /metrics: with METRICS_TOKEN set, a caller sending it as
`Authorization: Bearer` (compared in constant time; 401 otherwise); without it, loopback
callers only (403 for others) unless METRICS_PUBLIC is true. The caller's address is
REMOTE_ADDR as TRUSTED_PROXY resolves it: a reverse proxy on this machine that is not declared
as TRUSTED_PROXY makes every caller look local, so set METRICS_TOKEN behind one."""

from __future__ import annotations

import hmac
import ipaddress

from ..errors import AuthenticationError, GatewayError


class MetricsRefusedError(GatewayError):
    status = 403
    type = "permission_error"
    code = "metrics_loopback_only"


def is_loopback(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return ip.is_loopback or (mapped is not None and mapped.is_loopback)


def bearer_matches(authorization: str | None, token: str) -> bool:
    scheme, _, presented = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        return False
    return hmac.compare_digest(presented.strip().encode("utf-8"), token.encode("utf-8"))


def scrape_refusal(
    token: str | None, public: bool, authorization: str | None, address: str | None
) -> GatewayError | None:
    """Why this caller may not scrape, or None when it may."""
    if token:
        if bearer_matches(authorization, token):
            return None
        return AuthenticationError(
            "GET /metrics requires the METRICS_TOKEN as `Authorization: Bearer <token>`",
            code="invalid_metrics_token",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    if public or is_loopback(address):
        return None
    return MetricsRefusedError(
        "GET /metrics answers loopback callers only; set METRICS_TOKEN (or METRICS_PUBLIC=true) "
        "to scrape it from another machine"
    )
