"""Redirect targets taken from a request (`?next=`, a form's `next`): only paths on this site.

A browser strips tabs and line breaks from a Location header and reads a backslash as a slash,
so `/\t/evil.example` or `/\\evil.example` would send the user to another host. A target is
accepted only when it is a plain absolute path: no control or whitespace characters, no
backslash, no `//` authority, no scheme and nothing `urlsplit` reads as a host. Percent-decoded
once (as a proxy or a lenient browser might), it must still start as a path of this site.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

MAX_TARGET_LENGTH = 2048


def _may_name_another_host(target: str) -> bool:
    return not target.startswith("/") or target.startswith("//") or "\\" in target


def _is_plain_path(target: str) -> bool:
    if _may_name_another_host(target):
        return False
    if any(unicodedata.category(char)[0] in "CZ" for char in target):
        return False  # controls, format characters, surrogates, spaces, line separators
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def local_path(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None."""
    if not target or len(target) > MAX_TARGET_LENGTH:
        return None
    decoded = "".join(char for char in unquote(target) if char not in "\t\r\n")
    if _is_plain_path(target) and not _may_name_another_host(decoded):
        return target
    return None
