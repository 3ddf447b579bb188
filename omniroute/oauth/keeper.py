"""TokenKeeper: the TokenSource of signed-in accounts. Given a connection id it hands out a
fresh access token, renewing it first when it expires within its provider's lead time.

Hot path: an account's tokens are read from the database once and then served from memory; a
token outside its lead time is returned with no lock and no database read.

One renewal in flight per account: callers at expiry queue on the account's lock; the first
re-reads the stored tokens (another process may have renewed them), takes the account's refresh
lease in the database (so that one process of several calls the token endpoint while the others
wait for its result), renews, and saves the new set by compare-and-swap on the refresh token it
was renewed from, the rotated refresh token with its access token. The callers behind it find
the renewed token in memory.

Failures: a final refusal (invalid_grant, refresh_token_reused, a revoked GitHub token, …)
marks the account "sign in again" and raises NeedsSignIn, then and on every later call, with no
further token call, until the account signs in again (`save_signed_in`). A 429, 5xx or network
error is retried with backoff (Retry-After honoured, bounded); when it still fails, the current
token is handed out while it lasts, else TokenUnavailable (the pipeline falls back to the next
account), and the account's token endpoint is left alone until the pause ends.

The grant's extra holds the account's extras minus its secrets (e.g. `chatgpt_account_id`);
GitHub Copilot's holds `api`, the API base of its Copilot token. `usage_grant` hands out what a
provider's usage endpoint takes (for Copilot the GitHub user token) for quota polling.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..store.oauth_accounts import (
    TokenSet,
    claim_refresh,
    mark_sign_in_again,
    read_account,
    release_refresh,
    replace_tokens,
    save_account,
)
from ..store.secret_box import SecretBox
from .grants import AccessGrant, NeedsSignIn, SignedIn, TokenUnavailable
from .http_session import SessionSource, session_of
from .keeper_copilot import exchanges_copilot_token
from .keeper_refresh import Step, grant_of, renewal_due, renewal_steps, usable, worth_retrying
from .provider import OAuthProvider
from .token_endpoint import TokenEndpointError

if TYPE_CHECKING:  # imported by the calls that need it: a worker may never make one
    pass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenewalPolicy:
    tries: int = 3  # token calls per renewal step, the first included
    first_backoff: float = 1.0  # seconds before the 2nd try when no Retry-After (doubling)
    max_wait: float = 10.0  # a longer Retry-After is not waited for: the renewal fails now
    failure_pause: float = 30.0  # no token call for this long after a failed renewal
    lease_seconds: float = 120.0  # how long a process may hold an account's refresh lease
    wait_for_other: float = 30.0  # how long to wait for another process's renewal
    poll: float = 0.1  # how often to look for it


@dataclass(frozen=True)
class _Account:
    provider: OAuthProvider
    tokens: TokenSet
    sign_in_reason: str | None = None  # set: only a new sign-in helps
    paused_until: float = 0.0  # after a failed renewal: no token call before this
    pause_reason: str = ""


class TokenKeeper:
    """Fresh tokens for signed-in accounts (grants.TokenSource)."""

    def __init__(
        self,
        database: Any,
        box: SecretBox,
        providers: Mapping[str, OAuthProvider],
        *,
        session: SessionSource = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        policy: RenewalPolicy | None = None,
    ):
        self._database = database
        self._box = box
        self._providers = providers
        self._session = session
        self._clock = clock
        self._sleep = sleep
        self._policy = policy or RenewalPolicy()
        self._accounts: dict[int, _Account] = {}
        self._locks: dict[int, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def access(self, connection_id: int) -> AccessGrant:
        """A fresh grant (raises NeedsSignIn, or TokenUnavailable while it cannot be renewed)."""
        account = self._accounts.get(connection_id)
        if account is not None:
            if account.sign_in_reason is not None:
                raise NeedsSignIn(connection_id, account.sign_in_reason)
            if not renewal_due(account.provider, account.tokens, self._clock()):
                return grant_of(account.provider, account.tokens)
        with self._lock_for(connection_id):
            return self._fresh(connection_id)

    def usage_grant(self, connection_id: int) -> AccessGrant:
        """The credentials the provider's usage endpoint takes, fresh: the grant, except for
        GitHub Copilot, whose usage endpoint takes the GitHub user token, not the Copilot token
        (raises NeedsSignIn or TokenUnavailable like `access`)."""
        grant = self.access(connection_id)
        account = self._accounts.get(connection_id)
        if account is None:  # forgotten meanwhile
            with self._lock_for(connection_id):
                account = self._load(connection_id)
        if not exchanges_copilot_token(account.provider):
            return grant
        return AccessGrant(token=account.tokens.access_token, extra=grant.extra)

    def refresh_now(self, connection_id: int) -> AccessGrant:
        """Renew the account's token now, due or not (the dashboard's Refresh button)."""
        with self._lock_for(connection_id):
            account = self._load(connection_id)
            return self._renew(connection_id, account, force=True)

    def save_signed_in(self, signed_in: SignedIn, name: str | None = None) -> int:
        """Save a sign-in or import as a connection (the same provider and account: the same
        connection, signed in again); returns its id."""
        tokens = TokenSet(
            access_token=signed_in.access_token,
            refresh_token=signed_in.refresh_token,
            expires_at=signed_in.expires_at,
            extra=dict(signed_in.extra),
        )
        with self._database.connection_context():
            connection_id = save_account(
                self._box,
                provider=signed_in.provider,
                account=signed_in.account,
                tokens=tokens,
                name=name,
            )
        self.forget(connection_id)
        return connection_id

    def forget(self, connection_id: int) -> None:
        """Drop what memory holds for the connection (it was changed or deleted elsewhere)."""
        self._accounts.pop(connection_id, None)

    def _lock_for(self, connection_id: int) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(connection_id, threading.Lock())

    def _fresh(self, connection_id: int) -> AccessGrant:
        """Under the account's lock: the grant, renewed first if it is (still) due."""
        account = self._accounts.get(connection_id) or self._load(connection_id)
        if account.sign_in_reason is not None:  # marked by the thread before this one
            raise NeedsSignIn(connection_id, account.sign_in_reason)
        now = self._clock()
        if not renewal_due(account.provider, account.tokens, now):
            return grant_of(account.provider, account.tokens)  # renewed by the one before
        if now < account.paused_until:
            return self._while_paused(connection_id, account, now)
        account = self._load(connection_id)  # another process may have renewed it
        if not renewal_due(account.provider, account.tokens, now):
            return grant_of(account.provider, account.tokens)
        return self._renew(connection_id, account, force=False)

    def _load(self, connection_id: int) -> _Account:
        """The stored account, remembered; raises NeedsSignIn when it must sign in again."""
        with self._database.connection_context():
            stored = read_account(self._box, connection_id)
        if stored is None:
            raise NeedsSignIn(connection_id, "no signed-in account has this id")
        provider = self._providers.get(stored.provider)
        if provider is None or provider.status == "discontinued":  # nothing is sent to it
            raise NeedsSignIn(connection_id, f"sign-in to {stored.provider} is not offered")
        reason = (stored.sign_in_reason or "sign in again") if stored.needs_sign_in else None
        account = _Account(provider, stored.tokens, sign_in_reason=reason)
        self._accounts[connection_id] = account
        if reason is not None:
            raise NeedsSignIn(connection_id, reason)
        return account

    def _renew(self, connection_id: int, account: _Account, *, force: bool) -> AccessGrant:
        now = self._clock()
        steps = renewal_steps(account.provider, account.tokens, now, force=force)
        if not steps:
            return grant_of(account.provider, account.tokens)
        with self._database.connection_context():
            claimed = claim_refresh(connection_id, now=now, until=now + self._policy.lease_seconds)
        if not claimed:
            return self._await_other_process(connection_id, account)
        try:
            for step in steps:
                account = self._run_step(connection_id, account, step)
        except TokenEndpointError as error:
            return self._failed(connection_id, account, error)
        except _Superseded:
            account = self._load(connection_id)
        finally:
            with self._database.connection_context():
                release_refresh(connection_id)
        return grant_of(account.provider, account.tokens)

    def _run_step(self, connection_id: int, account: _Account, step: Step) -> _Account:
        """One renewal step, retried while worth it, saved by compare-and-swap."""
        tokens = self._with_retries(step, account)
        with self._database.connection_context():
            saved = replace_tokens(
                self._box,
                connection_id,
                refreshed_from=account.tokens.refresh_token,
                tokens=tokens,
            )
        if not saved:
            raise _Superseded
        logger.info("connection %s: %s token renewed", connection_id, account.provider.id)
        renewed = _Account(account.provider, tokens)
        self._accounts[connection_id] = renewed
        return renewed

    def _with_retries(self, step: Step, account: _Account) -> TokenSet:
        policy = self._policy
        for attempt in range(1, policy.tries + 1):
            try:
                return step(
                    account.provider, account.tokens, self._clock(), session_of(self._session)
                )
            except TokenEndpointError as error:
                if attempt == policy.tries or not worth_retrying(error):
                    raise
                wait = error.retry_after
                if wait is None:
                    wait = policy.first_backoff * 2 ** (attempt - 1)
                if wait > policy.max_wait:
                    raise
                self._sleep(wait)
        raise AssertionError("unreachable: the last try returns or raises")

    def _failed(
        self, connection_id: int, account: _Account, error: TokenEndpointError
    ) -> AccessGrant:
        reason = f"{error.code}: {error.message}"[:300] if error.message else error.code
        if error.final:
            with self._database.connection_context():
                marked = mark_sign_in_again(
                    self._box,
                    connection_id,
                    reason,
                    refreshed_from=account.tokens.refresh_token,
                )
            if not marked:  # renewed by another process meanwhile: its tokens are good
                account = self._load(connection_id)
                return grant_of(account.provider, account.tokens)
            logger.warning("connection %s must sign in again: %s", connection_id, reason)
            self._accounts[connection_id] = replace(account, sign_in_reason=reason)
            raise NeedsSignIn(connection_id, reason)
        now = self._clock()
        pause = error.retry_after or self._policy.failure_pause
        logger.warning(
            "connection %s: token renewal failed (%s); next try in %.0f s",
            connection_id,
            reason,
            pause,
        )
        account = replace(account, paused_until=now + pause, pause_reason=reason)
        self._accounts[connection_id] = account
        return self._while_paused(connection_id, account, now)

    def _while_paused(self, connection_id: int, account: _Account, now: float) -> AccessGrant:
        if usable(account.provider, account.tokens, now):
            return grant_of(account.provider, account.tokens)
        retry_after = max(account.paused_until - now, 0.0)
        raise TokenUnavailable(connection_id, account.pause_reason, retry_after)

    def _await_other_process(self, connection_id: int, account: _Account) -> AccessGrant:
        """Another process holds the refresh lease: use the current token while it lasts, else
        wait (bounded) for the renewed one."""
        if usable(account.provider, account.tokens, self._clock()):
            return grant_of(account.provider, account.tokens)
        policy = self._policy
        for _ in range(max(int(policy.wait_for_other / policy.poll), 1)):
            self._sleep(policy.poll)
            with self._database.connection_context():
                stored = read_account(self._box, connection_id)
            if (
                stored is None
                or stored.tokens != account.tokens
                or stored.needs_sign_in
                or (stored.refresh_lease_until or 0.0) < self._clock()
            ):
                break
        account = self._load(connection_id)
        if usable(account.provider, account.tokens, self._clock()):
            return grant_of(account.provider, account.tokens)
        raise TokenUnavailable(
            connection_id, "another process is renewing this account's token", policy.poll
        )


class _Superseded(Exception):
    """The stored refresh token changed while this process renewed it: the other one won."""
