"""Which paths belong to the client API: the WSGI entry answers these itself, also when no route
matches (an unknown path gets a 404 in its caller's error shape, see errors.py)."""

from __future__ import annotations

CLIENT_API_PREFIXES = (
    "/v1/",
    "/v1beta/",
    "/chat/",
    "/responses",
    "/models",
    "/messages",
    "/embeddings",
    "/images/",
    "/audio/",
)


def is_client_api_path(path: str) -> bool:
    return path.startswith(CLIENT_API_PREFIXES)
