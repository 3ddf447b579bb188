"""Which paths are the management API's (/api): they answer in JSON, the pages in HTML."""

from __future__ import annotations


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")
