"""The subscription accounts' parts, wired together: the providers' sign-in declarations (with
the user's overrides), the token keeper, the quota book (saved off the request path), the calls
the pipeline prepares for signed-in accounts, the sign-in service the dashboard drives, and the
quota poller (each account's usage endpoint, read on demand and once after every sign-in, off
the request thread on the fan-out pool)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .fanout import FanOut
from .oauth.grants import SignedIn
from .oauth.keeper import TokenKeeper
from .oauth.overrides import providers_for
from .oauth.provider import OAuthProvider
from .oauth.quota import QuotaBook, QuotaSnapshot
from .oauth.quota_poll_service import QuotaPoller
from .oauth.sign_in import SignInService
from .proxies.resolve import ProxyResolver
from .proxies.session_maker import RoutedSessionMaker
from .proxies.url_owners import url_owners
from .proxy.subscription_calls import SubscriptionCalls
from .store.oauth_accounts import save_quota_snapshot
from .store.secret_box import SecretBox
from .store.snapshot_cache import SnapshotCache


@dataclass
class SubscriptionServices:
    providers: dict[str, OAuthProvider]
    tokens: TokenKeeper
    quotas: QuotaBook
    calls: SubscriptionCalls
    signin: SignInService
    poller: QuotaPoller

    def forget(self, connection_id: int) -> None:
        """A connection was signed in again, edited or deleted: drop what memory holds."""
        self.tokens.forget(connection_id)
        self.quotas.forget(connection_id)


def _save_quota(database: Any, connection_id: int, snapshot: QuotaSnapshot) -> None:
    with database.connection_context():
        save_quota_snapshot(connection_id, snapshot.as_json())


def build_subscription_services(
    data_dir: str,
    database: Any,
    box: SecretBox,
    routes: SnapshotCache,
    fanout: FanOut,
    proxies: ProxyResolver | None = None,
) -> SubscriptionServices:
    providers = providers_for(data_dir)  # a bad oauth-providers.json stops start-up, named
    # token, sign-in and quota calls take the outbound proxies as every upstream call does
    session = (
        None if proxies is None else RoutedSessionMaker(proxies, url_owners(providers.values()))
    )
    tokens = TokenKeeper(database, box, providers, session=session)

    def save_quota(connection_id: int, snapshot: QuotaSnapshot) -> None:
        fanout.submit(_save_quota, database, connection_id, snapshot)

    quotas = QuotaBook(save=save_quota)
    poller = QuotaPoller(providers, tokens, quotas, session=session)

    def save_signed_in(signed_in: SignedIn) -> int:
        connection_id = tokens.save_signed_in(signed_in)
        tokens.forget(connection_id)
        quotas.forget(connection_id)
        routes.invalidate()  # a new account (or one back from "sign in again") routes at once
        if poller.offers(signed_in.provider):  # best effort: the sign-in never waits for it
            _submit(fanout, poller.poll_quietly, connection_id, signed_in.provider)
        return connection_id

    return SubscriptionServices(
        providers=providers,
        tokens=tokens,
        quotas=quotas,
        calls=SubscriptionCalls(tokens=tokens, quotas=quotas, providers=providers),
        signin=SignInService(providers, save_signed_in, session=session),
        poller=poller,
    )


def _submit(fanout: FanOut, work: Callable[..., object], *args: object) -> None:
    try:
        fanout.submit(work, *args)
    except RuntimeError:  # the pool has shut down: the app is closing
        pass
