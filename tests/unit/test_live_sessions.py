"""Dashboard sessions in the database, on clocks the tests move by hand: a cap on live sessions,
the idle lifetime, an end seen by another process within the recheck time, and only a digest of
each session id stored. Revocation through a real gateway: tests/integration/test_sessions.py."""

from __future__ import annotations

import pytest

from omniroute.store.dashboard_sessions import sessions_least_recent_first
from omniroute.store.database import open_database
from omniroute.store.migrations import migrate
from omniroute.web.auth import live_sessions
from omniroute.web.auth.live_sessions import RECHECK_SECONDS, TOUCH_SECONDS, LiveSessions
from tests.fake_clock import FakeClock


@pytest.fixture
def database(tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'sessions.db'}")
    migrate(database)
    yield database
    database.close_all()


class Clocks:
    """A monotonic and a wall clock that tests move by hand, together."""

    def __init__(self):
        self.monotonic = FakeClock(1000.0)
        self.wall = FakeClock(1_700_000_000.0)

    def advance(self, seconds: float) -> None:
        self.monotonic.advance(seconds)
        self.wall.advance(seconds)

    def sessions(self, database, max_idle_seconds: float = 86400.0) -> LiveSessions:
        return LiveSessions(database, max_idle_seconds, clock=self.monotonic, wall_clock=self.wall)


def test_past_the_limit_a_login_ends_the_session_unseen_the_longest(database, monkeypatch):
    monkeypatch.setattr(live_sessions, "MAX_SESSIONS", 3)
    clocks = Clocks()
    sessions = clocks.sessions(database)
    browser = sessions.start()
    scripts = []
    for _ in range(2):
        clocks.advance(1)
        scripts.append(sessions.start())
    clocks.advance(TOUCH_SECONDS)
    assert sessions.is_live(browser)  # in use: seen again
    clocks.advance(1)
    newest = sessions.start()
    assert not sessions.is_live(scripts[0])
    assert all(sessions.is_live(session_id) for session_id in (browser, scripts[1], newest))
    assert not clocks.sessions(database).is_live(scripts[0])  # as another process sees it


def test_a_session_unseen_for_the_cookie_lifetime_ends(database):
    clocks = Clocks()
    sessions = clocks.sessions(database, max_idle_seconds=3600)
    idle, used = sessions.start(), sessions.start()
    for _ in range(3):
        clocks.advance(1800)
        assert sessions.is_live(used)
    assert not sessions.is_live(idle)
    sessions.start()  # a login clears such leftovers from the database
    with database.connection_context():
        assert len(sessions_least_recent_first(database)) == 2


def test_a_session_ended_by_another_process_stops_within_the_recheck_time(database):
    clocks = Clocks()
    here, elsewhere = clocks.sessions(database), clocks.sessions(database)
    session_id = here.start()
    assert here.is_live(session_id)
    assert elsewhere.end_all() == 1
    assert here.is_live(session_id)  # remembered as live for a moment, without a query
    clocks.advance(RECHECK_SECONDS)
    assert not here.is_live(session_id)
    assert not here.is_live(None) and not here.is_live("") and not here.is_live(["x"])


def test_the_database_keeps_only_a_digest_of_each_session_id(database):
    session_id = Clocks().sessions(database).start()
    with database.connection_context():
        stored = [row for row in database.execute_sql("SELECT key, value FROM app_settings")]
    assert stored and all(session_id not in key + value for key, value in stored)
    assert any(key.endswith(live_sessions._digest(session_id)) for key, _ in stored)
