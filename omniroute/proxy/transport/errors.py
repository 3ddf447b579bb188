"""Network failures, as transports raise them and as the gateway reports them.

Inside the package every failure is an OSError; `network_error` turns one into the gateway's
error naming the provider:

    OSError
     ├── TimeoutError ............................ UpstreamTimeoutError (504)
     └── anything else, e.g. ConnectionError ..... UpstreamUnreachableError (502)
          ├── ResponseBroken (http_framing: an answer whose framing is in doubt)
          └── TransportError (its message is the whole reason, shown as is)
               └── ProxyRefused (the outbound proxy refused or failed the tunnel)

Other exceptions a caller catches while reading (a ValueError, say) are reported the same way,
by class name when no known phrase says more.
"""

from __future__ import annotations

from ...errors import UpstreamTimeoutError, UpstreamUnreachableError

KNOWN_REASONS = (
    "Connection refused",
    "Name or service not known",
    "timed out",
    "Connection reset",
    "Connection aborted",
    "Remote end closed",
    "Connection broken",
)


class TransportError(ConnectionError):
    """A failure this package describes itself (an unusable route, a proxy's refusal)."""


class ProxyRefused(TransportError):
    """The outbound proxy refused the tunnel (407, a SOCKS error) or could not open it."""


def network_error(
    exc: BaseException, provider: str, context: str
) -> UpstreamTimeoutError | UpstreamUnreachableError:
    """The gateway error for a network failure while talking to `provider`."""
    text = str(exc).lower()
    if isinstance(exc, TimeoutError) or "timed out" in text:
        return UpstreamTimeoutError(
            f"provider '{provider}' did not answer in time ({context})", provider=provider
        )
    return UpstreamUnreachableError(
        f"provider '{provider}' is unreachable ({context}): {describe_network_error(exc)}",
        provider=provider,
    )


def describe_network_error(exc: BaseException) -> str:
    """A short reason for a network failure, without a long exception repr chain."""
    if isinstance(exc, TransportError):
        return str(exc)
    text = str(exc)
    for marker in KNOWN_REASONS:
        if marker in text:
            return marker.lower()
    return exc.__class__.__name__
