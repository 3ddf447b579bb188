"""A clock the test moves by hand, for the code that takes one (`clock=`): breakers, cooldowns,
rate limits, routing state, budget ledgers, dashboard sessions."""

from __future__ import annotations

import datetime as dt


class FakeClock:
    """Calling it tells the time; `advance()` or assigning `now` moves it. The time is seconds
    (a monotonic or a wall clock) or a datetime."""

    def __init__(self, now: float | dt.datetime = 1000.0):
        self.now = now

    def __call__(self) -> float | dt.datetime:
        return self.now

    def advance(self, seconds: float = 1.0) -> None:
        if isinstance(self.now, dt.datetime):
            self.now += dt.timedelta(seconds=seconds)
        else:
            self.now += seconds
