"""How the sign-in, token and quota services hold their HTTP session: a session, something that
makes it when the first call needs it (subscription_services.py passes one, so that requests is
imported only then), or None for plain requests."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    import requests

SessionSource = Union["requests.Session", Callable[[], "requests.Session"], None]


def session_of(source: SessionSource) -> requests.Session | None:
    """The session itself (made now, if it is made on demand), or None."""
    return source() if callable(source) else source
