"""The refusal of a request that names a provider the user switched off (Settings → Security →
provider blocking; the list itself is kept by access/blocking.py)."""

from __future__ import annotations

from ..errors import GatewayError


class ProviderBlockedError(GatewayError):
    status = 403
    type = "permission_error"
    code = "provider_blocked"


def provider_blocked(provider_id: str) -> ProviderBlockedError:
    return ProviderBlockedError(
        f"provider '{provider_id}' is switched off in Settings → Security (provider blocking): "
        "nothing was sent; unblock it there or use another model",
        param="model",
    )
