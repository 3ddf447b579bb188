"""QuotaPoller: reads a signed-in account's quota windows from its provider's usage endpoint
when asked (quota_poll.py), and keeps from hammering that endpoint.

- `poll(connection_id, provider_id)` → the QuotaSnapshot, noted in the QuotaBook and saved at
  once, so the cards, Home and the store show it. It raises NeedsSignIn (only a new sign-in
  helps) or TokenUnavailable from the token keeper, and QuotaPollError from the endpoint.
- A 429 rests polling of that account for the answer's Retry-After, clamped to 5 s – 5 min
  (60 s when it names none); until then `poll` sends nothing and raises
  QuotaPollError("rate_limited") with the seconds left in `retry_after`.
- One poll per account at a time: a caller arriving while a poll runs waits for it and is
  given its snapshot rather than sending another.
- `poll_quietly` is the best-effort poll after a sign-in: it never raises and logs why it gave
  no snapshot (never a token).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol

from .grants import AccessGrant, NeedsSignIn, TokenUnavailable
from .http_session import SessionSource, session_of
from .provider import OAuthProvider
from .quota import QuotaBook, QuotaSnapshot
from .quota_poll import QuotaPollError, poll_quota, polls_quota

if TYPE_CHECKING:  # imported by the calls that need it: a worker may never make one
    pass

logger = logging.getLogger(__name__)

MIN_COOL_SECONDS, MAX_COOL_SECONDS = 5.0, 300.0
DEFAULT_COOL_SECONDS = 60.0  # a 429 without Retry-After


class UsageTokens(Protocol):
    def usage_grant(self, connection_id: int) -> AccessGrant:
        """The credentials the provider's usage endpoint takes (NeedsSignIn, TokenUnavailable)."""
        ...


def cool_seconds(retry_after: float | None) -> float:
    """How long polling rests after a 429 that asked for `retry_after` seconds."""
    wanted = DEFAULT_COOL_SECONDS if retry_after is None else retry_after
    return min(max(wanted, MIN_COOL_SECONDS), MAX_COOL_SECONDS)


class QuotaPoller:
    def __init__(
        self,
        providers: Mapping[str, OAuthProvider],
        tokens: UsageTokens,
        quotas: QuotaBook,
        *,
        session: SessionSource = None,
        clock: Callable[[], float] = time.time,
    ):
        self._providers = providers
        self._tokens = tokens
        self._quotas = quotas
        self._session = session
        self._clock = clock
        self._cool_until: dict[int, float] = {}
        self._polled: dict[int, tuple[int, QuotaSnapshot]] = {}  # → (poll number, snapshot)
        self._locks: dict[int, threading.Lock] = {}
        self._guard = threading.Lock()

    def offers(self, provider_id: str) -> bool:
        provider = self._providers.get(provider_id)
        return provider is not None and polls_quota(provider)

    def cooling(self, connection_id: int) -> float | None:
        """Seconds until the account's usage endpoint may be polled again (None: now)."""
        left = self._cool_until.get(connection_id, 0.0) - self._clock()
        return left if left > 0 else None

    def poll(self, connection_id: int, provider_id: str) -> QuotaSnapshot:
        provider = self._providers.get(provider_id)
        if provider is None or not polls_quota(provider):
            raise QuotaPollError("not_offered", f"{provider_id} has no usage endpoint")
        seen = self._polled.get(connection_id, (0, None))[0]
        with self._lock_for(connection_id):
            number, snapshot = self._polled.get(connection_id, (0, None))
            if number != seen and snapshot is not None:  # polled while this caller waited
                return snapshot
            left = self.cooling(connection_id)
            if left is not None:
                raise QuotaPollError(
                    "rate_limited",
                    "the usage endpoint asked to wait before the next poll",
                    429,
                    left,
                )
            snapshot = self._poll(connection_id, provider)
            self._polled[connection_id] = (number + 1, snapshot)
        self._quotas.note(connection_id, snapshot, save_now=True)
        return snapshot

    def poll_quietly(self, connection_id: int, provider_id: str) -> QuotaSnapshot | None:
        """`poll`, for when nobody waits for the answer: None instead of an error."""
        if not self.offers(provider_id):
            return None
        try:
            return self.poll(connection_id, provider_id)
        except (NeedsSignIn, TokenUnavailable) as error:
            reason = error.reason
        except QuotaPollError as error:
            reason = error.message
        except Exception:  # a background poll must never take its thread down
            logger.exception("connection %s: quota poll failed", connection_id)
            return None
        logger.info("connection %s: no quota from the usage endpoint: %s", connection_id, reason)
        return None

    def _poll(self, connection_id: int, provider: OAuthProvider) -> QuotaSnapshot:
        grant = self._tokens.usage_grant(connection_id)
        try:
            return poll_quota(provider, grant, session_of(self._session), self._clock)
        except QuotaPollError as error:
            if error.code != "rate_limited":
                raise
            rest = cool_seconds(error.retry_after)
            self._cool_until[connection_id] = self._clock() + rest
            logger.warning(
                "connection %s: %s usage endpoint rate limited; next poll in %.0f s",
                connection_id,
                provider.id,
                rest,
            )
            raise QuotaPollError(error.code, error.message, error.status, rest) from None

    def _lock_for(self, connection_id: int) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(connection_id, threading.Lock())
