"""Prices and costs. A price is USD per 1M tokens: input, output, cached input (a cache read) and
cache write. Pure, no I/O.

Defaults come from the catalog's input and output prices (an embedding model is priced by
its input alone: its output price is $0); a catalog row carries no cache prices,
so those default to the provider family's published ratio of the input price — Anthropic reads
0.1×, writes 1.25×; OpenAI and OpenAI-compatible reads 0.5×; Gemini reads 0.25×; a cache write
elsewhere costs the input price. The user's prices (`PATCH /api/pricing`) replace any of these.

Cost of one request, with canonical usage (input tokens include the cached ones):
    (input − cache read − cache write) × input + cache read × cached input
    + cache write × cache write + output × output            (all ÷ 1,000,000)
Output tokens include reasoning tokens, as every provider bills them. Subscription and free
providers cost $0; the same arithmetic at list prices is kept as `list_cost` ("saved").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..formats.canonical import Usage
from ..providers import PROVIDERS

CACHE_READ_RATIO = {"anthropic": 0.1, "gemini": 0.25}
DEFAULT_CACHE_READ_RATIO = 0.5
CACHE_WRITE_RATIO = {"anthropic": 1.25}
FREE_TIERS = ("subscription", "free", "local")


@dataclass(frozen=True)
class Price:
    input: float
    output: float
    cached_input: float
    cache_write: float

    def cost(self, usage: Usage) -> float:
        cached = usage.cache_read_tokens + usage.cache_write_tokens
        fresh = max(0, usage.input_tokens - cached)
        total = (
            fresh * self.input
            + usage.cache_read_tokens * self.cached_input
            + usage.cache_write_tokens * self.cache_write
            + usage.output_tokens * self.output
        )
        return round(total / 1_000_000, 10)


@dataclass(frozen=True)
class PriceOverride:
    provider: str
    model_id: str
    input: float
    output: float
    cached_input: float | None = None
    cache_write: float | None = None


def default_price(provider: str, model_id: str) -> Price | None:
    """The catalog's price; input-only models (embeddings) have no output price: it is $0."""
    spec = PROVIDERS.get(provider)
    if spec is None:
        return None
    model = next((m for m in spec.models if m.id == model_id), None)
    if model is None or model.input_price is None:
        return None
    output = model.output_price
    if output is None:
        if model.kind != "embedding":
            return None
        output = 0.0
    return derive(spec.wire_format, model.input_price, output)


def derive(wire_format: str, input_price: float, output_price: float, cached=None, write=None):
    read_ratio = CACHE_READ_RATIO.get(wire_format, DEFAULT_CACHE_READ_RATIO)
    write_ratio = CACHE_WRITE_RATIO.get(wire_format, 1.0)
    return Price(
        input_price,
        output_price,
        input_price * read_ratio if cached is None else cached,
        input_price * write_ratio if write is None else write,
    )


class PricingTable:
    """The catalog's prices with the user's overrides on top; built once per change."""

    def __init__(self, overrides: Iterable[PriceOverride] = ()):
        self.overrides: dict[tuple[str, str], Price] = {}
        for o in overrides:
            wire = PROVIDERS[o.provider].wire_format if o.provider in PROVIDERS else "openai"
            self.overrides[(o.provider, o.model_id)] = derive(
                wire, o.input, o.output, o.cached_input, o.cache_write
            )

    def price(self, provider: str, model_id: str) -> Price | None:
        found = self.overrides.get((provider, model_id))
        return found if found is not None else default_price(provider, model_id)

    def costs(self, provider: str | None, model_id: str | None, tier: str, usage: Usage):
        """(cost charged, cost at list prices) in USD; unknown prices count as $0."""
        if provider is None or model_id is None:
            return 0.0, 0.0
        price = self.price(provider, model_id)
        listed = 0.0 if price is None else price.cost(usage)
        return (0.0 if tier in FREE_TIERS else listed), listed
