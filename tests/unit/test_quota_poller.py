"""The quota poller (oauth/quota_poll_service.py): a polled snapshot is kept and saved at once, a
429 rests polling of that account for its Retry-After clamped to 5 s – 5 min, callers arriving
during a poll share it, and the poll after a sign-in never raises."""

from __future__ import annotations

import threading

import pytest

from omniroute.oauth.declarations import OAUTH_PROVIDERS
from omniroute.oauth.grants import AccessGrant, NeedsSignIn
from omniroute.oauth.quota import QuotaBook
from omniroute.oauth.quota_poll import QuotaPollError
from omniroute.oauth.quota_poll_service import QuotaPoller, cool_seconds
from tests.fake_clock import FakeClock
from tests.unit.test_quota_poll import RecordingSession

USAGE = {"five_hour": {"utilization": 25, "resets_at": None}}


class Tokens:
    def __init__(self, refusal: Exception | None = None):
        self.refusal = refusal
        self.asked: list[int] = []

    def usage_grant(self, connection_id: int) -> AccessGrant:
        self.asked.append(connection_id)
        if self.refusal is not None:
            raise self.refusal
        return AccessGrant(f"token-{connection_id}")


@pytest.fixture
def clock():
    return FakeClock(1_900_000_000.0)


def poller_with(session, clock, tokens=None, saved=None):
    kept = [] if saved is None else saved
    book = QuotaBook(lambda cid, snapshot: kept.append((cid, snapshot)), clock=clock)
    poller = QuotaPoller(OAUTH_PROVIDERS, tokens or Tokens(), book, session=session, clock=clock)
    return poller, book


def test_a_polled_snapshot_is_kept_and_saved_at_once_every_time(clock):
    saved: list = []
    poller, book = poller_with(RecordingSession(body=USAGE), clock, saved=saved)
    first = poller.poll(7, "claude-code")
    clock.advance(1)  # well inside the book's save interval
    second = poller.poll(7, "claude-code")
    assert book.latest(7) is second and first.window("5h").used == 0.25
    assert [cid for cid, _ in saved] == [7, 7]


@pytest.mark.parametrize(
    ("retry_after", "rest"),
    [("120", 120.0), ("3600", 300.0), ("1", 5.0), (None, 60.0)],
)
def test_a_429_rests_polling_for_its_retry_after_clamped(clock, retry_after, rest):
    headers = {"Retry-After": retry_after} if retry_after else {}
    session = RecordingSession(429, {"error": "rate_limited"}, headers)
    poller, book = poller_with(session, clock)
    with pytest.raises(QuotaPollError) as limited:
        poller.poll(3, "claude-code")
    assert limited.value.code == "rate_limited" and limited.value.retry_after == rest

    clock.advance(rest - 1)
    with pytest.raises(QuotaPollError) as still:
        poller.poll(3, "claude-code")
    assert still.value.code == "rate_limited" and still.value.retry_after == pytest.approx(1)
    assert len(session.sent) == 1  # nothing sent while cooling
    assert poller.cooling(4) is None  # another account is not rested

    clock.advance(1)
    session.status, session.body = 200, USAGE
    assert poller.poll(3, "claude-code").window("5h").used == 0.25
    assert len(session.sent) == 2 and book.latest(3) is not None


def test_cool_seconds_bounds():
    assert cool_seconds(0) == 5.0 and cool_seconds(10_000) == 300.0 and cool_seconds(30) == 30


def test_an_account_that_must_sign_in_again_sends_nothing(clock):
    session = RecordingSession(body=USAGE)
    tokens = Tokens(NeedsSignIn(5, "invalid_grant"))
    poller, book = poller_with(session, clock, tokens)
    with pytest.raises(NeedsSignIn):
        poller.poll(5, "codex")
    assert session.sent == [] and book.latest(5) is None


def test_a_provider_without_a_usage_endpoint_is_refused_before_asking_for_a_token(clock):
    tokens = Tokens()
    poller, _ = poller_with(RecordingSession(body=USAGE), clock, tokens)
    with pytest.raises(QuotaPollError) as refused:
        poller.poll(1, "gemini-cli")
    assert refused.value.code == "not_offered" and tokens.asked == []
    assert not poller.offers("gemini-cli") and poller.offers("kiro")


@pytest.mark.parametrize(
    "session",
    [RecordingSession(503, {}), RecordingSession(429, {}), RecordingSession(200, None)],
    ids=["down", "rate-limited", "not-json"],
)
def test_the_poll_after_a_sign_in_never_raises(clock, session):
    poller, book = poller_with(session, clock)
    assert poller.poll_quietly(2, "codex") is None and book.latest(2) is None
    assert (
        poller_with(session, clock, Tokens(RuntimeError("bug")))[0].poll_quietly(2, "codex") is None
    )


class ArrivalLock:
    """The poller's per-account lock, telling when each caller is about to wait for it."""

    def __init__(self):
        self.lock = threading.Lock()
        self.arrived = threading.Semaphore(0)

    def __enter__(self):
        self.arrived.release()
        self.lock.acquire()

    def __exit__(self, *exc):
        self.lock.release()


def test_a_caller_arriving_during_a_poll_shares_its_snapshot(clock):
    entered, release = threading.Event(), threading.Event()
    session = RecordingSession(body=USAGE)
    answer = session.request

    def slow_request(*args, **kwargs):
        entered.set()
        release.wait(10)
        return answer(*args, **kwargs)

    session.request = slow_request
    poller, _ = poller_with(session, clock)
    lock = ArrivalLock()
    poller._lock_for = lambda connection_id: lock
    results: list = []
    first = threading.Thread(target=lambda: results.append(poller.poll(9, "claude-code")))
    first.start()
    assert entered.wait(10)
    second = threading.Thread(target=lambda: results.append(poller.poll(9, "claude-code")))
    second.start()
    assert lock.arrived.acquire(timeout=10) and lock.arrived.acquire(timeout=10)
    release.set()
    first.join(10)
    second.join(10)
    assert len(session.sent) == 1 and len(results) == 2 and results[0] is results[1]
