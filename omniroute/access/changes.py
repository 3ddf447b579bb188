"""Saving access settings: validate, refuse a change that locks the admin out, save, and make
the running gateway use it at once (the IP gate and the routing table are reloaded)."""

from __future__ import annotations

from .blocking import blocked_from_api
from .rules import AccessRules, parse_address, rules_from_api
from .store import save_access_rules, save_blocked_providers


class LockoutError(ValueError):
    """The change would refuse the admin's own address on the dashboard."""

    def __init__(self, address: str | None):
        super().__init__(address)
        self.address = address
        self.message = (
            f"refused: these dashboard rules would lock you out (your address {address} "
            "would be refused). Add your address to the dashboard allow list, or remove the "
            "rule that denies it, then save again"
        )


def change_access_rules(services, body: object, admin_address: str | None) -> AccessRules:
    """Apply a PUT body to the current rules. RuleError names a bad entry; LockoutError when
    `admin_address` would lose the dashboard. Nothing is saved on either."""
    rules = rules_from_api(body, services.access.rules())
    if not rules.dashboard.is_open and not rules.dashboard.admits(parse_address(admin_address)):
        raise LockoutError(admin_address)
    save_access_rules(rules)
    services.access.invalidate()
    return rules


def change_blocked_providers(services, body: object) -> frozenset[str]:
    """Save the blocked providers a PUT body names (RuleError: nothing saved)."""
    blocked = blocked_from_api(body)
    save_blocked_providers(blocked)
    services.routes.invalidate()
    return blocked
