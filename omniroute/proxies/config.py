"""One outbound proxy as the API spells it, and the proxy settings of every level.

A proxy is `{type, host, port, username?, password?, caBundle?}`: type `http`, `https` or
`socks5`; port 1–65535, a number or a string of digits (the guide sends "8080"). Levels, highest
first: `keys` (by API key id), `combos` (by name), `providers` (by id), `global`. A password is
never shown: the API answers `hasPassword`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import quote

from ..proxy.transport.route import ProxyRoute, redact_proxy_url

PROXY_TYPES = ("http", "https", "socks5")
LEVELS = ("global", "providers", "combos", "keys")
FIELDS = ("type", "host", "port", "username", "password", "caBundle")
MAX_TEXT = 1000


class ProxyFieldError(ValueError):
    """A bad proxy field: `field` names it (dotted path), `message` says what is wrong."""

    def __init__(self, field_name: str, message: str):
        super().__init__(field_name, message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class ProxyConfig:
    type: str
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_bundle: str | None = None

    @property
    def url(self) -> str:
        """The proxy URL, credentials percent-encoded."""
        credentials = ""
        if self.username:
            credentials = quote(self.username, safe="")
            if self.password:
                credentials += ":" + quote(self.password, safe="")
            credentials += "@"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.type}://{credentials}{host}:{self.port}"

    @property
    def shown(self) -> str:
        """The proxy URL without its password, for errors and logs."""
        return redact_proxy_url(self.url)

    def route(self, default_ca_bundle: str | None = None) -> ProxyRoute:
        return ProxyRoute(self.url, self.ca_bundle or default_ca_bundle)

    def as_api(self) -> dict:
        """As the API answers it: never the password."""
        answer: dict = {"type": self.type, "host": self.host, "port": self.port}
        if self.username:
            answer["username"] = self.username
        answer["hasPassword"] = bool(self.password)
        if self.ca_bundle:
            answer["caBundle"] = self.ca_bundle
        return answer


@dataclass(frozen=True)
class ProxySettings:
    """Every level's proxies (empty: none configured)."""

    global_proxy: ProxyConfig | None = None
    providers: dict[str, ProxyConfig] = field(default_factory=dict)
    combos: dict[str, ProxyConfig] = field(default_factory=dict)
    keys: dict[str, ProxyConfig] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (self.global_proxy or self.providers or self.combos or self.keys)

    def as_api(self) -> dict:
        return {
            "global": self.global_proxy.as_api() if self.global_proxy else None,
            "providers": {name: p.as_api() for name, p in sorted(self.providers.items())},
            "combos": {name: p.as_api() for name, p in sorted(self.combos.items())},
            "keys": {name: p.as_api() for name, p in sorted(self.keys.items())},
        }

    def with_level(self, level: str, name: str | None, proxy: ProxyConfig | None):
        """A copy with one proxy set (or removed, when `proxy` is None)."""
        if level == "global":
            return replace(self, global_proxy=proxy)
        table: dict[str, ProxyConfig] = dict(getattr(self, level))
        if proxy is None:
            table.pop(name or "", None)
        else:
            table[name or ""] = proxy
        if level == "providers":
            return replace(self, providers=table)
        if level == "combos":
            return replace(self, combos=table)
        return replace(self, keys=table)

    def existing(self, level: str, name: str | None) -> ProxyConfig | None:
        return self.global_proxy if level == "global" else getattr(self, level).get(name)


def parse_proxy(body: object, where: str, previous: ProxyConfig | None = None) -> ProxyConfig:
    """A proxy from its API shape; ProxyFieldError names the first bad field (`where.field`).
    A password left out keeps `previous`'s when the user name is unchanged."""
    if not isinstance(body, dict):
        raise ProxyFieldError(where, "must be an object {type, host, port, username?, password?}")
    unknown = sorted(set(body) - set(FIELDS) - {"hasPassword"})
    if unknown:
        raise ProxyFieldError(
            f"{where}.{unknown[0]}", f"unknown field (known: {', '.join(FIELDS)})"
        )
    kind = body.get("type")
    if kind not in PROXY_TYPES:
        raise ProxyFieldError(f"{where}.type", f"must be one of {', '.join(PROXY_TYPES)}")
    host = _text(body, "host", where) or ""
    if not host:
        raise ProxyFieldError(f"{where}.host", "is required")
    if any(c in host for c in "/@?# "):
        raise ProxyFieldError(f"{where}.host", "must be a host name or an IP address")
    port = _port(body.get("port"), f"{where}.port")
    username = _text(body, "username", where)
    password = _text(body, "password", where, strip=False)
    if password is None and previous is not None and previous.username == username:
        password = previous.password
    ca_bundle = _text(body, "caBundle", where)
    proxy = ProxyConfig(kind, host.strip("[]"), port, username, password, ca_bundle)
    try:
        proxy.route()
    except ValueError as error:
        raise ProxyFieldError(where, str(error)) from None
    return proxy


def _text(body: dict, name: str, where: str, strip: bool = True) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT or not _encodable(value):
        raise ProxyFieldError(
            f"{where}.{name}", f"must be a string of at most {MAX_TEXT} characters"
        )
    return value.strip() if strip else value


def _encodable(text: str) -> bool:
    """Whether `text` is real Unicode (JSON may carry lone surrogates, which no URL or header
    can hold)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _port(value: object, where: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise ProxyFieldError(where, "must be a port number 1–65535")
    return value
