"""Is a tool installed (its binary on PATH), and does its configuration point at this gateway?

A tool's status is one of STATUSES: its config file's base URL names this gateway
(configured-here) or another server (configured-elsewhere); otherwise installed or
not-installed by its binary. Libraries and editor extensions have no binary: None unless
configured."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .catalog import Tool
from .formats import parse, value_at

STATUSES = ("not-installed", "installed", "configured-here", "configured-elsewhere")
LOCAL_NAMES = {"localhost", "127.0.0.1", "::1"}


def tools_home(settings: dict[str, Any]) -> Path:
    """The home folder whose tool configurations the page reads and writes (CLI_TOOLS_HOME, or
    the server's own)."""
    return Path(settings["CLI_TOOLS_HOME"] or Path.home())


def home_path(home: Path, shown: str) -> Path:
    """The real path of a file shown as ~/…"""
    return home / shown.removeprefix("~/")


def configured_url(tool: Tool, home: Path) -> str | None:
    """The base URL the tool's own config file names, if any (unreadable files name none)."""
    for file in tool.files:
        if not (file.url_at and file.in_home):
            continue
        try:
            text = home_path(home, file.path).read_text(encoding="utf-8")
            url = value_at(parse(file.format, text), file.url_at)
        except (OSError, ValueError, UnicodeError):
            continue
        if isinstance(url, str) and url.strip():
            return url.strip()
    return None


def same_gateway(url: str, base_url: str) -> bool:
    """`url` reaches the gateway at `base_url` (with or without /v1; localhost ≡ 127.0.0.1)."""

    def place(value: str) -> tuple[str, str, int | None, str]:
        parts = urlsplit(value.strip().rstrip("/"))
        host = parts.hostname or ""
        host = "localhost" if host in LOCAL_NAMES else host
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            port = None
        return parts.scheme, host, port, parts.path.removesuffix("/v1").rstrip("/")

    return place(url) == place(base_url)


def tool_status(
    tool: Tool,
    home: Path,
    base_url: str,
    which: Callable[[str], str | None] = shutil.which,
) -> str | None:
    url = configured_url(tool, home)
    if url is not None:
        return "configured-here" if same_gateway(url, base_url) else "configured-elsewhere"
    if tool.binary is None:
        return None
    return "installed" if which(tool.binary) else "not-installed"
