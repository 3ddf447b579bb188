"""Revocable dashboard sessions: each login gets a random id that must still be live to count.

The session cookie is signed, so it cannot be forged, but on its own it could not be taken back
either. Every login therefore starts a *live session*: a random id written into the cookie and
(as a digest) into the database. A request counts as logged in only while its id is live:

- logging out ends that browser's session only, so a copy of its cookie stops working;
- changing the password ends every other session (the browser that changed it stays in);
- "Log out all sessions" ends every session, the current one included;
- a session unseen for longer than the cookie's lifetime ends, and at most MAX_SESSIONS are
  live: a login beyond that ends the one unseen the longest (so scripts that log in and never
  log out cannot push out a browser in daily use).

The database is the truth, so a restart (or another process on the same database) sees the same
sessions. Ids confirmed live are remembered for RECHECK_SECONDS, so a busy dashboard does not
query per request; a session ended by another process stops working within that time. When a
session was last seen is written at most every TOUCH_SECONDS.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable

from ...store.dashboard_sessions import (
    add_session,
    delete_sessions,
    session_seen_at,
    sessions_least_recent_first,
    touch_session,
)

MAX_SESSIONS = 1000
RECHECK_SECONDS = 5.0
TOUCH_SECONDS = 600.0


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class LiveSessions:
    def __init__(
        self,
        database,
        max_idle_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ):
        self._database = database
        self._max_idle = max_idle_seconds
        self._clock = clock
        self._wall_clock = wall_clock
        self._lock = threading.Lock()
        self._confirmed: dict[str, float] = {}  # digest -> when the database last said live
        self._endings = 0  # bumped by every end, so a check racing it caches nothing

    def start(self) -> str:
        """A new live session; returns the id to keep in the browser's session."""
        session_id = secrets.token_urlsafe(24)
        digest = _digest(session_id)
        now = self._wall_clock()
        with self._database.connection_context():
            add_session(self._database, digest, now)
            ending = self._sessions_to_end(now, keep=digest)
            delete_sessions(self._database, ending)
        with self._lock:
            self._forget(ending)
            self._confirmed[digest] = self._clock()
        return session_id

    def _sessions_to_end(self, now: float, keep: str) -> list[str]:
        """Sessions unseen for too long, then the least recently seen beyond MAX_SESSIONS."""
        cutoff = now - self._max_idle
        sessions = [
            (d, seen) for d, seen in sessions_least_recent_first(self._database) if d != keep
        ]
        stale = [digest for digest, seen in sessions if seen < cutoff]
        recent = [digest for digest, seen in sessions if seen >= cutoff]
        return stale + recent[: max(0, len(recent) + 1 - MAX_SESSIONS)]

    def is_live(self, session_id: object) -> bool:
        if not isinstance(session_id, str) or not session_id:
            return False
        digest = _digest(session_id)
        now = self._clock()
        confirmed_at = self._confirmed.get(digest)
        if confirmed_at is not None and now - confirmed_at < RECHECK_SECONDS:
            return True
        endings = self._endings
        live = self._check_and_touch(digest)
        with self._lock:
            if not live or endings != self._endings:
                self._confirmed.pop(digest, None)
            else:
                if len(self._confirmed) >= MAX_SESSIONS:
                    self._confirmed.clear()  # ids ended elsewhere; the live ones are rechecked
                self._confirmed[digest] = now
        return live

    def _check_and_touch(self, digest: str) -> bool:
        wall_now = self._wall_clock()
        with self._database.connection_context():
            seen_at = session_seen_at(self._database, digest)
            if seen_at is None or seen_at < wall_now - self._max_idle:
                return False
            if wall_now - seen_at >= TOUCH_SECONDS:
                touch_session(self._database, digest, wall_now)
        return True

    def end(self, session_id: object) -> None:
        """End one session (logout)."""
        if isinstance(session_id, str) and session_id:
            digest = _digest(session_id)
            with self._database.connection_context():
                delete_sessions(self._database, [digest])
            with self._lock:
                self._forget([digest])

    def end_all(self, keep: object = None) -> int:
        """End every session except `keep` (None: every one); returns how many ended."""
        kept = _digest(keep) if isinstance(keep, str) and keep else None
        with self._database.connection_context():
            ending = [
                digest
                for digest, _ in sessions_least_recent_first(self._database)
                if digest != kept
            ]
            ended = delete_sessions(self._database, ending)
        with self._lock:
            self._forget([digest for digest in self._confirmed if digest != kept])
        return ended

    def _forget(self, digests: list[str]) -> None:
        """Drop cached confirmations, after the database rows are gone (the caller holds the
        lock); a check that read the database before the rows went caches nothing."""
        self._endings += 1
        for digest in digests:
            self._confirmed.pop(digest, None)
