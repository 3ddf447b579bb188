"""What a subscription provider's refusal is about: the account, one model, or the request.

`classify` reads a refusal with the quota snapshot it reported (oauth/quota_headers.py):

- request (neither rest nor rotate: every account would refuse it): a 4xx whose message says
  the request needs something the plan does not include ("Usage credits are required for
  fast mode");
- account (rest it until its window resets, then ask it again): a 429 whose snapshot says the
  account is exhausted (Claude's 5-hour or weekly window rejected; Codex's
  `usage_limit_reached`), or a refusal saying the plan's extra usage is spent. It rests until
  the latest of the provider's Retry-After (or reset) hint and the spent windows' resets;
- model (rest that model on that account): any other 429, e.g. "Selected model is at
  capacity", or one model's own window rejected (Claude's `7d_oi`), until that window resets;
- anything else: None, the ordinary fallback rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..oauth.quota import QuotaSnapshot
from ..resilience.reset_hints import cooldown_seconds
from .upstream_call import ACCOUNT_SCOPE, MODEL_SCOPE, REQUEST_SCOPE, Refusal

NOT_ENTITLED = re.compile(
    r"credits are required|requires? (?:usage )?credits|not entitled"
    r"|not included in your (?:plan|subscription)",
    re.IGNORECASE,
)
EXTRA_USAGE_SPENT = re.compile(r"out of extra usage|draw from your extra usage", re.IGNORECASE)
RATE_LIMITED = 429


def classify(
    status: int,
    headers: Mapping[str, str],
    message: str,
    snapshot: QuotaSnapshot | None,
    now: float,
) -> Refusal | None:
    """The refusal's scope and rest (see the module docstring)."""
    if 400 <= status < 500 and NOT_ENTITLED.search(message):
        return Refusal(REQUEST_SCOPE)
    hint = cooldown_seconds(headers, None, None, now)
    spent = snapshot is not None and snapshot.exhausted
    if (status == RATE_LIMITED and spent) or (
        400 <= status < 500 and EXTRA_USAGE_SPENT.search(message)
    ):
        window = snapshot.rest_seconds(now) if snapshot is not None else None
        return Refusal(ACCOUNT_SCOPE, _latest(hint, window))
    if status == RATE_LIMITED:
        return Refusal(MODEL_SCOPE, _latest(hint, _model_window_rest(snapshot, now)))
    return None


def _model_window_rest(snapshot: QuotaSnapshot | None, now: float) -> float | None:
    """Seconds until the model's own rejected windows reset (None: none is rejected)."""
    if snapshot is None:
        return None
    resets = [w.resets_at for w in snapshot.windows if w.exhausted and w.resets_at is not None]
    return max(0.0, max(resets) - now) if resets else None


def _latest(*waits: float | None) -> float | None:
    known = [wait for wait in waits if wait is not None]
    return max(known) if known else None
