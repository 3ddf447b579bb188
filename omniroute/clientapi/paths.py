"""Which paths belong to the client API, and which wire format a caller on a path speaks (so
even an unknown path or a refused request is answered in the caller's own error shape)."""

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


def wire_format_for_path(path: str) -> str:
    """The format a client calling `path` speaks, so errors reach it in its own shape."""
    if path.startswith("/v1beta/"):
        return "gemini"
    if "/messages" in path:
        return "anthropic"
    if "/responses" in path:
        return "responses"
    return "openai"
