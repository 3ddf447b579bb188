"""Accounting: what a request costs and whether its API key may spend it. No I/O per request.

`reserve` runs once the attempts are planned: a key with a budget holds an estimate of the
request's cost at the first attempt's price, or is refused (402, BudgetExceededError, with the
reset time). `finish` runs as the usage row is made: when the provider reported no usage for a
successful chat answer, the tokens are estimated (prompt: request bytes ÷ 4; answer: streamed
text characters ÷ 4) and the row is marked `estimated`; the cost and the list-price cost are
computed from the pricing table; the budget reservation is settled with the real cost.
"""

from __future__ import annotations

import math

from ..clock import utcnow as utc_now
from ..errors import BudgetExceededError
from ..formats.canonical import Usage
from ..providers import PROVIDERS
from .budgets import BudgetExceeded, BudgetLedger, reserve_estimate, seconds_until
from .pricing import PricingTable
from .trace import RequestTrace

NO_TOKEN_ENDPOINTS = ("embeddings", "images", "audio")
CHARS_PER_TOKEN = 4


def tier_of(provider: str) -> str:
    spec = PROVIDERS.get(provider)
    return spec.tier if spec is not None else "local"  # a provider node: the user's own


class Accounting:
    def __init__(self, pricing, budgets: BudgetLedger | None = None):
        self.pricing = pricing  # SnapshotCache[PricingTable] (or anything with .snapshot())
        self.budgets = budgets

    def reserve(self, trace: RequestTrace, attempts) -> None:
        key_id = trace.api_key_id
        if key_id is None or self.budgets is None or not self.budgets.has_budget(key_id):
            return
        if not attempts:
            return
        first = attempts[0]
        price = self._table().price(first.spec.id, first.model)
        estimate = reserve_estimate(trace.request_bytes // CHARS_PER_TOKEN, trace.max_tokens, price)
        try:
            trace.reserved_usd = self.budgets.reserve(key_id, estimate)
        except BudgetExceeded as over:
            wait = seconds_until(over.reset, utc_now())
            reset = over.reset.isoformat() + "Z"
            raise BudgetExceededError(
                f"the {over.budget.period} budget of this API key ({usd(over.budget.limit)}) is "
                f"spent ({usd(over.spent)}); it resets at {reset}",
                headers={"Retry-After": str(wait), "X-OmniRoute-Budget-Reset": reset},
            ) from None

    def finish(self, trace: RequestTrace, row: dict) -> None:
        if trace.served_from is not None:  # answered from memory: free, the original saved
            row["cost_usd"], row["list_cost_usd"] = 0.0, trace.saved_usd
            return
        if _needs_estimate(trace):
            trace.usage = Usage(
                input_tokens=math.ceil(trace.request_bytes / CHARS_PER_TOKEN),
                output_tokens=math.ceil(trace.output_chars / CHARS_PER_TOKEN),
            )
            trace.estimated = True
            row.update(
                prompt_tokens=trace.usage.input_tokens,
                completion_tokens=trace.usage.output_tokens,
                estimated=True,
            )
        cost, listed = self._table().costs(
            trace.provider, trace.model, tier_of(trace.provider or ""), trace.usage
        )
        row["cost_usd"], row["list_cost_usd"] = cost, listed
        if trace.reserved_usd is not None and self.budgets is not None:
            self.budgets.settle(trace.api_key_id, trace.reserved_usd, cost)
            trace.reserved_usd = None

    def _table(self) -> PricingTable:
        return self.pricing.snapshot()


def usd(amount: float) -> str:
    return f"${amount:,.2f}" if amount >= 0.01 or amount == 0 else f"${amount:.6f}"


def _needs_estimate(trace: RequestTrace) -> bool:
    return (
        trace.status < 400
        and trace.provider is not None
        and not trace.endpoint.startswith(NO_TOKEN_ENDPOINTS)
        and trace.usage == Usage()
    )
