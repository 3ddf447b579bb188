"""Which provider a sign-in, token or quota call's URL belongs to, for routing it through that
provider's proxy (sessions.py): the provider whose sign-in or API URL shares the longest prefix
with it, on the same origin."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields
from os.path import commonprefix
from urllib.parse import urlsplit

from ..oauth.provider import OAuthProvider
from ..providers import PROVIDERS


def url_owners(oauth_providers: Iterable[OAuthProvider]) -> list[tuple[str, str]]:
    """(URL, provider id) for the catalog's API URLs and the sign-in declarations' URLs."""
    owners = [(spec.base_url, spec.id) for spec in PROVIDERS.values() if spec.base_url]
    for provider in oauth_providers:
        for field in fields(provider):
            value = getattr(provider, field.name)
            if field.name.endswith("_url") and isinstance(value, str) and value:
                owners.append((value, provider.id))
    return owners


def owner_of(url: str, owners: Sequence[tuple[str, str]]) -> str:
    """The provider whose URL shares the longest prefix with `url` on its origin ("": none)."""
    origin = _origin(url)
    best, best_length = "", -1
    for known, provider in owners:
        if _origin(known) != origin:
            continue
        length = len(commonprefix([known, url]))
        if length > best_length:
            best, best_length = provider, length
    return best


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()
