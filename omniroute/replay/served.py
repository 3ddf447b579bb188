"""The usage side of an answer given again: its trace (cost $0, the saving noted) and what the
answer it repeats cost at first."""

from __future__ import annotations

from ..proxy.pipeline import client_trace
from ..proxy.translation import ClientCall
from ..usage.accounting import Accounting, tier_of
from ..usage.trace import RequestTrace

CACHE, IDEMPOTENT = "cache", "idempotent"  # the usage row's `served_from`


def served_trace(
    call: ClientCall,
    served_from: str,
    provider: str | None,
    model: str | None,
    saved_usd: float,
) -> RequestTrace:
    """The trace of a request answered from memory (`served_from`): no provider called, no
    tokens used, the answer's original cost saved; it names who answered at first."""
    trace = client_trace(call)
    trace.provider, trace.model = provider, model
    trace.served_from, trace.saved_usd = served_from, saved_usd
    trace.mark_first_token()
    return trace


def answer_cost(trace: RequestTrace | None, accounting: Accounting) -> float:
    """What the answer a trace describes cost at list prices (what repeating it saves): for an
    answer itself served from memory, the saving it noted."""
    if trace is None:
        return 0.0
    if trace.served_from is not None:
        return trace.saved_usd
    table = accounting.pricing.snapshot()
    _, listed = table.costs(trace.provider, trace.model, tier_of(trace.provider or ""), trace.usage)
    return listed
