"""The conversation a client call belongs to, as coding tools name it (for session affinity).

Sources, first found wins:
1. the header the user configured (Settings → AI, session affinity), when set;
2. `X-Session-Id`;
3. Codex's `session-id` header (`session_id` in older versions; servers that drop header names
   with underscores, as waitress does, never show that one) and Claude Code's
   `X-Claude-Code-Session-Id`;
4. the body, already parsed by the pipeline's Translation (never parsed again here): Claude
   Code's `metadata.user_id` — a JSON string `{"device_id", "account_uuid", "session_id"}`, or
   in older versions `user_<hash>_account_<uuid>_session_<uuid>` — gives its session id, and
   the Responses API's `prompt_cache_key` is taken as it is.
Headers are looked at first because they cost nothing. A value is cut to MAX_IDENTITY_CHARS so a
client cannot grow the affinity table's memory with long names.
"""

from __future__ import annotations

import json
from typing import Any

from ..routing.affinity import SessionAffinity
from .upstream_call import HeaderLookup

MAX_IDENTITY_CHARS = 200
KNOWN_HEADERS = ("x-session-id", "session-id", "session_id", "x-claude-code-session-id")
LEGACY_SESSION_MARKER = "_session_"


def conversation_identity(
    headers: HeaderLookup | None, body: Any, extra_header: str = ""
) -> str | None:
    """The conversation identity of a call (its headers and parsed body), or None."""
    if headers is not None:
        if extra_header:
            found = headers.get(extra_header)
            if found:
                return found[:MAX_IDENTITY_CHARS]
        for name in KNOWN_HEADERS:
            found = headers.get(name)
            if found:
                return found[:MAX_IDENTITY_CHARS]
    if not isinstance(body, dict):
        return None
    metadata = body.get("metadata")
    if isinstance(metadata, dict):
        session = claude_code_session(metadata.get("user_id"))
        if session:
            return session[:MAX_IDENTITY_CHARS]
    cache_key = body.get("prompt_cache_key")
    if isinstance(cache_key, str) and cache_key:
        return cache_key[:MAX_IDENTITY_CHARS]
    return None


def claude_code_session(user_id: Any) -> str | None:
    """The session id inside Claude Code's `metadata.user_id`, or None when it holds none."""
    if not isinstance(user_id, str) or not user_id:
        return None
    if user_id.startswith("{"):
        try:
            fields = json.loads(user_id)
        except ValueError:
            return None
        session = fields.get("session_id") if isinstance(fields, dict) else None
        return session if isinstance(session, str) and session else None
    _, marker, session = user_id.rpartition(LEGACY_SESSION_MARKER)
    if not marker or not session:
        return None
    return session


def affinity_identity(
    affinity: SessionAffinity, headers: HeaderLookup | None, body: Any
) -> str | None:
    """The call's conversation identity when session affinity is on (Settings → AI), else None."""
    options = affinity.options()
    if not options.enabled:
        return None
    return conversation_identity(headers, body, options.header)
