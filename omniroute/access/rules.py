"""IP access rules: allow and deny lists of IPv4/IPv6 networks, one pair for the client API
(`v1`: /v1, /v1beta and the unprefixed client paths) and one for the dashboard and /api.

An entry is a CIDR (`10.0.0.0/8`, `2001:db8::/32`) or a bare address (a /32 or /128). Deny
wins; an empty allow list allows everyone. The API's JSON is
`{"v1": {"allow": [...], "deny": [...]}, "dashboard": {"allow": [...], "deny": [...]}}`; it is
stored as the same JSON in the settings table.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
SURFACES = ("v1", "dashboard")
LISTS = ("allow", "deny")


class RuleError(ValueError):
    """A bad rule: `field` names where it is (`v1.allow[2]`), `message` what is wrong."""

    def __init__(self, field: str, message: str, entry: str | None = None):
        super().__init__(field, message)
        self.field = field
        self.message = message
        self.entry = entry  # the entry that is not an address, when that is the problem


def parse_network(entry: object, where: str) -> Network:
    if not isinstance(entry, str) or not entry.strip():
        raise RuleError(where, "must be an IPv4/IPv6 address or CIDR, e.g. 10.0.0.0/8")
    try:
        return ipaddress.ip_network(entry.strip(), strict=False)
    except ValueError:
        raise RuleError(
            where,
            f"'{entry}' is not an IPv4/IPv6 address or CIDR (e.g. 10.0.0.0/8, ::1)",
            entry=entry,
        ) from None


def parse_address(text: str | None) -> Address | None:
    """The client's address (an IPv4-mapped IPv6 address as IPv4); None when unreadable."""
    if not text:
        return None
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@dataclass(frozen=True)
class RuleSet:
    """One surface's lists, compiled: `admits(address)` is what the gate asks."""

    allow: tuple[Network, ...] = ()
    deny: tuple[Network, ...] = ()

    @property
    def is_open(self) -> bool:
        return not self.allow and not self.deny

    def admits(self, address: Address | None) -> bool:
        if address is None:  # an address no rule can match: only an allow list keeps it out
            return not self.allow
        if any(address in network for network in self.deny):
            return False
        return not self.allow or any(address in network for network in self.allow)

    def as_api(self) -> dict[str, list[str]]:
        return {"allow": [str(n) for n in self.allow], "deny": [str(n) for n in self.deny]}


@dataclass(frozen=True)
class AccessRules:
    v1: RuleSet = field(default_factory=RuleSet)
    dashboard: RuleSet = field(default_factory=RuleSet)

    def as_api(self) -> dict[str, dict[str, list[str]]]:
        return {"v1": self.v1.as_api(), "dashboard": self.dashboard.as_api()}


def _rule_set(value: object, surface: str, current: RuleSet) -> RuleSet:
    if not isinstance(value, dict):
        raise RuleError(surface, 'must be an object: {"allow": [...], "deny": [...]}')
    unknown = sorted(set(value) - set(LISTS))
    if unknown:
        raise RuleError(f"{surface}.{unknown[0]}", "unknown list (known: allow, deny)")
    lists = {}
    for name in LISTS:
        entries = value.get(name, getattr(current, name))
        if isinstance(entries, tuple):  # kept as it was
            lists[name] = entries
            continue
        if not isinstance(entries, list):
            raise RuleError(f"{surface}.{name}", "must be a list of addresses or CIDRs")
        networks = [parse_network(e, f"{surface}.{name}[{i}]") for i, e in enumerate(entries)]
        lists[name] = tuple(dict.fromkeys(networks))  # duplicates once, order kept
    return RuleSet(lists["allow"], lists["deny"])


def rules_from_api(body: object, current: AccessRules | None = None) -> AccessRules:
    """The rules a PUT body asks for; a surface (or list) it leaves out keeps `current`'s.
    RuleError names the first bad entry."""
    current = current or AccessRules()
    if not isinstance(body, dict):
        raise RuleError("body", 'must be a JSON object: {"v1": {...}, "dashboard": {...}}')
    unknown = sorted(set(body) - set(SURFACES))
    if unknown:
        raise RuleError(unknown[0], "unknown section (known: v1, dashboard)")
    return AccessRules(
        *(
            _rule_set(body[name], name, getattr(current, name))
            if name in body
            else getattr(current, name)
            for name in SURFACES
        )
    )


def rules_to_json(rules: AccessRules) -> str:
    return json.dumps(rules.as_api(), sort_keys=True)


def rules_from_json(text: str | None) -> AccessRules:
    """The stored rules (none stored, or unreadable: no rules)."""
    if not text:
        return AccessRules()
    try:
        return rules_from_api(json.loads(text))
    except (ValueError, RuleError):
        return AccessRules()
