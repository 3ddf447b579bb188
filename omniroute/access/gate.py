"""The access gate: the IP rules compiled in memory, asked once per request.

The client API asks `admits_client` on every call: with no rule for /v1 that is one attribute
read and a truth test. The dashboard and /api ask `admits_admin`. The rules are loaded once and
reloaded after `invalidate()` (the settings API calls it on every change).
"""

from __future__ import annotations

from ..errors import GatewayError
from ..store.snapshot_cache import SnapshotCache
from .rules import AccessRules, parse_address
from .store import load_access_rules


class AddressRefusedError(GatewayError):
    status = 403
    type = "permission_error"
    code = "ip_not_allowed"


def address_refused(address: str | None, surface: str) -> AddressRefusedError:
    return AddressRefusedError(
        f"requests from {address or 'this address'} are not allowed to reach {surface} "
        "(IP access control: Settings → Security)"
    )


class AccessGate:
    def __init__(self, database):
        self._rules: SnapshotCache[AccessRules] = SnapshotCache(database, load_access_rules)

    def rules(self) -> AccessRules:
        return self._rules.snapshot()

    def invalidate(self) -> None:
        self._rules.invalidate()

    def admits_client(self, remote_addr: str | None) -> bool:
        rules = self._rules.snapshot().v1
        return rules.is_open or rules.admits(parse_address(remote_addr))

    def admits_admin(self, remote_addr: str | None) -> bool:
        rules = self._rules.snapshot().dashboard
        return rules.is_open or rules.admits(parse_address(remote_addr))
